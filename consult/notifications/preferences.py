"""Each person's e-mail frequency and language, and one-click unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _

from consult import conf, ratelimit
from consult.actor import as_actor
from consult.exceptions import InvalidPreference, NotAuthenticated
from consult.models import NotificationPreference
from consult.models.notifications import EmailFrequency

UNSUBSCRIBE_SALT = "consult.notifications.unsubscribe"
#: Where the language last recorded for the signed-in person is remembered,
#: so recording it costs a query only when it changes.
SESSION_KEY = "consult_language"


def stored(user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


def frequency(preference: NotificationPreference | None) -> str:
    """The e-mail frequency in effect: the person's, else the site's default."""
    return (preference.email if preference else "") or conf.get("NOTIFY_DEFAULT_EMAIL")


def language(preference: NotificationPreference | None) -> str:
    """The language to write to the person in."""
    if preference is not None and (preference.language or preference.last_language):
        return preference.language or preference.last_language
    return settings.LANGUAGE_CODE


def as_dict(preference: NotificationPreference | None) -> dict[str, str]:
    return {"email": frequency(preference), "language": language(preference)}


def _supported(code: str) -> str | None:
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def update(who, *, email: object = None, language: object = None) -> NotificationPreference:
    """Change the preferences of ``who`` (an Actor, a request or a user);
    ``None`` leaves a field as it is. An empty ``language`` goes back to the
    one last used on the site."""
    actor = as_actor(who)
    if not actor.signed_in:
        raise NotAuthenticated()
    ratelimit.hit("follow", actor)
    user = actor.user
    changes: dict[str, str] = {}
    if email is not None:
        if email not in EmailFrequency.values:
            raise InvalidPreference(
                _("email must be one of: %(choices)s.")
                % {"choices": ", ".join(EmailFrequency.values)}
            )
        changes["email"] = str(email)
    if language is not None:
        if not isinstance(language, str) or (language and _supported(language) != language):
            raise InvalidPreference(
                _("language must be one of: %(choices)s.")
                % {"choices": ", ".join(code for code, _name in settings.LANGUAGES)}
            )
        changes["language"] = language
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults=changes
    )
    return preference


def remember_language(request) -> None:
    """Record the language ``request`` is served in as the person's last used
    one. Costs a query only when it differs from the one the session recorded."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated and user.is_active
    if not signed_in or not hasattr(request, "session"):
        return
    code = _supported(translation.get_language() or "")
    if code is None or request.session.get(SESSION_KEY) == code:
        return
    if not NotificationPreference.objects.filter(user=user).update(last_language=code):
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user=user, last_language=code)], ignore_conflicts=True
        )
    request.session[SESSION_KEY] = code


def unsubscribe_token(user_id: int) -> str:
    """A token that switches e-mails off for ``user_id`` without a login.

    Signed with ``SECRET_KEY`` (and salted): rotating the key invalidates the
    links in e-mails already sent, nothing else. It does not expire, as
    RFC 8058 expects of a link in a message that may be read months later.
    """
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def user_for_token(token: str):
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(user_id, int):
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def unsubscribe(user) -> None:
    """No more e-mails for ``user`` (notifications stay in the site)."""
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": EmailFrequency.OFF}
    )
