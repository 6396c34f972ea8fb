"""The consultation page's context: its questions, what the viewer sees of
them, their ballot forms and share links."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import conf, permissions
from consult.actor import Actor
from consult.ledger import receipts
from consult.models import ConsultationPage, Question
from consult.notifications import preferences
from consult.views.eligibility import eligibility_context
from consult.voting import presenter, services
from consult.voting.registry import get_method

#: Session key of the ballots refused on a plain form post, by question id.
REFUSED_KEY = "consult_refused_ballots"
#: Message tags of feedback shown next to its question, not on top.
QUESTION_TAG = "consult-question-"


def question_tag(question_id: int) -> str:
    return f"{QUESTION_TAG}{question_id}"


def question_context(
    question: Question, actor: Actor, refusal, feedback=(), refused=None
) -> dict[str, Any]:
    method = get_method(question.method)
    own = services.own_ballot(actor, question)
    results = presenter.present(question)
    options = list(question.options.all())
    # A ballot refused on a plain post is shown again, so the voter corrects
    # it rather than starting over.
    shown = own
    if refused is not None:
        try:
            method.selected(refused)
            method.form_context(question, options, refused)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # too malformed to show again: the form shows the own ballot
        else:
            shown = refused
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
        # {} is a ballot the page may not show (a secret one).
        "secret": own == {},
        "choices": method.describe(question, options, own) if own else [],
        "selected": method.selected(shown),
        "form": method.form_context(question, options, shown),
        "refusal": refusal,
        "feedback": list(feedback),
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
    # Feedback on a plain form post goes next to its question; the rest on top.
    page_messages, feedback = [], {}
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(QUESTION_TAG)), "")
        if tag:
            feedback.setdefault(tag, []).append(message)
        else:
            page_messages.append(message)
    refused = request.session.pop(REFUSED_KEY, {}) if hasattr(request, "session") else {}
    return {
        "consult_questions": [
            question_context(
                question,
                actor,
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
