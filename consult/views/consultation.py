"""The consultation page's context: its questions, what the viewer sees of
them, their ballot forms and share links."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from consult import conf, permissions
from consult.actor import Actor
from consult.ledger import receipts
from consult.models import ConsultationPage, Question
from consult.notifications import preferences
from consult.views.eligibility import eligibility_context
from consult.voting import presenter, services
from consult.voting.registry import get_method


def question_context(question: Question, actor: Actor, refusal) -> dict[str, Any]:
    method = get_method(question.method)
    own = services.own_ballot(actor, question)
    results = presenter.present(question)
    return {
        "question": question,
        "method": method,
        "prefix": f"q{question.pk}-",
        "tally": results.tally,
        "tally_pending": results.pending,
        "turnout": results.turnout,
        "voted": own is not None,
        "receipt": receipts.grouped(services.own_receipt(actor, question) or "")
        if own is not None
        else "",
        "selected": method.selected(own),
        "form": method.form_context(question, list(question.options.all()), own),
        "refusal": refusal,
    }


def consultation_context(page: ConsultationPage, request) -> dict[str, Any]:
    """The consultation page's own context: its questions as the viewer sees
    them (``consult.voting.presenter``), their ballot forms and share links."""
    # The language of a follower's e-mails follows the one they read the
    # site in (a session lookup; a query only when it changes).
    preferences.remember_language(request)
    actor = Actor.from_request(request)
    visible = presenter.results_visible(page)
    refusal = permissions.voting_refusal(request.user, page)
    questions = page.questions.prefetch_related("options")
    url = page.get_full_url(request) or ""
    return {
        "consult_questions": [question_context(question, actor, refusal) for question in questions],
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
