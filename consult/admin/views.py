"""Wagtail admin screens of the app. Registered in ``wagtail_hooks``.

- the consultations listing (``ConsultationListingViewSet``), sortable by
  status, turnout and contributions: the first item of the "Consultations"
  admin menu (``consult.admin.viewsets.ConsultationsMenu``), which it joins through
  ``CONSULT_MENU_HOOK``;
- the results dashboard of one consultation (``ResultsView``, URL name
  ``consult_results``, permission ``consult.view_results``) and its exports
  (``ExportView``);
- the summary of open consultations on the Wagtail dashboard
  (``OpenConsultationsPanel``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import PageStatusColumn, PageTitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.log_actions import LogFormatter
from wagtail.log_actions import log as log_action
from wagtail.permission_policies.pages import PagePermissionPolicy

from consult.admin import dashboard
from consult.admin.exports import DATASETS, FORMATS, export_response
from consult.admin.viewsets import CONSULT_MENU_HOOK
from consult.models import ConsultationPage
from consult.voting import translations
from consult.voting.tally import tally_payload

#: Sees results in the admin whatever the page's ``results_visibility``.
VIEW_RESULTS = "consult.view_results"

#: Who may download which export, besides holders of ``consult.view_results``.
EXPORT_PERMISSIONS = {
    "results": (),
    "ballots": (),
    "proposals": ("consult.view_proposal",),
    "comments": ("consult.view_comment",),
}
EXPORT_LABELS = {
    "results": _("Results"),
    "ballots": _("Anonymised ballots"),
    "proposals": _("Proposals"),
    "comments": _("Comments"),
}
EXPORT_HELP = {
    "results": _("Each question's tally, one row per choice."),
    "ballots": _(
        "Every ballot as stored, in random order, with no voter and no time: "
        "enough to recount every question."
    ),
    "proposals": _("Text, status, category and supports. Authors by display name only."),
    "comments": _("Text, stance and status. Authors by display name only."),
}


def can_view_results(user) -> bool:
    return user.has_perm(VIEW_RESULTS)


def can_export(user, kind: str) -> bool:
    """Results and ballots need ``consult.view_results``; proposals and
    comments also open to their moderators (``consult.view_proposal`` /
    ``consult.view_comment``)."""
    if kind not in EXPORT_PERMISSIONS:
        return False
    if can_view_results(user):
        return True
    return any(user.has_perm(permission) for permission in EXPORT_PERMISSIONS[kind])


def can_edit_pages(user) -> bool:
    return PagePermissionPolicy().user_has_any_permission(user, {"add", "change", "publish"})


def sees_consultations(user) -> bool:
    """Whether the consultations summary concerns ``user``: editors, results
    readers and moderators."""
    return (
        can_view_results(user)
        or can_edit_pages(user)
        or user.has_perm("consult.change_proposal")
        or user.has_perm("consult.change_comment")
    )


# --------------------------------------------------------------------------
# The results dashboard and its exports.


class ResultsView(WagtailAdminTemplateMixin, TemplateView):
    """The results dashboard of one consultation, hidden results included:
    every question's tally (chart and data table), turnout over time,
    contributions by status, and the exports."""

    template_name = "consult/admin/results.html"
    header_icon = "table"
    page_title = _("Results")

    def dispatch(self, request, page_id: int):
        if not can_view_results(request.user):
            raise PermissionDenied
        self.consultation = get_object_or_404(ConsultationPage, pk=page_id)
        return super().dispatch(request, page_id)

    def get_page_title(self):
        # The slim header of breadcrumbed views shows no subtitle: name the
        # consultation in the title itself.
        return _("Results: %(title)s") % {"title": self.consultation.title}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("consult_consultations:index"),
                "label": ConsultationPage._meta.verbose_name_plural.capitalize(),
            },
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.consultation.pk]),
                "label": self.consultation.title,
            },
            {"url": "", "label": _("Results")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.consultation
        questions = page.questions.prefetch_related("options")
        bucket = dashboard.choose_bucket(page, self.request.GET.get("bucket"))
        context.update(
            {
                "consultation": page,
                "summary": dashboard.consultation_summary(page),
                "tallies": [
                    {
                        "question": question,
                        "tally": tally_payload(question),
                        "prefix": f"q{question.pk}-",
                    }
                    for question in questions
                ],
                "bucket": bucket,
                "bucket_choices": [("hour", _("By hour")), ("day", _("By day"))],
                "turnout": dashboard.turnout_over_time(page, bucket),
                "by_status": self.by_status(),
                "exports": self.exports(),
                "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                "live_url": page.url if page.live else "",
                "original": self.original(),
            }
        )
        return context

    def by_status(self) -> list[dict[str, Any]]:
        """Proposals (with a bar) and comments per moderation status."""
        comments = dashboard.comments_by_status(self.consultation)
        return [
            {**row, "comments": comments.get(row["status"], 0)}
            for row in dashboard.proposals_by_status(self.consultation)
        ]

    def original(self) -> dict[str, str] | None:
        """For a translation: the consultation whose questions hold its ballots."""
        if not translations.is_translation(self.consultation):
            return None
        source = translations.source_page(self.consultation)
        return {"title": source.title, "url": reverse("consult_results", args=[source.pk])}

    def exports(self) -> list[dict[str, Any]]:
        user = self.request.user
        return [
            {
                "kind": kind,
                "label": EXPORT_LABELS[kind],
                "help": EXPORT_HELP[kind],
                "links": [
                    (fmt.upper(), reverse("consult_export", args=[self.consultation.pk, kind, fmt]))
                    for fmt in FORMATS
                ],
            }
            for kind in DATASETS
            if can_export(user, kind)
        ]


class ExportView(View):
    """Downloads one export of a consultation; every download is logged in
    the page's history (who, what, which format)."""

    def get(self, request, page_id: int, kind: str, fmt: str):
        if kind not in DATASETS or fmt not in FORMATS:
            raise Http404
        if not can_export(request.user, kind):
            raise PermissionDenied
        page = get_object_or_404(ConsultationPage, pk=page_id)
        log_action(
            instance=page,
            action="consult.export",
            user=request.user,
            data={"kind": kind, "format": fmt},
        )
        return export_response(page, kind, fmt)


class ExportLogFormatter(LogFormatter):
    label = _("Export")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Exported %(kind)s as %(format)s") % {
            "kind": EXPORT_LABELS.get(data.get("kind"), data.get("kind", "")),
            "format": str(data.get("format", "")).upper(),
        }


# --------------------------------------------------------------------------
# The consultations listing.


class ConsultationIndexView(PageIndexView):
    """Wagtail's flat page listing, with each consultation's figures."""

    def get_base_queryset(self):
        return dashboard.annotate_stats(super().get_base_queryset())

    def get_table(self, object_list):
        per_question = dashboard.ballots_per_question([page.pk for page in object_list])
        for page in object_list:
            page.consult_ballots_per_question = per_question.get(page.pk, [])
        return super().get_table(object_list)


def _ballots_cell(page) -> str:
    questions = getattr(page, "consult_ballots_per_question", [])
    total = getattr(page, "ballots_total", 0)
    if len(questions) <= 1:
        return str(total)
    return format_html(
        '{}<ul class="consult-listing-questions">{}</ul>',
        total,
        format_html_join(
            "",
            '<li><span title="{}">{}</span>: {}</li>',
            ((title, Truncator(title).chars(28), ballots) for title, ballots in questions),
        ),
    )


class ResultsLinkColumn(Column):
    cell_template_name = "consult/admin/results_link_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if request is not None and can_view_results(request.user):
            context["results_url"] = reverse("consult_results", args=[instance.pk])
        return context


class _ListingMenuItem(MenuItem):
    """Shown to the people the listing lets in: those with page permissions."""

    def is_shown(self, request):
        return PagePermissionPolicy().user_has_any_permission(
            request.user, PageIndexView.any_permission_required
        )


class ConsultationListingViewSet(PageListingViewSet):
    model = ConsultationPage
    name = "consult_consultations"
    url_prefix = "consult/consultations"
    icon = "list-ul"
    menu_icon = "list-ul"
    menu_label = _("All consultations")
    menu_name = "consult-consultations"
    menu_order = 50
    # Joins the "Consultations" menu of consult.admin.viewsets.
    add_to_admin_menu = True
    menu_hook = CONSULT_MENU_HOOK
    menu_item_class = _ListingMenuItem
    index_view_class = ConsultationIndexView
    ordering = "status_rank"
    columns = [
        PageTitleColumn(
            "title", label=_("Title"), sort_key="title", classname="title", width="22%"
        ),
        Column(
            "consult_status", label=_("Status"), accessor="status_label", sort_key="status_rank"
        ),
        Column("voters", label=_("Voters"), sort_key="voters"),
        Column(
            "ballots",
            label=_("Ballots per question"),
            accessor=_ballots_cell,
            sort_key="ballots_total",
        ),
        Column("proposal_count", label=_("Proposals"), sort_key="proposal_count"),
        Column("comment_count", label=_("Comments"), sort_key="comment_count"),
        Column("pending_count", label=_("Awaiting moderation"), sort_key="pending_count"),
        ResultsLinkColumn("results", label=_("Results")),
        PageStatusColumn("status", label=_("Publication"), sort_key="live"),
    ]


# --------------------------------------------------------------------------
# The Wagtail dashboard.


class OpenConsultationsPanel(Component):
    """Consultations taking proposals or votes now, with their figures."""

    name = "consult_open_consultations"
    template_name = "consult/admin/home_panel.html"
    order = 150

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        user = request.user
        results = can_view_results(user)
        editor = can_edit_pages(user)
        rows = []
        for page in dashboard.open_consultations()[:10]:
            rows.append(
                {
                    "page": page,
                    "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk])
                    if editor
                    else "",
                    "results_url": reverse("consult_results", args=[page.pk]) if results else "",
                }
            )
        context.update(
            {
                "consultations": rows,
                "listing_url": reverse("consult_consultations:index"),
                "request": request,
            }
        )
        return context
