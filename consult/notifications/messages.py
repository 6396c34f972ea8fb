"""E-mails: one per notification (instant) or one per digest, each in its
recipient's language with a one-click unsubscribe (RFC 8058).

Templates, which a site overrides like any other (``consult/emails/``):
``<event>_subject.txt`` and ``<event>_body.txt`` per event, ``digest_*``
for digests, and ``notification.html`` / ``digest.html`` for the HTML part
(``<event>_body.html`` takes precedence when a site adds one). A failing
mail server is logged, never raised: the notification is already recorded
and shows in the site.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string, select_template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from consult.models import ConsultationPage, Notification
from consult.notifications import preferences

logger = logging.getLogger(__name__)

TEMPLATES = "consult/emails/"
#: Where the results are on a consultation page.
RESULTS_ANCHOR = "#consult-questions-heading"


class Links:
    """Absolute URLs, looked up once per page for a whole batch of e-mails."""

    def __init__(self) -> None:
        self._pages: dict[int, tuple[str, str]] = {}

    def _page(self, page: ConsultationPage) -> tuple[str, str]:
        if page.pk not in self._pages:
            parts = page.get_url_parts()
            if parts is None:
                root = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
                self._pages[page.pk] = (root, "")
            else:
                _site_id, root, path = parts
                self._pages[page.pk] = (root or "", f"{root or ''}{path}")
        return self._pages[page.pk]

    def root(self, page: ConsultationPage) -> str:
        return self._page(page)[0]

    def page(self, page: ConsultationPage) -> str:
        return self._page(page)[1]

    def proposal(self, page: ConsultationPage, proposal_id: int) -> str:
        base = self.page(page)
        if not base:
            return ""
        return base + page.reverse_subpage("proposal", kwargs={"proposal_id": proposal_id})

    def notification(self, notification: Notification) -> str:
        """Where the notification points: the item, the page or its results."""
        page, comment = notification.page, notification.comment
        item = comment or notification.proposal
        if item is not None and item.status != "published":
            return self.page(page)  # a rejected or hidden item has no page to show
        if comment is not None:
            base = (
                self.proposal(page, comment.proposal_id) if comment.proposal_id else self.page(page)
            )
            return f"{base}#comment-{comment.pk}" if base else ""
        if notification.proposal_id:
            return self.proposal(page, notification.proposal_id)
        if notification.event == "voting_closed":
            return self.page(page) + RESULTS_ANCHOR
        return self.page(page)

    def unsubscribe(self, page: ConsultationPage, user_id: int) -> str:
        token = preferences.unsubscribe_token(user_id)
        return self.root(page) + reverse("consult:unsubscribe", args=[token])

    def preferences(self, page: ConsultationPage) -> str:
        return self.root(page) + reverse("consult:notifications")


def context(notification: Notification, links: Links) -> dict[str, Any]:
    """What the templates of ``notification``'s event are given."""
    item = notification.comment or notification.proposal
    return {
        "notification": notification,
        "event": notification.event,
        "user": notification.user,
        "page": notification.page,
        "item": item,
        "kind": "comment" if notification.comment_id else "proposal",
        "action": notification.action,
        "note": getattr(item, "moderator_note", ""),
        "answer": getattr(notification.proposal, "answer", ""),
        "url": links.notification(notification),
        "when": notification.page.voting_close_at,
    }


def subject(notification: Notification, links: Links) -> str:
    """The one-line summary of ``notification`` (e-mail subject, list title),
    in the active language."""
    rendered = render_to_string(
        f"{TEMPLATES}{notification.event}_subject.txt", context(notification, links)
    )
    return " ".join(rendered.split())


def _message(user, page, name: str, html_names: list[str], data: dict, links: Links):
    unsubscribe_url = links.unsubscribe(page, user.pk)
    data = {
        **data,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": links.preferences(page),
    }
    with translation.override(preferences.language(_preference(user))):
        subject_line = " ".join(render_to_string(f"{TEMPLATES}{name}_subject.txt", data).split())
        text = render_to_string(f"{TEMPLATES}{name}_body.txt", data)
        body_html = _linked(text, [data.get("url", ""), unsubscribe_url, data["preferences_url"]])
        html = select_template(html_names).render(
            {**data, "subject": subject_line, "text": text, "body_html": body_html}
        )
    message = EmailMultiAlternatives(
        subject_line,
        text,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _linked(text: str, urls: list[str]) -> str:
    """``text`` as HTML paragraphs with the links we put in it made clickable.

    Only our own URLs are linked (longest first, so a page's URL does not
    match inside its results link); citizens' text in it stays plain.
    ``urlize`` would find them too, at a fifth of the cost of a whole e-mail.
    """
    html = linebreaks(text, autoescape=True)
    known = sorted({escape(url) for url in urls if url}, key=len, reverse=True)
    if not known:
        return mark_safe(html)  # noqa: S308 - escaped by linebreaks
    pattern = re.compile("|".join(re.escape(url) for url in known))
    return mark_safe(pattern.sub(lambda m: f'<a href="{m[0]}">{m[0]}</a>', html))  # noqa: S308


def _preference(user):
    # Joined by the claim; a user without preferences has none to read.
    try:
        return user.consult_notification_preference
    except user._meta.model.consult_notification_preference.RelatedObjectDoesNotExist:
        return None


def instant_message(notification: Notification, links: Links) -> EmailMultiAlternatives:
    event = notification.event
    return _message(
        notification.user,
        notification.page,
        event,
        [f"{TEMPLATES}{event}_body.html", f"{TEMPLATES}notification.html"],
        context(notification, links),
        links,
    )


def digest_message(user, notifications: list[Notification], period: str, links: Links):
    with translation.override(preferences.language(_preference(user))):
        items = [
            {"subject": subject(n, links), "url": links.notification(n), "notification": n}
            for n in notifications
        ]
    return _message(
        user,
        notifications[0].page,
        "digest",
        [f"{TEMPLATES}digest.html"],
        {"user": user, "items": items, "daily": period.startswith("daily:")},
        links,
    )


def send(messages: Iterable[EmailMultiAlternatives]) -> int:
    """Send over one connection; returns how many went out."""
    sent = 0
    connection = get_connection()
    try:
        connection.open()
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:
                # The address stays out of the log.
                logger.exception("consult: could not send a notification e-mail")
    finally:
        connection.close()
    return sent


def send_instant(notifications: list[Notification]) -> int:
    links = Links()
    return send(instant_message(n, links) for n in notifications)


def send_digest(user, notifications: list[Notification], period: str) -> int:
    if not notifications:
        return 0
    return send([digest_message(user, notifications, period, Links())])
