"""Who may take part, over the API: the eligibility document, census claims,
voting-code logins. The rules live in ``consult.eligibility.services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from consult import privacy
from consult.actor import Actor
from consult.api.schema import document
from consult.api.serializers import ErrorSerializer
from consult.api.views import ConsultAPIView
from consult.eligibility import services
from consult.exceptions import ConsultError
from consult.models import ConsultationPage

ERROR = OpenApiResponse(ErrorSerializer, description="`{code, detail}`")

EligibilitySerializer = inline_serializer(
    "Eligibility",
    {
        "eligible": serializers.BooleanField(),
        "actions": inline_serializer(
            "EligibilityActions",
            {
                name: serializers.BooleanField()
                for name in ("vote", "propose", "comment", "support")
            },
        ),
        "unmet": inline_serializer(
            "UnmetRule",
            {
                "rule": serializers.CharField(),
                "detail": serializers.CharField(),
                "action_url": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    },
)

ClaimRequest = inline_serializer(
    "CensusClaim",
    {
        "census": inline_serializer(
            "CensusDetails",
            {"identifier": serializers.CharField(), "birth_date": serializers.DateField()},
        )
    },
)


class Invalid(ConsultError):
    code = "invalid"
    status = 400


def _page(request, page_id: int) -> ConsultationPage:
    page = get_object_or_404(ConsultationPage.objects.live(), pk=page_id)
    privacy.require_visible(Actor.from_request(request), page)
    return page


class EligibilityView(ConsultAPIView):
    """What the requester may do on the consultation, and what to do about the rest."""

    @document(responses={200: EligibilitySerializer, 404: ERROR})
    def get(self, request, page_id: int):
        return Response(services.document(request.user, _page(request, page_id)))

    @document(
        request=ClaimRequest,
        responses={
            200: EligibilitySerializer,
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
            429: ERROR,
        },
        description="Claim your census entry (once; it binds to your account for good).",
    )
    def post(self, request, page_id: int):
        page = _page(request, page_id)
        details = request.data.get("census") if isinstance(request.data, dict) else None
        if not isinstance(details, dict):
            raise Invalid('Send {"census": {"identifier": "...", "birth_date": "YYYY-MM-DD"}}.')
        result = services.claim_census(
            Actor.from_request(request), page, details.get("identifier"), details.get("birth_date")
        )
        return Response(result)


class CodeLoginView(ConsultAPIView):
    """Sign in with a voting code: a participant of this consultation only."""

    @document(
        request=inline_serializer("CodeLogin", {"code": serializers.CharField()}),
        responses={200: EligibilitySerializer, 400: ERROR, 403: ERROR, 404: ERROR, 429: ERROR},
    )
    def post(self, request, page_id: int):
        page = _page(request, page_id)
        code = request.data.get("code") if isinstance(request.data, dict) else None
        user = services.code_login(Actor.from_request(request), page, code)
        login(request._request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return Response(services.document(user, page))
