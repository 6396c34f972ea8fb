from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from consult import privacy
from consult.actor import Actor
from consult.api import errors
from consult.api.authentication import ApiTokenAuthentication, TokenScope
from consult.api.pagination import Pagination
from consult.api.schema import ballot_examples, ballot_request, document
from consult.api.serializers import (
    ConsultationDetailSerializer,
    ConsultationSerializer,
    ErrorSerializer,
    OwnBallotSerializer,
    TallySerializer,
)
from consult.exceptions import NoBallot, NotAuthenticated, ResultsHidden
from consult.models import Question, Tally
from consult.voting import presenter, services, translations
from consult.voting.lookup import live_question

STATUSES = ("upcoming", "proposals", "voting", "closed")
ERROR = OpenApiResponse(ErrorSerializer, description="`{code, detail}`")


class ConsultAPIView(APIView):
    """Base of every API view: its policies are set here, not read from the
    host's ``REST_FRAMEWORK`` settings, so the API behaves the same on every site."""

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    # Token first: an unauthenticated request then gets 401 with a
    # WWW-Authenticate challenge rather than a bare 403.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [AllowAny, TokenScope]
    # Write limits are the services' (consult.ratelimit), for every entry point.
    throttle_classes: list = []
    schema = AutoSchema()

    def get_exception_handler(self):
        return errors.exception_handler


@csrf_exempt  # it changes nothing; a write to a wrong address should still say 404
def not_found(request, *args, **kwargs):
    """Unknown API paths answer like every other API error, not with an HTML page."""
    return JsonResponse(
        {"code": "not_found", "detail": _("There is no API endpoint at this address.")},
        status=404,
    )


class ConsultationListView(ConsultAPIView, generics.ListAPIView):
    """Published consultations, newest first, paginated."""

    serializer_class = ConsultationSerializer
    pagination_class = Pagination

    def get_queryset(self):
        pages = privacy.live_consultations(self.request).order_by("-first_published_at", "-pk")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in STATUSES:
                raise exceptions.ValidationError(
                    {"status": _("Must be one of: %(values)s.") % {"values": ", ".join(STATUSES)}}
                )
            pages = pages.with_status(wanted)
        return pages

    @document(
        parameters=[OpenApiParameter("status", enum=STATUSES, required=False)],
        responses={200: ConsultationSerializer(many=True), 400: ERROR, 404: ERROR},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConsultationDetailView(ConsultAPIView):
    """One published consultation with its questions and their options."""

    @document(responses={200: ConsultationDetailSerializer, 404: ERROR})
    def get(self, request, page_id: int):
        page = get_object_or_404(
            privacy.live_consultations(request).prefetch_related("questions__options"), pk=page_id
        )
        return Response(ConsultationDetailSerializer(page, context={"request": request}).data)


class TallyView(ConsultAPIView):
    """The question's current results. The ``ETag`` changes with the tally's
    ``version``: send it back in ``If-None-Match`` to get 304 while nothing changed."""

    @document(responses={200: TallySerializer, 304: None, 403: ERROR, 404: ERROR})
    def get(self, request, question_id: int):
        question = live_question(question_id)
        privacy.require_visible(Actor.from_request(request), question.page)
        if not presenter.results_visible(question.page):
            raise ResultsHidden()
        shared = translations.shared_question(question)
        version, ballots = Tally.objects.filter(question=shared).values_list(
            "version", "ballots"
        ).first() or (0, 0)
        if not presenter.tally_visible(question.page, ballots):
            raise ResultsHidden()
        etag = f'"{question.pk}-{version}"'
        if etag in request.headers.get("If-None-Match", ""):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(presenter.present(question, shared).tally)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True)
        return response


class BallotView(ConsultAPIView):
    """The requesting voter's own ballot on one question."""

    def representation(self, question: Question, content: dict | None, receipt: str) -> dict:
        return {
            "question": question.pk,
            "method": question.method,
            "ballot": content or None,
            "receipt": receipt,
        }

    @document(responses={200: OwnBallotSerializer, 401: ERROR, 403: ERROR, 404: ERROR})
    def get(self, request, question_id: int):
        question = live_question(question_id)
        actor = Actor.from_request(request)
        privacy.require_visible(actor, question.page)
        if not actor.signed_in:
            raise NotAuthenticated()
        content = services.own_ballot(actor, question)
        receipt = services.own_receipt(actor, question)
        if content is None or receipt is None:
            raise NoBallot()
        return Response(self.representation(question, content, receipt))

    @document(
        request=ballot_request(),
        examples=ballot_examples(),
        responses={
            200: OwnBallotSerializer,
            201: OwnBallotSerializer,
            400: ERROR,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
            429: ERROR,
        },
        description="Cast a ballot (201) or replace your ballot (200). The body depends on "
        "the question's voting method.",
    )
    def post(self, request, question_id: int):
        question = live_question(question_id, voter=request.user)
        result = services.cast_ballot(request, question, request.data)
        shown = None if question.page.ballot_secrecy == "secret" else result.content
        return Response(
            self.representation(question, shown, result.receipt),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @document(responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 429: ERROR})
    def delete(self, request, question_id: int):
        question = live_question(question_id, voter=request.user)
        services.retract_ballot(request, question)
        return Response(status=status.HTTP_204_NO_CONTENT)
