"""Wagtail admin: the "Consultations" menu and the moderation queue.

The "Consultations" menu is one ``ViewSetGroup`` (``ConsultationsMenu``),
registered in ``wagtail_hooks``. Other parts of the app add items to it
without touching this module, either by

* registering a hook that returns a ``wagtail.admin.menu.MenuItem``::

      @hooks.register(CONSULT_MENU_HOOK)
      def register_results_item():
          return MenuItem(_("Results"), reverse("..."), icon_name="table", order=300)

* or giving a ``ViewSet`` ``menu_hook = CONSULT_MENU_HOOK`` and
  ``add_to_admin_menu = True`` (as ``CategoryViewSet`` below does).

The moderation queue is two model viewsets, proposals and comments: filters
by status, consultation and open reports; bulk approve / reject / hide
(Wagtail bulk actions with a moderator's note, ``ModerationBulkAction``);
each item's history lists the ``consult.*`` log entries. Every decision goes
through ``consult.contributions.moderation``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.snippets.views.snippets import SnippetViewSet

from consult import permissions
from consult.contributions import moderation
from consult.contributions.authors import display_name
from consult.models import Category, Comment, ConsultationPage, Proposal, Report
from consult.models.proposals import ContributionStatus

#: Hook name for items of the "Consultations" admin menu.
CONSULT_MENU_HOOK = "register_consult_menu_item"


# ------------------------------------------------------------------ filters


def _open_reports(model) -> Exists:
    return Exists(
        Report.objects.filter(**{model._meta.model_name: OuterRef("pk")}, resolved_at__isnull=True)
    )


class ModerationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ContributionStatus.choices, empty_label=_("Any status")
    )
    page = django_filters.ModelChoiceFilter(
        label=_("Consultation"),
        queryset=ConsultationPage.objects.order_by("title"),
        empty_label=_("Any consultation"),
    )
    reported = django_filters.BooleanFilter(
        label=_("Reported"),
        method="filter_reported",
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("With open reports")), ("false", _("Without"))]
        ),
    )

    def filter_reported(self, queryset, name, value):
        if value is None:
            return queryset
        reported = _open_reports(queryset.model)
        return queryset.filter(reported) if value else queryset.exclude(reported)


class ProposalFilterSet(ModerationFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Any category")
    )

    class Meta:
        model = Proposal
        fields = ["status", "page", "category", "reported"]


class CommentFilterSet(ModerationFilterSet):
    class Meta:
        model = Comment
        fields = ["status", "page", "reported"]


# ------------------------------------------------------------ listing views


class ModerationIndexView(generic.IndexView):
    """A moderation listing: a checkbox per row for the bulk actions, and
    approve / reject / hide links per row (through the same bulk action views)."""

    template_name = "consult/admin/moderation_index.html"
    default_ordering = "-created_at"
    obj_type = ""

    def get_base_queryset(self):
        model = self.model
        open_reports = Count("reports", filter=Q(reports__resolved_at__isnull=True), distinct=True)
        return (
            super()
            .get_base_queryset()
            .select_related("page", "author")
            .annotate(open_reports=open_reports)
            .order_by(*model._meta.ordering)
        )

    @cached_property
    def columns(self):
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type=self.obj_type), *super().columns]

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return super()._get_title_column(
            field_name,
            column_class,
            get_title_id=lambda instance: f"{self.obj_type}_{instance.pk}_title",
            **kwargs,
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not permissions.can_moderate(self.request.user, self.model):
            return buttons
        next_url = self.request.get_full_path()
        for priority, action in enumerate(("approve", "reject", "hide"), start=1):
            if moderation.allowed(instance, action) and (
                action != "approve" or instance.status != "published"
            ):
                url = reverse(
                    "wagtail_bulk_action",
                    args=["consult", self.model._meta.model_name, action],
                )
                buttons.append(
                    ListingButton(
                        moderation.ACTIONS[action].label,
                        f"{url}?{urlencode({'id': instance.pk, 'next': next_url})}",
                        icon_name={"approve": "check", "reject": "cross", "hide": "no-view"}[
                            action
                        ],
                        priority=priority,
                    )
                )
        return buttons


def _author(instance) -> str:
    return display_name(instance.author)


class ProposalIndexView(ModerationIndexView):
    obj_type = "proposal"


class CommentIndexView(ModerationIndexView):
    obj_type = "comment"


class ModerationInspectView(generic.InspectView):
    """Adds the item's reports (reason, details, open or resolved)."""

    def get_field_label(self, field_name, field):
        if field_name == "reports":
            return _("Reports")
        return super().get_field_label(field_name, field)

    def get_reports_display_value(self):
        reports = [
            "{reason}{details} ({state})".format(
                reason=report.get_reason_display(),
                details=f": {report.details}" if report.details else "",
                state=_("resolved") if report.resolved_at else _("open"),
            )
            for report in self.object.reports.order_by("created_at")
        ]
        return "; ".join(reports) or "-"


class ProposalEditView(generic.EditView):
    """Editors file a proposal under a category and give it the official answer."""

    def save_instance(self):
        data = self.form.cleaned_data
        proposal = Proposal.objects.select_related("page").get(pk=self.object.pk)
        if "category" in data:
            moderation.set_category(self.request.user, proposal, data["category"])
        if "answer" in data:
            moderation.answer_proposal(self.request.user, proposal, data["answer"])
        return proposal


# --------------------------------------------------------------- viewsets


class ModerationViewSet(ModelViewSet):
    """No add, copy or delete: citizens write, moderators decide."""

    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = ModerationInspectView
    list_per_page = 50

    #: Views this viewset does not serve (their URLs are neither routed nor linked).
    disabled_views = ("add", "delete", "copy")

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in self.disabled_views:
            view_kwargs[f"{name}_url_name"] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in self.disabled_views
        ]

    def get_permissions_to_register(self):
        return (
            super()
            .get_permissions_to_register()
            .filter(codename__in=[f"view_{self.model_name}", f"change_{self.model_name}"])
        )


class ProposalViewSet(ModerationViewSet):
    model = Proposal
    name = "consult_proposals"
    url_prefix = "consult/proposals"
    icon = "pick"
    menu_label = _("Proposals")
    menu_order = 100
    index_view_class = ProposalIndexView
    edit_view_class = ProposalEditView
    filterset_class = ProposalFilterSet
    search_fields = ["title", "body"]
    list_display = [
        "title",
        Column("page", label=_("Consultation"), accessor="page.title"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column("author", label=_("Author"), accessor=_author),
        Column("supports", label=_("Supports"), sort_key="supports"),
        Column("open_reports", label=_("Open reports"), sort_key="open_reports"),
        DateColumn("created_at", label=_("Submitted"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "title",
        "body",
        "page",
        "category",
        "status",
        "supports",
        "latitude",
        "longitude",
        "answer",
        "answered_at",
        "moderator_note",
        "moderated_at",
        "created_at",
        "reports",
    ]
    edit_handler = ObjectList(
        [
            HelpPanel(template="consult/admin/proposal_summary.html", heading=_("Proposal")),
            FieldPanel("category"),
            FieldPanel("answer"),
        ]
    )


class CommentViewSet(ModerationViewSet):
    model = Comment
    name = "consult_comments"
    url_prefix = "consult/comments"
    icon = "comment"
    menu_label = _("Comments")
    menu_order = 200
    index_view_class = CommentIndexView
    filterset_class = CommentFilterSet
    search_fields = ["body"]
    form_fields = ["stance"]  # no edit view is linked; the form class needs a field
    list_display = [
        "body",
        Column("page", label=_("Consultation"), accessor="page.title"),
        Column("proposal", label=_("Proposal"), accessor="proposal_id"),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column("author", label=_("Author"), accessor=_author),
        Column("open_reports", label=_("Open reports"), sort_key="open_reports"),
        DateColumn("created_at", label=_("Posted"), sort_key="created_at"),
    ]
    inspect_view_fields = [
        "body",
        "page",
        "proposal",
        "parent",
        "stance",
        "status",
        "edited_at",
        "deleted_at",
        "moderator_note",
        "moderated_at",
        "created_at",
        "reports",
    ]

    disabled_views = ("add", "delete", "copy", "edit")


class CategoryViewSet(SnippetViewSet):
    """Proposal categories: a snippet, listed in the "Consultations" menu."""

    model = Category
    icon = "tag"
    menu_label = _("Categories")
    menu_order = 300
    add_to_admin_menu = True
    menu_hook = CONSULT_MENU_HOOK
    list_display = ["name", "slug"]
    search_fields = ["name"]


class ConsultationsMenu(ViewSetGroup):
    """The "Consultations" admin menu (see the module docstring to add to it)."""

    menu_label = _("Consultations")
    menu_icon = "group"
    menu_name = "consultations"
    menu_order = 250
    submenu_hook = CONSULT_MENU_HOOK
    items = (ProposalViewSet, CommentViewSet)


# ------------------------------------------------------------- bulk actions


class ModerationForm(forms.Form):
    note = forms.CharField(
        label=_("Moderator's note"),
        required=False,
        max_length=moderation.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Kept in the item's history and sent to the author by email."),
    )


class ModerationBulkAction(BulkAction):
    """Approve, reject or hide the selected proposals or comments, with a note."""

    models = [Proposal, Comment]
    form_class = ModerationForm
    template_name = "consult/admin/bulk_moderate.html"
    moderation_action = ""

    def check_perm(self, obj) -> bool:
        return permissions.can_moderate(self.request.user, type(obj)) and moderation.allowed(
            obj, self.moderation_action
        )

    @classmethod
    def get_queryset(cls, model, object_ids):
        # Ids come from the query string: anything but a plain id is left out
        # (Wagtail's default would fail on it), and nothing left is a 404.
        ids = [str(value) for value in object_ids]
        ids = [
            int(value) for value in ids if value.isascii() and value.isdigit() and len(value) <= 18
        ]
        objects = list(
            model.objects.filter(pk__in=ids).select_related("page", "author").order_by("pk")
        )
        if not objects:
            raise Http404
        return objects

    def get_all_objects_in_listing_query(self, parent_id):
        # "All in listing": the listing's filters come along in the query string.
        filterset = {Proposal: ProposalFilterSet, Comment: CommentFilterSet}[self.model]
        queryset = filterset(self.request.GET, queryset=self.model.objects.all()).qs
        return queryset.values_list("pk", flat=True)

    def object_context(self, obj):
        viewset = {Proposal: "consult_proposals", Comment: "consult_comments"}[type(obj)]
        return {
            "item": obj,
            "inspect_url": reverse(f"{viewset}:inspect", args=[obj.pk]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = moderation.ACTIONS[self.moderation_action]
        context["verbose_name_plural"] = self.model._meta.verbose_name_plural
        return context

    def get_execution_context(self):
        return {
            "user": self.request.user,
            "note": self.cleaned_form.cleaned_data.get("note", ""),
        }

    @classmethod
    def execute_action(cls, objects, user=None, note="", **kwargs):
        return moderation.moderate_many(user, objects, cls.moderation_action, note)

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = ngettext(
            "%(count)d item: %(action)s.",
            "%(count)d items: %(action)s.",
            num_parent_objects,
        ) % {"count": num_parent_objects, "action": moderation.ACTIONS[self.moderation_action].past}
        if num_child_objects:
            message += " " + ngettext(
                "%(count)d item had changed meanwhile and was left as it is.",
                "%(count)d items had changed meanwhile and were left as they are.",
                num_child_objects,
            ) % {"count": num_child_objects}
        return message


class ApproveBulkAction(ModerationBulkAction):
    display_name = _("Approve")
    action_type = "approve"
    aria_label = _("Approve the selected items")
    moderation_action = "approve"
    action_priority = 10


class RejectBulkAction(ModerationBulkAction):
    display_name = _("Reject")
    action_type = "reject"
    aria_label = _("Reject the selected items")
    moderation_action = "reject"
    action_priority = 20
    classes = {"serious"}


class HideBulkAction(ModerationBulkAction):
    display_name = _("Hide")
    action_type = "hide"
    aria_label = _("Hide the selected items")
    moderation_action = "hide"
    action_priority = 30
    classes = {"serious"}


BULK_ACTIONS = (ApproveBulkAction, RejectBulkAction, HideBulkAction)


# ---------------------------------------------------------------- audit log


class ModerationLogFormatter(LogFormatter):
    """The decision, with the moderator's note: in the message (the history of
    models without revisions shows no comments) and as the entry's comment."""

    def format_message(self, log_entry):
        note = self.format_comment(log_entry)
        if not note:
            return self.message
        return _("%(decision)s. Note: %(note)s") % {"decision": self.message, "note": note}

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("note", "")


def register_log_actions(actions) -> None:
    """The ``consult.*`` actions of Wagtail's audit log (``register_log_actions`` hook)."""
    for name, action in moderation.ACTIONS.items():
        formatter = type(
            f"{name.title()}LogFormatter",
            (ModerationLogFormatter,),
            {"label": action.label, "message": action.past},
        )
        actions.register_action(f"consult.{name}")(formatter)
    actions.register_action("consult.answer", _("Answer a proposal"), _("Official answer given"))
