"""Proposals, supports, comments and reports over the REST API.

Views stay thin: they find the object the requester may see (404 otherwise),
pass the JSON body's fields to ``consult.contributions.services`` (which
checks permission and input and raises ``ConsultError``s) and serialise.
Lists are paginated with ``?page=N&page_size=M`` (20 by default, at most 100):
``{"count", "next", "previous", "results"}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from consult.api.contribution_serializers import (
    CategorySerializer,
    CommentInput,
    CommentPatchInput,
    CommentSerializer,
    PaginatedCommentSerializer,
    PaginatedProposalSerializer,
    ProposalInput,
    ProposalPatchInput,
    ProposalSerializer,
    ReportInput,
    ReportSerializer,
    SupportSerializer,
)
from consult.api.schema import document
from consult.api.serializers import ErrorSerializer
from consult.api.views import ConsultAPIView
from consult.contributions import queries, services
from consult.exceptions import InvalidContribution, NotFound
from consult.models import Comment, ConsultationPage, Proposal

ERROR = OpenApiResponse(ErrorSerializer, description="`{code, detail}`")
WRITE_ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 429), ERROR)
MAX_ID = 2**63 - 1


class SafeJSONRenderer(JSONRenderer):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``... escapes.

    Citizens' text is returned exactly as typed, and may look like markup;
    escaped, no byte of the response reads as a tag even to a browser that
    sniffs the content type or a page that pastes the JSON into HTML.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rendered = super().render(data, accepted_media_type, renderer_context)
        return (
            rendered.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
        )


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ContributionView(ConsultAPIView):
    renderer_classes = [SafeJSONRenderer]

    def body(self, request, fields: tuple[str, ...]) -> dict[str, Any]:
        """The JSON object's known ``fields`` (unknown ones are ignored)."""
        data = request.data
        if not isinstance(data, dict):
            raise InvalidContribution(_("The request body must be a JSON object."))
        return {name: data[name] for name in fields if name in data}

    def paginate(self, request, queryset, serializer_class, context: dict[str, Any]) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        serializer = serializer_class(page, many=True, context={"request": request, **context})
        return paginator.get_paginated_response(serializer.data)


def consultation(request, page_id: int) -> ConsultationPage:
    page = queries.live_consultation(request, page_id)
    if page is None:
        raise NotFound()
    return page


def proposal_context(request, page: ConsultationPage) -> dict[str, Any]:
    return {
        "request": request,
        "page": page,
        "page_url": page.get_full_url(request) or "",
        "threshold": page.support_threshold,
    }


def visible_proposal(request, proposal_id: int) -> Proposal:
    """The proposal (annotated like the lists) if the requester may see it, else 404."""
    proposal = queries.proposal_by_id(request, proposal_id)
    if proposal is None:
        raise NotFound()
    return proposal


def proposal_response(request, proposal: Proposal, http_status: int = 200) -> Response:
    fresh = queries.proposal_for(request.user, proposal.page, proposal.pk) or proposal
    context = proposal_context(request, proposal.page)
    return Response(ProposalSerializer(fresh, context=context).data, status=http_status)


def visible_comment(request, comment_id: int) -> Comment:
    comment = queries.comment_by_id(request, comment_id)
    if comment is None:
        raise NotFound()
    return comment


def query_id(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise InvalidContribution(_("%(name)s: must be an id.") % {"name": name})
    return int(value)


def query_choice(request, name: str, choices) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise InvalidContribution(
            _("%(name)s: must be one of %(values)s.") % {"name": name, "values": ", ".join(choices)}
        )
    return value


# ------------------------------------------------------------------ proposals

PROPOSAL_FIELDS = ("title", "body", "category", "latitude", "longitude")


class ProposalListView(ContributionView):
    """A consultation's proposals: published ones and your own pending ones."""

    @document(
        parameters=[
            OpenApiParameter("status", enum=queries.PROPOSAL_FILTERS, required=False),
            OpenApiParameter("category", str, description="Category id or slug."),
            OpenApiParameter("ordering", enum=tuple(queries.PROPOSAL_ORDERINGS), required=False),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PaginatedProposalSerializer, 400: ERROR, 404: ERROR},
    )
    def get(self, request, page_id: int):
        page = consultation(request, page_id)
        proposals = queries.filter_proposals(
            queries.proposals_for(request.user, page),
            category=request.query_params.get("category") or None,
            status=query_choice(request, "status", queries.PROPOSAL_FILTERS),
            ordering=query_choice(request, "ordering", tuple(queries.PROPOSAL_ORDERINGS))
            or "newest",
        )
        return self.paginate(
            request, proposals, ProposalSerializer, proposal_context(request, page)
        )

    @document(
        request=ProposalInput,
        responses={201: ProposalSerializer, **WRITE_ERRORS},
        description="Submit a proposal during the proposals phase. Under pre-moderation it "
        "is `pending` (only you see it) until a moderator approves it.",
    )
    def post(self, request, page_id: int):
        page = consultation(request, page_id)
        proposal = services.submit_proposal(request, page, **self.body(request, PROPOSAL_FIELDS))
        return proposal_response(request, proposal, status.HTTP_201_CREATED)


class ProposalDetailView(ContributionView):
    @document(responses={200: ProposalSerializer, 404: ERROR})
    def get(self, request, proposal_id: int):
        return proposal_response(request, visible_proposal(request, proposal_id))

    @document(
        request=ProposalPatchInput,
        responses={200: ProposalSerializer, **WRITE_ERRORS},
        description="The author changes their proposal while it awaits moderation.",
    )
    def patch(self, request, proposal_id: int):
        proposal = visible_proposal(request, proposal_id)
        edited = services.edit_proposal(request, proposal, **self.body(request, PROPOSAL_FIELDS))
        return proposal_response(request, edited)

    @document(
        responses={204: None, **WRITE_ERRORS},
        description="The author withdraws their proposal (its status becomes `withdrawn`).",
    )
    def delete(self, request, proposal_id: int):
        services.withdraw_proposal(request, visible_proposal(request, proposal_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SupportView(ContributionView):
    """Your support for a published proposal, during the proposals phase."""

    def result(self, proposal: Proposal, supports: int, supported: bool) -> dict[str, Any]:
        threshold = proposal.page.support_threshold
        return {
            "proposal": proposal.pk,
            "supports": supports,
            "supported": supported,
            "reached_threshold": threshold is not None and supports >= threshold,
        }

    @document(
        request=None,
        responses={200: SupportSerializer, 201: SupportSerializer, **WRITE_ERRORS},
        description="Support the proposal: 201 when counted, 200 when you already supported it.",
    )
    def post(self, request, proposal_id: int):
        proposal = visible_proposal(request, proposal_id)
        result = services.support_proposal(request, proposal)
        return Response(
            self.result(proposal, result.supports, True),
            status=status.HTTP_201_CREATED if result.changed else status.HTTP_200_OK,
        )

    @document(
        responses={200: SupportSerializer, **WRITE_ERRORS},
        description="Withdraw your support; 404 `no_support` if you had not supported it.",
    )
    def delete(self, request, proposal_id: int):
        proposal = visible_proposal(request, proposal_id)
        result = services.withdraw_support(request, proposal)
        return Response(self.result(proposal, result.supports, False))


# ------------------------------------------------------------------- comments

COMMENT_FIELDS = ("body", "stance", "parent", "proposal")


class CommentListView(ContributionView):
    """A consultation's comments, oldest first: published ones (removed ones
    as placeholders) and your own pending ones."""

    @document(
        parameters=[
            OpenApiParameter(
                "proposal",
                str,
                description="Only comments on this proposal id; `none`: only comments "
                "on the consultation itself.",
            ),
            OpenApiParameter("after", int, description="Only comments with a larger id."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PaginatedCommentSerializer, 400: ERROR, 404: ERROR},
    )
    def get(self, request, page_id: int):
        page = consultation(request, page_id)
        comments = queries.comments_for(request.user, page)
        if request.query_params.get("proposal") == "none":
            comments = comments.filter(proposal__isnull=True)
        elif (proposal_id := query_id(request, "proposal")) is not None:
            comments = comments.filter(proposal_id=proposal_id)
        if (after := query_id(request, "after")) is not None:
            comments = comments.filter(pk__gt=after)
        return self.paginate(request, comments, CommentSerializer, {})

    @document(
        request=CommentInput,
        responses={201: CommentSerializer, **WRITE_ERRORS},
        description="Comment on the consultation, on one of its `proposal`s, or reply to a "
        "`parent` comment (3 levels deep at most). Under pre-moderation it is `pending` "
        "until a moderator approves it.",
    )
    def post(self, request, page_id: int):
        page = consultation(request, page_id)
        comment = services.post_comment(request, page, **self.body(request, COMMENT_FIELDS))
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(ContributionView):
    @document(responses={200: CommentSerializer, 404: ERROR})
    def get(self, request, comment_id: int):
        return Response(CommentSerializer(visible_comment(request, comment_id)).data)

    @document(
        request=CommentPatchInput,
        responses={200: CommentSerializer, **WRITE_ERRORS},
        description="The author edits their comment within `COMMENT_EDIT_WINDOW` seconds.",
    )
    def patch(self, request, comment_id: int):
        comment = visible_comment(request, comment_id)
        edited = services.edit_comment(request, comment, **self.body(request, ("body", "stance")))
        return Response(CommentSerializer(edited).data)

    @document(
        responses={204: None, **WRITE_ERRORS},
        description="The author removes their comment; it stays as a placeholder "
        "(`deleted`: true) so its replies keep their place.",
    )
    def delete(self, request, comment_id: int):
        services.delete_comment(request, visible_comment(request, comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# -------------------------------------------------------------------- reports


class ReportView(ContributionView):
    def report(self, request, item) -> Response:
        created = services.report(request, item, **self.body(request, ("reason", "details")))
        return Response(
            ReportSerializer(
                {"id": created.pk, "reason": created.reason, "created_at": created.created_at}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class CommentReportView(ReportView):
    @document(
        request=ReportInput,
        responses={201: ReportSerializer, **WRITE_ERRORS},
        description="Report a comment to the moderators (once per comment).",
    )
    def post(self, request, comment_id: int):
        return self.report(request, visible_comment(request, comment_id))


class ProposalReportView(ReportView):
    @document(
        request=ReportInput,
        responses={201: ReportSerializer, **WRITE_ERRORS},
        description="Report a proposal to the moderators (once per proposal).",
    )
    def post(self, request, proposal_id: int):
        return self.report(request, visible_proposal(request, proposal_id))


class CategoryListView(ContributionView):
    """The categories a proposal may be filed under."""

    @document(responses={200: CategorySerializer(many=True)})
    def get(self, request):
        return Response(CategorySerializer(queries.categories(), many=True).data)
