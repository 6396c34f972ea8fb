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
``consult.contributions.services`` and count against the same rate limits
as the API (``consult.api.throttling.check_rate``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from consult import conf, permissions
from consult.api.throttling import check_rate
from consult.contributions import queries, services
from consult.contributions.authors import display_name
from consult.contributions.exceptions import CommentsDisabled, InvalidContribution, Throttled
from consult.contributions.forms import (
    CommentEditForm,
    CommentForm,
    ProposalForm,
    ReportForm,
    SupportForm,
)
from consult.contributions.text import render_text
from consult.contributions.threads import Node, thread_page
from consult.exceptions import ConsultError, ProposalsClosed
from consult.models import Comment, ConsultationPage, Proposal, Report
from consult.models.comments import MAX_COMMENT_DEPTH, ReportReason, Stance

PROPOSALS_PER_PAGE = 20
#: Proposals shown on the consultation page itself (most supported first).
TOP_PROPOSALS = 5
DRAFT_KEY = "consult_comment_draft"

SORTS = [
    ("newest", pgettext_lazy("sort proposals", "Newest")),
    ("supports", pgettext_lazy("sort proposals", "Most supported")),
]
STATUS_FILTERS = [
    ("", pgettext_lazy("proposals filter", "All")),
    ("published", pgettext_lazy("proposals filter", "Published")),
    ("answered", pgettext_lazy("proposals filter", "Answered")),
    ("pending", pgettext_lazy("proposals filter", "Mine, awaiting moderation")),
]


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
    eligibility = permissions.participation_refusal(request.user)
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


# ---------------------------------------------------------------- proposals


def proposal_list(request, page: ConsultationPage):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    category = request.GET.get("category") or ""
    wanted = request.GET.get("status") or ""
    status = wanted if wanted in queries.PROPOSAL_FILTERS else ""
    sort = request.GET.get("sort") if request.GET.get("sort") in queries.PROPOSAL_ORDERINGS else ""
    categories = list(queries.categories())
    if category and category not in {c.slug for c in categories}:
        category = ""
    proposals = queries.filter_proposals(
        queries.proposals_for(request.user, page),
        category=category or None,
        status=status or None,
        ordering=sort or "newest",
    )
    current = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("category", category), ("status", status), ("sort", sort)) if v}
    return render(
        request,
        page,
        "consult/proposals/list.html",
        {
            "proposals": current,
            "categories": categories,
            "category": category,
            "status_filter": status,
            "sort": sort or "newest",
            "sorts": SORTS,
            "status_filters": [
                (value, label)
                for value, label in STATUS_FILTERS
                if value != "pending" or permissions.is_signed_in(request.user)
            ],
            "filter_query": "&".join(f"{k}={v}" for k, v in query.items()),
            "filtered": bool(category or status),
        },
    )


def _proposal_or_404(request, page: ConsultationPage, proposal_id) -> Proposal:
    proposal = queries.proposal_for(request.user, page, int(proposal_id))
    if proposal is None:
        raise Http404
    return proposal


def proposal_detail(request, page: ConsultationPage, proposal_id):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    proposal = _proposal_or_404(request, page, proposal_id)
    user = request.user
    eligibility = permissions.participation_refusal(user)
    reported = permissions.is_signed_in(user) and (
        Report.objects.filter(reporter=user, proposal=proposal).exists()
    )
    own = permissions.is_author(user, proposal)
    return render(
        request,
        page,
        "consult/proposals/detail.html",
        {
            "proposal": proposal,
            "body_html": render_text(proposal.body),
            "answer_html": render_text(proposal.answer),
            "author_name": display_name(proposal.author),
            "reached_threshold": proposal.reached_threshold(page.support_threshold),
            "own": own,
            "support_refusal": eligibility or permissions.support_rule(proposal),
            "can_edit": eligibility is None
            and permissions.proposal_edit_rule(user, proposal) is None,
            "can_withdraw": permissions.can_withdraw_proposal(user, proposal),
            "can_report": eligibility is None and not own and proposal.status == "published",
            "reported": reported,
            "report_url": Links(page).route("proposal_report", proposal_id=proposal.pk),
            "reasons": ReportReason.choices,
            "discussion": discussion_context(request, page, proposal, eligibility)
            if proposal.status == "published"
            else None,
        },
    )


def proposal_create(request, page: ConsultationPage):
    refusal = permissions.proposal_refusal(request.user, page)
    if request.method == "POST" and refusal is None:
        form = ProposalForm(request.POST)
        wait = check_rate("proposal", request)
        if wait is not None:
            form.is_valid()
            return _form_page(request, page, form, None, Throttled(wait), status=429)
        if form.is_valid():
            try:
                proposal = services.submit_proposal(request.user, page, **form.cleaned_data)
            except ConsultError as error:
                return _form_page(request, page, form, None, error, status=error.status)
            if proposal.status == "pending":
                messages.success(
                    request,
                    _(
                        "Thank you! Your proposal will be published once a moderator has "
                        "checked it."
                    ),
                )
            else:
                messages.success(request, _("Thank you! Your proposal is published."))
            return redirect(Links(page).proposal(proposal.pk))
        return _form_page(request, page, form, None, None, status=400)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return _form_page(request, page, ProposalForm(), None, refusal)


def proposal_edit(request, page: ConsultationPage, proposal_id):
    proposal = _proposal_or_404(request, page, proposal_id)
    refusal = permissions.proposal_edit_refusal(request.user, proposal)
    if request.method == "POST" and refusal is None:
        form = ProposalForm(request.POST)
        wait = check_rate("proposal", request)
        if wait is not None:
            form.is_valid()
            return _form_page(request, page, form, proposal, Throttled(wait), status=429)
        if form.is_valid():
            try:
                services.edit_proposal(request.user, proposal, **form.cleaned_data)
            except ConsultError as error:
                return _form_page(request, page, form, proposal, error, status=error.status)
            messages.success(request, _("Your proposal has been changed."))
            return redirect(Links(page).proposal(proposal.pk))
        return _form_page(request, page, form, proposal, None, status=400)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    initial = {
        "title": proposal.title,
        "body": proposal.body,
        "category": proposal.category_id,
        "latitude": proposal.latitude,
        "longitude": proposal.longitude,
    }
    return _form_page(request, page, ProposalForm(initial=initial), proposal, refusal)


def _form_page(request, page, form, proposal, refusal, status: int = 200):
    return render(
        request,
        page,
        "consult/proposals/form.html",
        {"form": form, "proposal": proposal, "refusal": refusal},
        status=status,
    )


def proposal_withdraw(request, page: ConsultationPage, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proposal = _proposal_or_404(request, page, proposal_id)
    target = Links(page).proposal(proposal.pk)
    if _throttled(request, "proposal"):
        return redirect(target)
    try:
        services.withdraw_proposal(request.user, proposal)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your proposal has been withdrawn."))
    return redirect(target)


def proposal_support(request, page: ConsultationPage, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proposal = _proposal_or_404(request, page, proposal_id)
    target = _next(request, page, Links(page).proposal(proposal.pk))
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please use the support button."))
        return redirect(target)
    if _throttled(request, "support"):
        return redirect(target)
    try:
        if form.cleaned_data["action"] == "support":
            result = services.support_proposal(request.user, proposal)
            if result.changed:
                messages.success(request, _("Thank you for supporting this proposal."))
            else:
                messages.info(request, _("You already support this proposal."))
        else:
            services.withdraw_support(request.user, proposal)
            messages.success(request, _("Your support has been withdrawn."))
    except ConsultError as error:
        messages.error(request, str(error.detail))
    return redirect(target)


def proposal_report(request, page: ConsultationPage, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proposal = _proposal_or_404(request, page, proposal_id)
    return _report(request, page, proposal, Links(page).proposal(proposal.pk))


# ------------------------------------------------------------------ comments


def _comment_or_404(request, page: ConsultationPage, comment_id) -> Comment:
    comment = (
        Comment.objects.filter(page=page, pk=int(comment_id))
        .select_related("page", "author")
        .first()
    )
    if comment is None or not permissions.can_see_comment(request.user, comment):
        raise Http404
    return comment


def _comment_target(page: ConsultationPage, comment: Comment) -> str:
    links = Links(page)
    base = links.proposal(comment.proposal_id) if comment.proposal_id else links.base
    return f"{base}#comment-{comment.pk}"


def comment_create(request, page: ConsultationPage):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CommentForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    proposal_id = data.get("proposal")
    fallback = Links(page).proposal(proposal_id) if proposal_id else Links(page).base
    target = _next(request, page, fallback)
    draft = {
        "body": request.POST.get("body", "")[: int(conf.get("COMMENT_MAX_LENGTH"))],
        "proposal": proposal_id,
        "parent": data.get("parent"),
    }
    if not valid:
        messages.error(request, _("Please write your comment before you send it."))
        return redirect(f"{target}#comments")
    if _throttled(request, "comment"):
        _keep_draft(request, draft)
        return redirect(f"{target}#comments")
    try:
        comment = services.post_comment(
            request.user,
            page,
            body=data["body"],
            stance=data.get("stance") or Stance.NEUTRAL,
            parent=data.get("parent"),
            proposal=proposal_id,
        )
    except ConsultError as error:
        messages.error(request, str(error.detail))
        _keep_draft(request, draft)
        return redirect(f"{target}#comments")
    if comment.status == "pending":
        messages.success(
            request, _("Thank you! Your comment will appear once a moderator has checked it.")
        )
    else:
        messages.success(request, _("Thank you! Your comment is published."))
    return redirect(f"{target}#comment-{comment.pk}")


def comment_edit(request, page: ConsultationPage, comment_id):
    comment = _comment_or_404(request, page, comment_id)
    refusal = permissions.comment_edit_refusal(request.user, comment)
    form = CommentEditForm(initial={"body": comment.body, "stance": comment.stance})
    status = 200 if refusal is None else refusal.status
    if request.method == "POST" and refusal is None:
        form = CommentEditForm(request.POST)
        wait = check_rate("comment", request)
        if wait is not None:
            refusal, status = Throttled(wait), 429
        elif form.is_valid():
            try:
                services.edit_comment(
                    request.user,
                    comment,
                    body=form.cleaned_data["body"],
                    stance=form.cleaned_data.get("stance") or Stance.NEUTRAL,
                )
            except ConsultError as error:
                refusal, status = error, error.status
            else:
                messages.success(request, _("Your comment has been changed."))
                return redirect(_comment_target(page, comment))
        else:
            status = 400
    elif request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return render(
        request,
        page,
        "consult/comments/edit.html",
        {
            "comment": comment,
            "form": form,
            "refusal": refusal,
            "stances": Stance.choices,
            "max_length": int(conf.get("COMMENT_MAX_LENGTH")),
            "back_url": _comment_target(page, comment),
            "deadline": permissions.comment_edit_deadline(comment),
        },
        status=status,
    )


def comment_delete(request, page: ConsultationPage, comment_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = _comment_or_404(request, page, comment_id)
    target = _comment_target(page, comment)
    if _throttled(request, "comment"):
        return redirect(target)
    try:
        services.delete_comment(request.user, comment)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your comment has been removed."))
    return redirect(target)


def comment_report(request, page: ConsultationPage, comment_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = _comment_or_404(request, page, comment_id)
    return _report(request, page, comment, _comment_target(page, comment))


# --------------------------------------------------------------------- shared


def _report(request, page, item, target: str):
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose why you report this."))
        return redirect(target)
    if _throttled(request, "report"):
        return redirect(target)
    try:
        services.report(request.user, item, **form.cleaned_data)
    except InvalidContribution:
        messages.error(request, _("Please describe the problem when you choose “Something else”."))
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Thank you. The moderators will look at your report."))
    return redirect(target)


def _throttled(request, scope: str) -> bool:
    """Count one write of ``scope``; when over the limit, say so and return True."""
    wait = check_rate(scope, request)
    if wait is None:
        return False
    messages.error(request, str(Throttled(wait).detail))
    return True


def _keep_draft(request, draft: dict) -> None:
    """A refused comment's text comes back in the form after the redirect."""
    if hasattr(request, "session"):
        request.session[DRAFT_KEY] = draft


def _next(request, page: ConsultationPage, fallback: str) -> str:
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
