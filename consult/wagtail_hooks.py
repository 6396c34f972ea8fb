"""Registration only: the admin views live in ``consult.admin``."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from consult.admin import eligibility as eligibility_admin
from consult.admin import viewsets as consult_viewsets
from consult.admin.views import (
    ConsultationListingViewSet,
    ExportLogFormatter,
    ExportView,
    OpenConsultationsPanel,
    ResultsView,
    can_view_results,
    sees_consultations,
)
from consult.blocks import question_chooser_viewset
from consult.models import ConsultationPage


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("consult/results/<int:page_id>/", ResultsView.as_view(), name="consult_results"),
    ]


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(content_type__app_label="consult", codename="view_results")


def results_button(page, user, priority):
    if isinstance(page.specific_deferred, ConsultationPage) and can_view_results(user):
        yield Button(
            _("Results"),
            reverse("consult_results", args=[page.pk]),
            icon_name="table",
            priority=priority,
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_results_button(page, user, next_url=None):
    yield from results_button(page, user, priority=5)


@hooks.register("register_page_header_buttons")
def page_header_results_button(page, user, view_name, next_url=None):
    yield from results_button(page, user, priority=12)


# Citizens' contributions: the "Consultations" menu (moderation queue),
# proposal categories, bulk moderation and the audit log's consult.* actions.
# Other parts of the app add to the menu with the hook
# consult_viewsets.CONSULT_MENU_HOOK (see consult/viewsets.py).


@hooks.register("register_admin_viewset")
def register_consultations_menu():
    return consult_viewsets.ConsultationsMenu()


register_snippet(consult_viewsets.CategoryViewSet)

for _bulk_action in consult_viewsets.BULK_ACTIONS:
    hooks.register("register_bulk_action", _bulk_action)


@hooks.register("register_log_actions")
def register_consult_log_actions(actions):
    consult_viewsets.register_log_actions(actions)


# The editors' workspace: the consultations listing (joins the "Consultations"
# menu above through CONSULT_MENU_HOOK), the results dashboard's exports, the
# open consultations on the Wagtail dashboard, and the question chooser of the
# live results block.


@hooks.register("register_admin_viewset")
def register_editor_viewsets():
    return [ConsultationListingViewSet(), question_chooser_viewset]


@hooks.register("register_admin_urls")
def register_export_urls():
    return [
        path(
            "consult/results/<int:page_id>/export/<slug:kind>.<slug:fmt>",
            ExportView.as_view(),
            name="consult_export",
        ),
    ]


@hooks.register("construct_homepage_panels")
def add_open_consultations_panel(request, panels):
    if sees_consultations(request.user):
        panels.append(OpenConsultationsPanel())


@hooks.register("register_log_actions")
def register_export_log_action(actions):
    actions.register_action("consult.export")(ExportLogFormatter)


# Who may take part: censuses and voting codes (consult.eligibility_admin).


@hooks.register("register_admin_urls")
def register_eligibility_urls():
    return [
        path("consult/census/", eligibility_admin.census_index, name="consult_census_index"),
        path(
            "consult/census/<int:census_id>/upload/",
            eligibility_admin.census_upload,
            name="consult_census_upload",
        ),
        path(
            "consult/census/<int:census_id>/preview/",
            eligibility_admin.census_preview,
            name="consult_census_preview",
        ),
        path(
            "consult/census/<int:census_id>/import/",
            eligibility_admin.census_import,
            name="consult_census_import",
        ),
        path(
            "consult/census/entries/<int:entry_id>/release/",
            eligibility_admin.census_release,
            name="consult_census_release",
        ),
        path(
            "consult/codes/<int:page_id>/", eligibility_admin.page_codes, name="consult_page_codes"
        ),
        path(
            "consult/codes/batches/<int:batch_id>/revoke/",
            eligibility_admin.revoke_batch,
            name="consult_codes_revoke",
        ),
    ]


@hooks.register(consult_viewsets.CONSULT_MENU_HOOK)
def register_census_menu_item():
    return MenuItem(_("Census"), reverse("consult_census_index"), icon_name="group", order=400)


@hooks.register("register_permissions")
def register_eligibility_permissions():
    return Permission.objects.filter(
        content_type__app_label="consult",
        codename__in=["change_census", "add_votingcodebatch"],
    )


@hooks.register("register_page_header_buttons")
def page_header_codes_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, ConsultationPage) and user.has_perm(
        "consult.add_votingcodebatch"
    ):
        yield Button(
            _("Voting codes"),
            reverse("consult_page_codes", args=[page.pk]),
            icon_name="key",
            priority=13,
        )


@hooks.register("register_log_actions")
def register_eligibility_log_actions(actions):
    actions.register_action(
        "consult.census_release", _("Release a census entry"), _("Census entry released")
    )
    actions.register_action(
        "consult.codes_generate", _("Generate voting codes"), _("Voting codes generated")
    )
    actions.register_action(
        "consult.codes_revoke", _("Revoke voting codes"), _("Voting codes revoked")
    )
