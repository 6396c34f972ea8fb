"""The verifiable-results endpoints (SPEC §11): a question's ballot log, a
receipt's status, a consultation's signed results bundle and the public key
that signs it. The rules (what is visible, what a bundle holds) live in
``consult.voting.presenter`` and ``consult.ledger``; these views translate."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.response import Response

from consult import privacy
from consult.actor import Actor
from consult.api.schema import document
from consult.api.views import ERROR, ConsultAPIView
from consult.exceptions import ResultsHidden, UnknownReceipt
from consult.ledger import bundle, log, receipts, signing
from consult.voting import presenter, translations
from consult.voting.lookup import live_question
from consult.voting.tally import tally_payload, turnout_payload


class LogSerializer(serializers.Serializer):
    """Documents the log document of SPEC §11."""

    definition = serializers.DictField()
    entries = serializers.ListField(child=serializers.DictField())
    head = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    consultation = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="the latest log entry with this receipt's hash")
    status = serializers.CharField(help_text="`counted` or `withdrawn`")


class KeySerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="base64 of the 32 raw bytes")


class LogView(ConsultAPIView):
    """A question's public ballot log, streamed: ``{"definition", "entries",
    "head"}``, entries one per line. A translated question's log is its
    source question's (one ballot per voter across languages), in the
    source's option ids."""

    @document(responses={200: LogSerializer, 403: ERROR, 404: ERROR})
    def get(self, request, question_id: int):
        question = live_question(question_id)
        privacy.require_visible(Actor.from_request(request), question.page)
        shared = translations.shared_question(question)
        if not presenter.tally_visible(shared.page, turnout_payload(shared)["ballots"]):
            raise ResultsHidden()
        definition = log.definition(shared)
        response = StreamingHttpResponse(
            bundle.log_json(shared, definition), content_type="application/json"
        )
        patch_cache_control(response, no_cache=True)
        return response


class ReceiptView(ConsultAPIView):
    """Where a receipt's ballot stands: counted, or withdrawn."""

    @document(responses={200: ReceiptSerializer, 404: ERROR})
    def get(self, request, receipt: str):
        status = receipts.status(receipt)
        if status is None or not privacy.is_visible(
            Actor.from_request(request), status.question.page
        ):
            raise UnknownReceipt()
        return Response(status.as_json())


class ResultsBundleView(ConsultAPIView):
    """The signed results bundle of a consultation whose results are visible."""

    @document(
        responses={
            (200, "application/zip"): OpenApiResponse(description="results.zip"),
            403: ERROR,
            404: ERROR,
            503: ERROR,
        }
    )
    def get(self, request, page_id: int):
        page = get_object_or_404(privacy.live_consultations(request), pk=page_id)
        source = translations.source_page(page)
        for question in source.questions.all():
            if not presenter.tally_visible(source, turnout_payload(question)["ballots"]):
                raise ResultsHidden()
        # On disk, not in memory: a bundle of a big vote is hundreds of megabytes.
        out = tempfile.TemporaryFile()
        try:
            bundle.write_bundle(source, out, tally_payload)
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"results-{source.pk}.zip",
            content_type="application/zip",
        )


class KeysView(ConsultAPIView):
    """The public key results bundles are signed with."""

    @document(responses={200: KeySerializer, 503: ERROR})
    def get(self, request):
        return Response({"algorithm": "Ed25519", "public_key": signing.public_key_text()})
