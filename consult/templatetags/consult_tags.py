from django import template

from consult.contributions.authors import display_name

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
