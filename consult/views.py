"""Citizen-facing pages: the consultation page's context and the plain
form posts that work with JavaScript off."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consult import conf, localization, permissions
from consult.exceptions import ConsultError
from consult.models import ConsultationPage, Question
from consult.voting.registry import get_method
from consult.voting.tally import pending_payload

#: Session key of the ballots refused on a plain form post, by question id:
#: the page shows them again so the voter's choices are not lost.
REFUSED_KEY = "consult_refused_ballots"


def question_tag(question_id: int) -> str:
    """The message tag of feedback shown next to its question, not on top."""
    return f"consult-question-{question_id}"


def question_context(
    question: Question, request, visible: bool, refusal, feedback=(), refused=None
) -> dict[str, Any]:
    method = get_method(question.method)
    own = localization.own_ballot(request.user, question)
    options = list(question.options.all())
    shown = own
    if refused is not None:
        try:
            method.selected(refused)
            method.form_context(question, options, refused)
        except (KeyError, TypeError, ValueError, AttributeError):
            refused = None  # too malformed to show again: an empty form then
        else:
            shown = refused
    return {
        "question": question,
        "method": method,
        "prefix": f"q{question.pk}-",
        "tally": localization.tally(question) if visible else None,
        "tally_pending": pending_payload(question)
        if not visible and permissions.results_reveal_at(question.page)
        else None,
        "turnout": localization.turnout(question),
        "voted": own is not None,
        # {} is a ballot the page may not show (a secret one).
        "secret": own == {},
        "choices": ballot_summary(method, question, options, own),
        "selected": method.selected(shown),
        "form": method.form_context(question, options, shown),
        "refusal": refusal,
        "feedback": list(feedback),
    }


def ballot_summary(method, question: Question, options: list, content) -> list[str]:
    """The voter's own public ballot in words, one item per choice."""
    if not content:
        return []
    labels = {
        entry["key"]: entry["label"] for entry in method.results(question, options, {})["results"]
    }
    if "ranking" in content:
        return [
            f"{rank}. {labels.get(str(key), key)}" for rank, key in enumerate(content["ranking"], 1)
        ]
    if "scores" in content:
        return [f"{labels.get(str(key), key)}: {score}" for key, score in content["scores"].items()]
    return [labels.get(key, key) for key in method.counts(content)]


def consultation_context(page: ConsultationPage, request) -> dict[str, Any]:
    visible = permissions.results_visible(request.user, page)
    refusal = permissions.voting_refusal(request.user, page)
    questions = page.questions.prefetch_related("options")
    url = page.get_full_url(request) or ""
    # Feedback on a plain form post goes next to its question; the rest on top.
    page_messages, feedback = [], {}
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith("consult-question-")), "")
        if tag:
            feedback.setdefault(tag, []).append(message)
        else:
            page_messages.append(message)
    refused = request.session.pop(REFUSED_KEY, {}) if hasattr(request, "session") else {}
    return {
        "consult_questions": [
            question_context(
                question,
                request,
                visible,
                refusal,
                feedback.get(question_tag(question.pk), ()),
                refused.get(str(question.pk)),
            )
            for question in questions
        ],
        "page_messages": page_messages,
        **phase_context(page),
        "results_visible": visible,
        "voting_refusal": refusal,
        "voting_open": page.voting_state() == "open",
        "websocket_path": f"/ws/consult/consultations/{page.pk}/",
        "api_base": reverse("consult:api-consultations").rsplit("consultations/", 1)[0],
        "share_links": share_links(url, page.title),
        "canonical_url": url,
        "login_url": resolve_url(settings.LOGIN_URL),
        "consult_base_template": conf.get("BASE_TEMPLATE"),
    }


def phase_context(page: ConsultationPage) -> dict[str, int]:
    """The phase the page is rendered in, as the websocket's ``phase``
    message numbers it (the epoch second of the last boundary passed), and
    when the next boundary is due (0: none), for a page that reconnects
    after missing a ``phase`` message."""
    passed, upcoming = page.phase_boundaries(timezone.now())
    return {
        "phase_version": int(passed.timestamp()) if passed is not None else 0,
        "next_phase_at": int(upcoming.timestamp()) if upcoming is not None else 0,
    }


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """Plain share links: no third-party script runs on the page."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        (_("Share by email"), f"mailto:?subject={t}&body={u}"),
        ("Mastodon", f"https://mastodon.social/share?text={t}%20{u}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("X", f"https://x.com/intent/post?text={t}&url={u}"),
        ("WhatsApp", f"https://wa.me/?text={t}%20{u}"),
    ]


def _question_for_form(question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("page").filter(page__live=True), pk=question_id
    )


def _back(question: Question):
    return redirect(f"{question.page.url}#question-{question.pk}")


@require_POST
def vote(request, question_id: int):
    question = _question_for_form(question_id)
    body = get_method(question.method).body_from_form(request.POST, f"q{question.pk}-")
    tag = question_tag(question.pk)
    if not body:
        messages.error(request, _("Please make a choice before you vote."), extra_tags=tag)
        return _back(question)
    try:
        result = localization.cast_ballot(request.user, question, body)
    except ConsultError as error:
        messages.error(request, str(error.detail), extra_tags=tag)
        refused = request.session.get(REFUSED_KEY, {})
        request.session[REFUSED_KEY] = {**refused, str(question.pk): body}
    else:
        if result.created:
            messages.success(request, _("Thank you, your vote has been counted."), extra_tags=tag)
        else:
            messages.success(request, _("Your vote has been changed."), extra_tags=tag)
    return _back(question)


@require_POST
def retract(request, question_id: int):
    question = _question_for_form(question_id)
    try:
        localization.retract_ballot(request.user, question)
    except ConsultError as error:
        messages.error(request, str(error.detail), extra_tags=question_tag(question.pk))
    else:
        messages.success(
            request, _("Your vote has been withdrawn."), extra_tags=question_tag(question.pk)
        )
    return _back(question)
