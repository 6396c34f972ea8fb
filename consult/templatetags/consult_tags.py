from decimal import Decimal, InvalidOperation

import segno
from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe

from consult import conf, permissions
from consult.contributions.authors import display_name
from consult.models import Proposal
from consult.notifications import follows, queries

register = template.Library()


@register.filter
def share_of(votes: int, total: int) -> float:
    """``votes`` as a percentage of ``total`` (0 when nothing was cast)."""
    try:
        return round(100 * int(votes) / int(total), 1) if int(total) else 0.0
    except (TypeError, ValueError):
        return 0.0


@register.filter
def chosen(key, selected) -> bool:
    return str(key) in selected


@register.filter
def consult_display_name(user) -> str:
    """How a citizen is named in public (never their e-mail address)."""
    return display_name(user)


@register.inclusion_tag("consult/includes/follow_form.html", takes_context=True)
def consult_follow(context, target):
    """A follow/unfollow button for a consultation page or a proposal: a plain
    form POST, which ``consult/follow.js`` sends to the API when it can."""
    request = context.get("request")
    user = getattr(request, "user", None)
    is_proposal = isinstance(target, Proposal)
    kind = "proposal" if is_proposal else "consultation"
    api_name = "consult:api-proposal-follow" if is_proposal else "consult:api-consultation-follow"
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "signed_in": permissions.is_signed_in(user),
        "following": follows.is_following(user, target),
        "kind": kind,
        "action_url": reverse(f"consult:follow-{kind}", args=[target.pk]),
        "api_url": reverse(api_name, args=[target.pk]),
        "login_url": resolve_url(settings.LOGIN_URL),
    }


@register.inclusion_tag("consult/includes/notifications_link.html", takes_context=True)
def consult_notifications_link(context):
    """A link to the signed-in person's notifications with the unread count
    (one COUNT query), for the site's header."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = permissions.is_signed_in(user)
    return {
        "signed_in": signed_in,
        "unread": queries.unread_count(user) if signed_in else 0,
    }


@register.filter
def money(value) -> str:
    """An amount in ``CONSULT["CURRENCY"]``, grouped and with the decimal
    mark of the active language ("60.000 EUR" in German, "60,000 EUR" in
    English); whole amounts without decimals. consult.js formats alike."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{conf.get('CURRENCY')}"


@register.simple_tag
def consult_currency() -> str:
    """``CONSULT["CURRENCY"]``, for consult.js to format amounts alike."""
    return conf.get("CURRENCY")


@register.simple_tag
def qr_svg(url: str) -> str:
    """``url`` as a QR code in inline SVG, drawn on the server so a printed
    page or poster carries it without any script or third party."""
    if not url:
        return ""
    # Only path data: the URL is encoded in the drawing, never put in as text.
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="consult-qr")
    return mark_safe(svg)  # noqa: S308
