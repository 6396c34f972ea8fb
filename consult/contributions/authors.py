"""How citizens are named in public: a display name, never an email address."""

from __future__ import annotations

from django.utils.translation import gettext as _


def display_name(user) -> str:
    """The user's full name, else their username unless it is an email address.

    Sites log in by email (allauth) and some use the address as username:
    that is never shown. A deleted account shows as "Former participant".
    """
    if user is None:
        return _("Former participant")
    full_name = (user.get_full_name() if hasattr(user, "get_full_name") else "").strip()
    if full_name and "@" not in full_name:
        return full_name
    first_name = (getattr(user, "first_name", "") or "").strip()
    if first_name and "@" not in first_name:
        return first_name
    username = str(user.get_username() or "")
    if username and "@" not in username:
        return username
    return _("Participant %(number)s") % {"number": user.pk}
