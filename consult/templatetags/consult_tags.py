from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe

from consult import conf

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
    import segno

    if not url:
        return ""
    # Only path data: the URL is encoded in the drawing, never put in as text.
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="consult-qr")
    return mark_safe(svg)  # noqa: S308
