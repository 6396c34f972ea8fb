"""Wagtail admin screens of the app. Registered in ``wagtail_hooks``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from consult.models import ConsultationPage
from consult.voting.tally import tally_payload

#: Sees results in the admin whatever the page's ``results_visibility``.
VIEW_RESULTS = "consult.view_results"


def can_view_results(user) -> bool:
    return user.has_perm(VIEW_RESULTS)


class ResultsView(WagtailAdminTemplateMixin, TemplateView):
    """Every question's tally of one consultation, hidden results included."""

    template_name = "consult/admin/results.html"
    header_icon = "table"
    page_title = _("Results")

    def dispatch(self, request, page_id: int):
        if not can_view_results(request.user):
            raise PermissionDenied
        self.consultation = get_object_or_404(ConsultationPage, pk=page_id)
        return super().dispatch(request, page_id)

    def get_page_subtitle(self):
        return self.consultation.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_explore", args=[self.consultation.pk]),
                "label": self.consultation.title,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        questions = self.consultation.questions.prefetch_related("options")
        context["consultation"] = self.consultation
        context["tallies"] = [
            {"question": question, "tally": tally_payload(question)} for question in questions
        ]
        return context
