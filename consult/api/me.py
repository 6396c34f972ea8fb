"""The requester's own data: ``GET me/data/`` (download) and ``DELETE me/``."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response

from consult.api.schema import document
from consult.api.serializers import ErrorSerializer
from consult.api.views import ConsultAPIView
from consult.personal_data import services

ERROR = OpenApiResponse(ErrorSerializer, description="`{code, detail}`")


class SessionOnly(ConsultAPIView):
    """Your personal data and your account are for you in the browser, not for
    an app holding one of your API tokens: a token does not sign you in here."""

    authentication_classes = [SessionAuthentication]


class MyDataView(SessionOnly):
    """Everything the app holds about you, as a JSON file (signed-in session only)."""

    @document(responses={200: OpenApiResponse(description="JSON"), 401: ERROR, 403: ERROR})
    def get(self, request):
        response = Response(services.export(request.user))
        response["Content-Disposition"] = 'attachment; filename="my-consultation-data.json"'
        response["Cache-Control"] = "no-store"
        return response


class MeView(SessionOnly):
    """Delete your account (signed-in session only): your ballots stay counted
    and can no longer be tied to you."""

    @document(responses={204: None, 401: ERROR, 403: ERROR})
    def delete(self, request):
        services.delete_account(request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
