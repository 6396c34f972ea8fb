"""Pages for proving eligibility: the census claim and the voting-code login.

Plain form POSTs (JavaScript off), the same rules and limits as the API:
``consult.eligibility.services`` decides and counts attempts.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from consult import conf, privacy
from consult.actor import Actor
from consult.eligibility import services
from consult.exceptions import ConsultError
from consult.models import ConsultationPage


def _page(request, page_id: int) -> ConsultationPage:
    page = get_object_or_404(ConsultationPage.objects.live().specific(), pk=page_id)
    privacy.require_visible(Actor.from_request(request), page)
    return page


def eligibility_context(page: ConsultationPage, user) -> dict:
    return {"summary": services.summary(page), "document": services.document(user, page)}


def claim(request, page_id: int):
    page = _page(request, page_id)
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.claim_census(
                Actor.from_request(request),
                page,
                request.POST.get("identifier", ""),
                request.POST.get("birth_date", ""),
            )
        except ConsultError as refusal:
            error, status = str(refusal.detail), refusal.status
        else:
            messages.success(request, _("Thank you: you are confirmed in the census."))
            return redirect(page.url)
    return TemplateResponse(
        request,
        "consult/eligibility/claim.html",
        {
            "page": page,
            "error": error,
            "uses_census": bool(services.census_names(page)),
            "eligibility": eligibility_context(page, request.user),
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
        status=status,
    )


def code_login(request, page_id: int):
    page = _page(request, page_id)
    error = None
    status = 200
    if request.method == "POST":
        try:
            user = services.code_login(
                Actor.from_request(request), page, request.POST.get("code", "")
            )
        except ConsultError as refusal:
            error, status = str(refusal.detail), refusal.status
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("You are signed in for this consultation."))
            return redirect(page.url)
    return TemplateResponse(
        request,
        "consult/eligibility/code_login.html",
        {
            "page": page,
            "error": error,
            # The QR code on a letter carries the code: it is typed in for the holder.
            "prefill": request.GET.get("code", "")[:100] if request.method == "GET" else "",
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
        status=status,
    )
