"""Translated consultations share their ballots with the original.

A city consults its residents once, in several languages: one person, one
vote per question, whatever language they read it in. So the translations of
a consultation (Wagtail locales: pages sharing a ``translation_key``, made
with "Translate" in the admin or by wagtail-localize) hold no ballots of their
own. Ballots and tallies live on the *source* consultation's questions, and a
translated question only lends its words:

- the source consultation is the first page of the translation group (the
  lowest primary key: the original every translation was copied from);
- a translated question maps to the source question at the same position,
  and its options to the source options at the same positions. Copying for
  translation keeps positions, and ``consult.admin.forms`` keeps them: a
  translation cannot add, remove or reorder questions or options, nor change
  a method or a limit, and the source cannot remove or reorder questions
  once it has translations (it may add new ones at the end);
- a question with no counterpart (added at the end of a translation) is its
  own question with its own ballots;
- if a question and its counterpart disagree (another method, another number
  of options: the translation is out of date), ballots are refused with
  ``translation_out_of_date`` rather than counted on the wrong question.

Ballot bodies name option ids; ``resolve_ballot`` turns the translation's
ids into the source's (through the voting method's ``map_options``), and
``localize_payload`` turns a source tally back into the translation's ids
and labels. Every function here is idempotent on source questions, so
callers may apply them to any question. The ballot services resolve every
question they are given here, so no caller can count a ballot on a
translation's own question.
"""

from __future__ import annotations

from typing import Any

from consult.exceptions import TranslationOutOfDate
from consult.models import ConsultationPage, Option, Question
from consult.voting.registry import get_method
from consult.voting.tally import tally_payload, turnout_payload

# --------------------------------------------------------------------------
# Which page, which question, which option.


def translations_of(page) -> Any:
    """Every consultation of ``page``'s translation group, ``page`` included."""
    return ConsultationPage.objects.filter(translation_key=page.translation_key)


#: Where a loader that fetched it along with the page leaves its source's id.
_SOURCE_ID = "_consult_source_page_id"


def remember_source_page(page: ConsultationPage, source_id: int | None) -> None:
    """Record ``page``'s source id, read in the query that loaded ``page``."""
    setattr(page, _SOURCE_ID, source_id if source_id is not None else page.pk)


def source_page_id(page: ConsultationPage) -> int | None:
    """The id of the consultation holding the ballots of ``page``'s translation group."""
    if page.pk is None:
        return None
    known = getattr(page, _SOURCE_ID, None)
    if known is not None:
        return known
    first = translations_of(page).order_by("pk").values_list("pk", flat=True).first()
    return first if first is not None else page.pk


def source_page(page: ConsultationPage) -> ConsultationPage:
    """The consultation holding the ballots of ``page``'s translation group."""
    source_id = source_page_id(page)
    if source_id is None or source_id == page.pk:
        return page
    return ConsultationPage.objects.get(pk=source_id)


def is_translation(page: ConsultationPage) -> bool:
    return page.pk is not None and source_page_id(page) != page.pk


def has_translations(page: ConsultationPage) -> bool:
    return page.pk is not None and translations_of(page).exclude(pk=page.pk).exists()


def _ordered_questions(page_id: int) -> list[Question]:
    return list(
        Question.objects.filter(page_id=page_id)
        .prefetch_related("options")
        .order_by("sort_order", "pk")
    )


def _options(question: Question) -> list[Option]:
    return sorted(question.options.all(), key=lambda option: (option.sort_order or 0, option.pk))


def counterpart(question: Question) -> Question | None:
    """The source question ``question`` translates, or None (it is a source
    question, or one that exists only in its translation)."""
    page = question.page
    source_id = source_page_id(page)
    if source_id is None or source_id == page.pk:
        return None
    own = [q.pk for q in _ordered_questions(page.pk)]
    theirs = _ordered_questions(source_id)
    position = own.index(question.pk) if question.pk in own else len(theirs)
    return theirs[position] if position < len(theirs) else None


def translated_questions(question: Question) -> list[Question]:
    """The questions of ``question``'s live translations that count on it,
    ``question`` being a source question: the same position on each."""
    page = question.page
    theirs = [q.pk for q in _ordered_questions(page.pk)]
    if question.pk not in theirs:
        return []
    position = theirs.index(question.pk)
    found = []
    for translation in translations_of(page).live().exclude(pk=page.pk):
        remember_source_page(translation, page.pk)
        own = _ordered_questions(translation.pk)
        if position < len(own):
            own[position].page = translation
            found.append(own[position])
    return found


def matches(question: Question, source: Question) -> bool:
    """Whether a translated question still has its source's structure."""
    return question.method == source.method and len(_options(question)) == len(_options(source))


def shared_question(question: Question) -> Question:
    """The question whose ballots count for ``question``: its source
    counterpart if it is a translation, else itself.

    Raises ``TranslationOutOfDate`` when the translation no longer matches.
    """
    source = counterpart(question)
    if source is None:
        return question
    if not matches(question, source):
        raise TranslationOutOfDate()
    source.page = source_page(question.page)
    return source


def option_map(question: Question, source: Question) -> dict[int, int]:
    """``{translated option id: source option id}``, by position."""
    return {
        mine.pk: theirs.pk
        for mine, theirs in zip(_options(question), _options(source), strict=False)
    }


# --------------------------------------------------------------------------
# Ballots and tallies across languages.


def resolve_ballot(question: Question, body: Any) -> tuple[Question, Any]:
    """``(question to count it on, body in that question's option ids)``."""
    shared = shared_question(question)
    if shared.pk == question.pk:
        return question, body
    return shared, get_method(shared.method).map_options(body, option_map(question, shared))


def to_translation(question: Question, shared: Question, content: Any) -> Any:
    """Ballot ``content`` stored on ``shared`` in ``question``'s option ids."""
    if shared.pk == question.pk or not content:
        return content
    reverse = {theirs: mine for mine, theirs in option_map(question, shared).items()}
    return get_method(shared.method).map_options(content, reverse)


def localize_payload(question: Question, source: Question, payload: dict[str, Any]) -> dict:
    """A tally of ``source`` as ``question`` (its translation) shows it: the
    translation's question id, option ids as keys and labels."""
    if source.pk == question.pk:
        return payload
    keys = {str(theirs): str(mine) for mine, theirs in option_map(question, source).items()}
    labels = {str(option.pk): option.label for option in _options(question)}

    def key(value):
        return keys.get(str(value), value) if value is not None else None

    localized = {**payload, "question": question.pk}
    localized["results"] = [
        {**entry, "key": key(entry["key"]), "label": labels.get(key(entry["key"]), entry["label"])}
        for entry in payload.get("results", [])
    ]
    if "rounds" in payload:
        localized["rounds"] = [
            {
                **round_,
                "counts": {key(k): v for k, v in round_.get("counts", {}).items()},
                "eliminated": key(round_.get("eliminated")),
            }
            for round_ in payload["rounds"]
        ]
    if "winner" in payload:
        localized["winner"] = key(payload["winner"])
    return localized


def tally(question: Question, shared: Question | None = None) -> dict[str, Any]:
    """``tally_payload`` of the shared question, in ``question``'s terms.

    Pass ``shared`` when it is known (``shared_question(question)``) to save
    looking it up again."""
    shared = shared or shared_question(question)
    return localize_payload(question, shared, tally_payload(shared))


def turnout(question: Question, shared: Question | None = None) -> dict[str, Any]:
    shared = shared or shared_question(question)
    return {**turnout_payload(shared), "question": question.pk}
