"""Registration only: the admin views live in ``admin_views``."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from consult.admin_views import ResultsView, can_view_results
from consult.models import ConsultationPage


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("consult/results/<int:page_id>/", ResultsView.as_view(), name="consult_results"),
    ]


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(
        content_type__app_label="consult", codename="view_results"
    )


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
