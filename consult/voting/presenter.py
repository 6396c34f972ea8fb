"""What a viewer sees of a question: its tally, its turnout, or nothing more.

One decision for every place that shows results (the consultation page, the
blocks on other pages, the API and the websocket), so they cannot disagree:

- results are public while ``results_visibility`` says so (``live``; or
  ``after_close`` once voting has closed; never when ``hidden``), otherwise
  only the turnout is;
- results say whether they are ``final`` (voting closed): a ranked
  question's ``winner`` is a winner only then, before it is the one leading;
- a translated question shows its original's tally in its own words
  (``consult.voting.translations``);
- secret ballots with live results show only their turnout while voting
  runs until the question has ``SECRET_LIVE_THRESHOLD`` ballots, so the first
  voters' choices cannot be read off the running tally (SPEC §11).

Staff screens behind the ``view_results`` permission read tallies directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consult import conf
from consult.exceptions import TranslationOutOfDate
from consult.models import ConsultationPage, Question
from consult.voting import translations
from consult.voting.tally import pending_payload


def results_visible(page: ConsultationPage) -> bool:
    """Whether the public may see the tallies of ``page`` now."""
    if page.results_visibility == "live":
        return True
    if page.results_visibility == "after_close":
        return page.voting_state() == "closed"
    return False


def tally_visible(page: ConsultationPage, ballots: int) -> bool:
    """Whether the public may see the tally of one of ``page``'s questions
    that has ``ballots`` ballots: results are visible, and the secret live
    threshold is met. Its log (SPEC §11) is public exactly when its tally is."""
    if not results_visible(page):
        return False
    secret_live = page.ballot_secrecy == "secret" and page.results_visibility == "live"
    if secret_live and page.voting_state() != "closed":
        return ballots >= conf.get("SECRET_LIVE_THRESHOLD")
    return True


def results_reveal_at(page: ConsultationPage) -> datetime | None:
    """When ``page``'s results, not public yet, become public by themselves:
    the closing time of an ``after_close`` consultation still open. Else None."""
    if page.results_visibility != "after_close" or page.voting_close_at is None:
        return None
    return None if page.voting_state() == "closed" else page.voting_close_at


@dataclass(frozen=True)
class QuestionResults:
    """What may be shown of one question."""

    #: The tally, or None while results are not public.
    tally: dict[str, Any] | None
    #: ``{"question", "version", "ballots"}``: always public.
    turnout: dict[str, Any]
    #: The tally's shape with every count zero, when the results come out
    #: by themselves at the close (pages fill it in then); else None.
    pending: dict[str, Any] | None
    #: Whether voting has closed: the tally will not change any more.
    final: bool

    @property
    def message(self) -> dict[str, Any]:
        """The websocket frame: ``{"type": "tally", ...}`` or ``{"type": "turnout", ...}``."""
        if self.tally is not None:
            return {"type": "tally", **self.tally}
        return {"type": "turnout", **self.turnout}


def present(question: Question, shared: Question | None = None) -> QuestionResults:
    """What the public sees of ``question``.

    ``shared`` is the question holding its ballots when known
    (``translations.shared_question``); otherwise it is looked up, which
    raises ``TranslationOutOfDate`` for a translation that no longer matches.
    """
    shared = shared or translations.shared_question(question)
    page = shared.page
    turnout = translations.turnout(question, shared)
    final = page.voting_state() == "closed"
    if tally_visible(page, turnout["ballots"]):
        tally = translations.tally(question, shared)
        return QuestionResults(tally=tally, turnout=turnout, pending=None, final=final)
    # A table for the tally pushed later: at the close, or at the threshold.
    later = results_visible(page) or results_reveal_at(page)
    pending = pending_payload(question) if later else None
    return QuestionResults(tally=None, turnout=turnout, pending=pending, final=final)


def present_or_none(question: Question) -> QuestionResults | None:
    """``present``, or None for a translation that no longer matches its
    original: it takes no ballots and shows no results until it is updated."""
    try:
        shared = translations.shared_question(question)
    except TranslationOutOfDate:
        return None
    return present(question, shared)
