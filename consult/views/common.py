"""Citizens' pages for proposals and comments, served under the consultation
page's URL by its routes (``ConsultationPage`` is a ``RoutablePageMixin``):

| route                              | method    | does                                    |
| ---------------------------------- | --------- | --------------------------------------- |
| ``proposals/``                     | GET       | list, ``?category=&status=&sort=&page=`` |
| ``proposals/new/``                 | GET, POST | submit form                             |
| ``proposals/<id>/``                | GET       | a proposal with its comments            |
| ``proposals/<id>/edit/``           | GET, POST | author edits while pending              |
| ``proposals/<id>/withdraw/``       | POST      | author withdraws                        |
| ``proposals/<id>/support/``        | POST      | ``action=support|withdraw``             |
| ``proposals/<id>/report/``         | POST      | report to the moderators                |
| ``comments/``                      | POST      | comment or reply                        |
| ``comments/<id>/edit/``            | GET, POST | author edits within the edit window     |
| ``comments/<id>/delete/``          | POST      | author removes                          |
| ``comments/<id>/report/``          | POST      | report to the moderators                |

Everything works with JavaScript off: forms POST, the view redirects back
with a message (Post/Redirect/Get). Writes go through
``consult.contributions.services``, which apply every rule (page privacy,
phase, eligibility, the write limits the API shares).

This module holds what the proposal and comment pages share: links, the
context of the consultation page's proposals and discussion, rendering.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Max
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from consult import conf, permissions
from consult.contributions import queries, services
from consult.contributions.authors import display_name
from consult.contributions.forms import (
    ReportForm,
)
from consult.contributions.text import render_text
from consult.contributions.threads import Node, thread_page
from consult.exceptions import CommentsDisabled, ConsultError, InvalidContribution, ProposalsClosed
from consult.models import Comment, ConsultationPage, Proposal, Report
from consult.models.comments import MAX_COMMENT_DEPTH, ReportReason, Stance

#: Proposals shown on the consultation page itself (most supported first).
TOP_PROPOSALS = 5
DRAFT_KEY = "consult_comment_draft"


# ------------------------------------------------------------------- context


class Links:
    """URLs of one consultation's routes (stable: see the module docstring)."""

    def __init__(self, page: ConsultationPage):
        self.page = page
        self.base = page.url or page.get_url() or "/"

    def route(self, name: str, **kwargs) -> str:
        return self.base + self.page.reverse_subpage(name, kwargs=kwargs)

    @property
    def proposals(self) -> str:
        return self.route("proposals")

    @property
    def proposal_new(self) -> str:
        return self.route("proposal_new")

    @property
    def comments(self) -> str:
        return self.route("comment_new")

    def proposal(self, proposal_id: int) -> str:
        return self.route("proposal", proposal_id=proposal_id)

    def proposal_edit(self, proposal_id: int) -> str:
        return self.route("proposal_edit", proposal_id=proposal_id)


def common_context(request, page: ConsultationPage) -> dict[str, Any]:
    """What every contribution page and section needs."""
    links = Links(page)
    eligibility = permissions.participation_refusal(request.user, page, "comment")
    return {
        "links": links,
        "proposals_url": links.proposals,
        "proposal_url_prefix": links.proposals,
        "comment_url_prefix": links.base + "comments/",
        "participation_refusal": eligibility,
        "support_threshold": page.support_threshold,
        "proposals_phase": page.proposals_open_at is not None,
        "proposals_open": permissions.proposals_open(page),
        "login_url": resolve_url(settings.LOGIN_URL),
        "comments_api_url": reverse("consult:api-comments", args=[page.pk]),
        "websocket_path": f"/ws/consult/consultations/{page.pk}/",
        "consult_base_template": conf.get("BASE_TEMPLATE"),
    }


def contributions_context(page: ConsultationPage, request) -> dict[str, Any]:
    """Added to the consultation page's context: its proposals and comments."""
    if page.pk is None:  # previewing a page that is not saved yet: nothing to show
        return {"proposals_phase": False, "published_proposals": 0, "discussion": None}
    common = common_context(request, page)
    eligibility = common["participation_refusal"]
    proposals = queries.proposals_for(request.user, page)
    top = list(
        queries.filter_proposals(proposals, status="published", ordering="supports")[:TOP_PROPOSALS]
    )
    return {
        **common,
        "proposal_refusal": eligibility
        or (None if common["proposals_open"] else ProposalsClosed()),
        "top_proposals": top,
        "published_proposals": proposals.filter(status="published").count(),
        "discussion": discussion_context(request, page, None, eligibility),
    }


def discussion_context(
    request, page: ConsultationPage, proposal: Proposal | None, eligibility
) -> dict[str, Any]:
    """A page of comment threads on ``page`` (or ``proposal``) with the flags
    and URLs each comment's buttons need: a fixed number of queries."""
    user = request.user
    current, threads = thread_page(user, page, proposal, request.GET.get("comments_page"))
    comments = Comment.objects.filter(page=page, proposal=proposal)
    reported: set[int] = set()
    ids = [node.comment.pk for node in _walk(threads)]
    if permissions.is_signed_in(user) and ids:
        reported = set(
            Report.objects.filter(reporter=user, comment_id__in=ids).values_list(
                "comment_id", flat=True
            )
        )
    refusal = eligibility or (None if page.comments_enabled else CommentsDisabled())
    now = timezone.now()
    prefix = Links(page).base + "comments/"
    for node in _walk(threads):
        _decorate(node, user, refusal, reported, now, prefix)
    draft = request.session.pop(DRAFT_KEY, None) if hasattr(request, "session") else None
    target = proposal.pk if proposal else None
    if not isinstance(draft, dict) or draft.get("proposal") != target:
        draft = None
    elif draft.get("parent"):
        for node in _walk(threads):
            node.draft = draft["body"] if node.comment.pk == draft["parent"] else ""
        draft = None
    return {
        "enabled": page.comments_enabled,
        "refusal": refusal,
        "threads": threads,
        "threads_page": current,
        "count": comments.filter(status="published", deleted_at__isnull=True).count(),
        "latest": comments.aggregate(latest=Max("pk"))["latest"] or 0,
        "proposal": proposal,
        "post_url": Links(page).comments,
        "next": request.get_full_path(),
        "draft": draft,
        "stances": Stance.choices,
        "reasons": ReportReason.choices,
        "max_length": int(conf.get("COMMENT_MAX_LENGTH")),
        "max_depth": MAX_COMMENT_DEPTH,
        "edit_minutes": max(1, int(conf.get("COMMENT_EDIT_WINDOW")) // 60),
    }


def _walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _decorate(node: Node, user, refusal, reported: set[int], now, prefix: str) -> None:
    comment = node.comment
    node.urls = {
        action: f"{prefix}{comment.pk}/{action}/" for action in ("edit", "delete", "report")
    }
    node.reply_form_id = f"reply-{comment.pk}"
    node.report_prefix = f"report-comment-{comment.pk}"
    node.author_name = display_name(comment.author)
    node.body_html = render_text(comment.body) if node.shown else ""
    node.own = permissions.is_author(user, comment)
    node.pending = comment.status == "pending"
    node.can_reply = refusal is None and node.shown and permissions.can_reply_to(comment)
    node.can_edit = refusal is None and permissions.comment_edit_rule(user, comment, now) is None
    node.can_delete = node.own and not node.removed
    node.can_report = refusal is None and node.shown and not node.own
    node.reported = comment.pk in reported
    node.draft = ""


def render(request, page: ConsultationPage, template: str, context: dict, status: int = 200):
    return TemplateResponse(
        request,
        template,
        {"page": page, "self": page, **common_context(request, page), **context},
        status=status,
    )


def report(request, page, item, target: str):
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose why you report this."))
        return redirect(target)
    try:
        services.report(request, item, **form.cleaned_data)
    except InvalidContribution:
        messages.error(request, _("Please describe the problem when you choose “Something else”."))
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Thank you. The moderators will look at your report."))
    return redirect(target)


def keep_draft(request, draft: dict) -> None:
    """A refused comment's text comes back in the form after the redirect."""
    if hasattr(request, "session"):
        request.session[DRAFT_KEY] = draft


def next_url(request, page: ConsultationPage, fallback: str) -> str:
    """The form's ``next`` if it is a path on this consultation, else ``fallback``."""
    wanted = request.POST.get("next") or ""
    base = Links(page).base
    if (
        wanted.startswith(base)
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None)
        and "#" not in wanted
    ):
        return wanted
    return fallback
