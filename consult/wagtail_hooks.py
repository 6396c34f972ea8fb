"""Registration only: the admin views live in ``admin_views``."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from consult import viewsets as consult_viewsets
from consult.admin_views import ResultsView, can_view_results
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
    from consult.admin_views import ConsultationListingViewSet
    from consult.blocks import question_chooser_viewset

    return [ConsultationListingViewSet(), question_chooser_viewset]


@hooks.register("register_admin_urls")
def register_export_urls():
    from consult.admin_views import ExportView

    return [
        path(
            "consult/results/<int:page_id>/export/<slug:kind>.<slug:fmt>",
            ExportView.as_view(),
            name="consult_export",
        ),
    ]


@hooks.register("construct_homepage_panels")
def add_open_consultations_panel(request, panels):
    from consult.admin_views import OpenConsultationsPanel, sees_consultations

    if sees_consultations(request.user):
        panels.append(OpenConsultationsPanel())


@hooks.register("register_log_actions")
def register_export_log_action(actions):
    from consult.admin_views import ExportLogFormatter

    actions.register_action("consult.export")(ExportLogFormatter)
