"""Voting codes: single-person codes printed on letters, stored as salted digests.

A code is ``VOTING_CODE_LENGTH`` characters from an alphabet without look-alikes
(no 0/O, 1/I/L), about 5 bits each: 12 characters are 60 bits, far beyond
guessing at the throttled rate, and beyond an offline search of a leaked
table (the digest is keyed as well as salted). The same code always signs in
the same ``Participant``: an account without e-mail or usable password,
bound to the consultation of its batch.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult import conf
from consult.eligibility import normalise
from consult.eligibility.accounts import PARTICIPANT_DOMAIN, is_code_participant
from consult.exceptions import NotEligible
from consult.models import ConsultationPage, Participant, VotingCode, VotingCodeBatch

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUP = 4


def _key() -> bytes:
    key = conf.get("CENSUS_KEY") or settings.SECRET_KEY
    return hashlib.sha256(b"consult.voting-code:" + key.encode()).digest()


def code_digest(salt: str, code: str) -> str:
    message = f"{salt}:{normalise.code(code)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(int(conf.get("VOTING_CODE_LENGTH"))))
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


@dataclass(frozen=True)
class GeneratedBatch:
    batch: VotingCodeBatch
    #: The codes in clear: shown once (letters, CSV), never stored.
    codes: list[str]


def generate(
    page: ConsultationPage, count: int, *, name: str = "", created_by=None
) -> GeneratedBatch:
    """A new batch of ``count`` codes for ``page``."""
    if count < 1:
        raise ValueError("count must be at least 1")
    salt = secrets.token_hex(16)
    codes: list[str] = []
    digests: set[str] = set()
    while len(codes) < count:
        code = new_code()
        digest = code_digest(salt, code)
        if digest not in digests:
            digests.add(digest)
            codes.append(code)
    with transaction.atomic():
        batch = VotingCodeBatch.objects.create(
            page=page,
            name=name or timezone.now().strftime("%Y-%m-%d %H:%M"),
            salt=salt,
            count=count,
            created_by=created_by,
        )
        VotingCode.objects.bulk_create(
            [VotingCode(batch=batch, digest=digest) for digest in digests], batch_size=2000
        )
    return GeneratedBatch(batch, codes)


def revoke(batch: VotingCodeBatch) -> None:
    """Void every code of ``batch``: no new logins, and its participants lose the rule."""
    VotingCodeBatch.objects.filter(pk=batch.pk, revoked_at=None).update(revoked_at=timezone.now())


def find_code(page: ConsultationPage, code: str) -> VotingCode | None:
    """The live code ``code`` of ``page`` (or a translation of it), or None."""
    batches = list(
        VotingCodeBatch.objects.filter(
            page__translation_key=page.translation_key, revoked_at=None
        ).values_list("pk", "salt")
    )
    if not batches or not normalise.code(code):
        return None
    return (
        VotingCode.objects.filter(
            batch_id__in=[pk for pk, _salt in batches],
            digest__in=[code_digest(salt, code) for _pk, salt in batches],
        )
        .select_related("batch")
        .first()
    )


def unknown_code() -> NotEligible:
    return NotEligible(
        _("This code is not valid for this consultation. Check it against your letter."),
        rule="voting_code",
    )


def participant_for(page: ConsultationPage, code: str):
    """The account ``code`` signs in on ``page``, made on its first use.

    Raises ``NotEligible`` for an unknown, revoked or foreign code: the same
    answer for each, so an answer tells nothing about other consultations.
    """
    found = find_code(page, code)
    if found is None:
        raise unknown_code()
    existing = Participant.objects.filter(code=found).select_related("user").first()
    if existing is not None:
        if existing.user is None:  # its account was deleted: the code is used up
            raise unknown_code()
        return existing.user
    User = get_user_model()  # noqa: N806
    try:
        with transaction.atomic():
            user = User(**{User.USERNAME_FIELD: f"{uuid.uuid4().hex}@{PARTICIPANT_DOMAIN}"})
            user.set_unusable_password()
            user.save()
            Participant.objects.create(user=user, page_id=found.batch.page_id, code=found)
    except IntegrityError:
        # The same code signed in at the same moment elsewhere: that account wins.
        return Participant.objects.select_related("user").get(code=found).user
    return user


def participant_page(user) -> str | None:
    """The translation key of the consultation a code account is bound to, if
    its batch is live; None for every other account (without a query)."""
    if not is_code_participant(user):
        return None
    found = (
        Participant.objects.filter(user=user, code__batch__revoked_at=None)
        .values_list("page__translation_key", flat=True)
        .first()
    )
    return str(found) if found is not None else None
