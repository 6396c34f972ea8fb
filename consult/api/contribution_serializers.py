"""Representations of proposals, comments, supports and reports.

Output only: input is checked by ``consult.contributions.services`` (the same
rules for the API and the page forms); the ``*Input`` serializers document
the request bodies in the OpenAPI schema. Text comes twice: ``body`` as the
citizen typed it (plain text, never HTML) and ``body_html``, a safe HTML
rendering (escaped, paragraphs, links). Authors appear by display name only.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from consult.contributions.authors import display_name
from consult.contributions.text import render_text
from consult.models import Category, Comment, Proposal
from consult.models.comments import ReportReason, Stance
from consult.models.proposals import ContributionStatus

# A described string, not an enum: the name "status" is taken by the
# consultation's phases in the schema's components.
STATUS_HELP = "One of: " + ", ".join(f"`{value}`" for value in ContributionStatus.values) + "."


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class LocationSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class ProposalSerializer(serializers.ModelSerializer):
    """Expects the annotations of ``consult.contributions.queries.annotate_proposals``;
    ``context["threshold"]`` is the consultation's support threshold."""

    consultation = serializers.IntegerField(source="page_id", read_only=True)
    body_html = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    location = serializers.SerializerMethodField()
    reached_threshold = serializers.SerializerMethodField()
    supported = serializers.SerializerMethodField()
    comment_count = serializers.SerializerMethodField()
    answer_html = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "consultation",
            "title",
            "body",
            "body_html",
            "status",
            "category",
            "location",
            "supports",
            "reached_threshold",
            "supported",
            "comment_count",
            "answer",
            "answer_html",
            "answered_at",
            "author",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_body_html(self, proposal: Proposal) -> str:
        return render_text(proposal.body)

    def get_answer_html(self, proposal: Proposal) -> str:
        return render_text(proposal.answer)

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, proposal: Proposal) -> dict | None:
        if proposal.latitude is None or proposal.longitude is None:
            return None
        return {"latitude": float(proposal.latitude), "longitude": float(proposal.longitude)}

    def get_reached_threshold(self, proposal: Proposal) -> bool:
        return proposal.reached_threshold(self.context.get("threshold"))

    def get_supported(self, proposal: Proposal) -> bool:
        """Whether the requesting citizen supports it."""
        return bool(getattr(proposal, "supported", False))

    def get_comment_count(self, proposal: Proposal) -> int:
        """Published comments on the proposal."""
        return int(getattr(proposal, "comment_count", 0) or 0)

    def get_author(self, proposal: Proposal) -> str:
        """Display name only."""
        return display_name(proposal.author)

    def get_url(self, proposal: Proposal) -> str:
        """The proposal's page (empty when the consultation has no URL)."""
        base = self.context.get("page_url") or ""
        if not base:
            return ""
        return base + self.context["page"].reverse_subpage(
            "proposal", kwargs={"proposal_id": proposal.pk}
        )


class CommentSerializer(serializers.ModelSerializer):
    consultation = serializers.IntegerField(source="page_id", read_only=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    stance = serializers.ChoiceField(choices=Stance.choices, read_only=True)
    deleted = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "consultation",
            "proposal",
            "parent",
            "depth",
            "body",
            "body_html",
            "stance",
            "status",
            "deleted",
            "author",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields

    def get_body(self, comment: Comment) -> str:
        """Plain text as typed; empty for a removed comment."""
        return "" if comment.deleted_at else comment.body

    def get_body_html(self, comment: Comment) -> str:
        return "" if comment.deleted_at else render_text(comment.body)

    def get_deleted(self, comment: Comment) -> bool:
        """Removed by its author: kept as a placeholder for its replies."""
        return comment.deleted_at is not None

    def get_author(self, comment: Comment) -> str:
        """Display name only (empty for a removed comment)."""
        return "" if comment.deleted_at else display_name(comment.author)


class SupportSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    supports = serializers.IntegerField()
    supported = serializers.BooleanField()
    reached_threshold = serializers.BooleanField()


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    created_at = serializers.DateTimeField()


def paginated(serializer_class, name: str):
    """The documented shape of a page of results."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PaginatedProposalSerializer = paginated(ProposalSerializer, "PaginatedProposalList")
PaginatedCommentSerializer = paginated(CommentSerializer, "PaginatedCommentList")


# Request bodies, for the schema.


class ProposalInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text="Plain text; blank lines separate paragraphs.")
    category = serializers.IntegerField(required=False, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )


class ProposalPatchInput(ProposalInput):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(required=False)


class CommentInput(serializers.Serializer):
    body = serializers.CharField()
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)
    parent = serializers.IntegerField(required=False, allow_null=True)
    proposal = serializers.IntegerField(required=False, allow_null=True)


class CommentPatchInput(serializers.Serializer):
    body = serializers.CharField(required=False)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(
        required=False, allow_blank=True, help_text="Required when the reason is `other`."
    )
