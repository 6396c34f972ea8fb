"""A consultation's proposal pages: list, detail, submit, edit, withdraw, support, report."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from consult import permissions
from consult.contributions import queries, services
from consult.contributions.authors import display_name
from consult.contributions.forms import (
    ProposalForm,
    SupportForm,
)
from consult.contributions.text import render_text
from consult.exceptions import ConsultError
from consult.models import ConsultationPage, Proposal, Report
from consult.models.comments import ReportReason
from consult.views.common import Links, discussion_context, next_url, render, report

PROPOSALS_PER_PAGE = 20
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
    eligibility = permissions.participation_refusal(user, page, "comment")
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
        if form.is_valid():
            try:
                proposal = services.submit_proposal(request, page, **form.cleaned_data)
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
        if form.is_valid():
            try:
                services.edit_proposal(request, proposal, **form.cleaned_data)
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
    try:
        services.withdraw_proposal(request, proposal)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your proposal has been withdrawn."))
    return redirect(target)


def proposal_support(request, page: ConsultationPage, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proposal = _proposal_or_404(request, page, proposal_id)
    target = next_url(request, page, Links(page).proposal(proposal.pk))
    form = SupportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please use the support button."))
        return redirect(target)
    try:
        if form.cleaned_data["action"] == "support":
            result = services.support_proposal(request, proposal)
            if result.changed:
                messages.success(request, _("Thank you for supporting this proposal."))
            else:
                messages.info(request, _("You already support this proposal."))
        else:
            services.withdraw_support(request, proposal)
            messages.success(request, _("Your support has been withdrawn."))
    except ConsultError as error:
        messages.error(request, str(error.detail))
    return redirect(target)


def proposal_report(request, page: ConsultationPage, proposal_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    proposal = _proposal_or_404(request, page, proposal_id)
    return report(request, page, proposal, Links(page).proposal(proposal.pk))
