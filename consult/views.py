"""Citizen-facing pages: the consultation page's context and the plain
form posts that work with JavaScript off."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consult import conf, localization, permissions
from consult.eligibility_views import eligibility_context
from consult.exceptions import ConsultError
from consult.models import ConsultationPage, Question
from consult.voting.registry import get_method
from consult.voting.tally import pending_payload


def question_context(question: Question, request, visible: bool, refusal) -> dict[str, Any]:
    method = get_method(question.method)
    own = localization.own_ballot(request.user, question)
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
        "selected": method.selected(own),
        "form": method.form_context(question, list(question.options.all()), own),
        "refusal": refusal,
    }


def consultation_context(page: ConsultationPage, request) -> dict[str, Any]:
    visible = permissions.results_visible(request.user, page)
    refusal = permissions.voting_refusal(request.user, page)
    questions = page.questions.prefetch_related("options")
    url = page.get_full_url(request) or ""
    return {
        "consult_questions": [
            question_context(question, request, visible, refusal) for question in questions
        ],
        "results_visible": visible,
        "voting_refusal": refusal,
        "eligibility": eligibility_context(page, request.user),
        "voting_open": page.voting_state() == "open",
        "websocket_path": f"/ws/consult/consultations/{page.pk}/",
        "api_base": reverse("consult:api-consultations").rsplit("consultations/", 1)[0],
        "share_links": share_links(url, page.title),
        "canonical_url": url,
        "login_url": resolve_url(settings.LOGIN_URL),
        "consult_base_template": conf.get("BASE_TEMPLATE"),
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
    if not body:
        messages.error(request, _("Please make a choice before you vote."))
        return _back(question)
    try:
        result = localization.cast_ballot(request.user, question, body)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        if result.created:
            messages.success(request, _("Thank you, your vote has been counted."))
        else:
            messages.success(request, _("Your vote has been changed."))
    return _back(question)


@require_POST
def retract(request, question_id: int):
    question = _question_for_form(question_id)
    try:
        localization.retract_ballot(request.user, question)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your vote has been withdrawn."))
    return _back(question)
