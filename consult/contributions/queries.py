"""What each viewer may see, as querysets with everything a listing needs
joined or annotated, so a list costs the same few queries at any size.

Functions that find items by id take ``who`` (an Actor, a request or a user)
and apply page privacy (``consult.privacy``): an item of a consultation
hidden from the viewer is not found."""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from consult import permissions, privacy
from consult.actor import as_actor
from consult.models import Category, Comment, ConsultationPage, Proposal, Support

PUBLISHED = "published"
PENDING = "pending"

#: Public sort orders of proposal lists: name -> order_by.
PROPOSAL_ORDERINGS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "supports": ("-supports", "-created_at", "-pk"),
}
#: Public status filters of proposal lists ("" = everything the viewer may see).
PROPOSAL_FILTERS = ("published", "pending", "answered")


def visible_q(user) -> Q:
    """Published items, plus the viewer's own pending ones."""
    q = Q(status=PUBLISHED)
    if permissions.is_signed_in(user):
        q |= Q(status=PENDING, author=user)
    return q


def live_consultation(who, page_id: int) -> ConsultationPage | None:
    return privacy.live_consultation(who, page_id)


def proposals_for(user, page: ConsultationPage):
    """The proposals of ``page`` that ``user`` sees in lists, annotated with
    ``comment_count`` (published comments) and ``supported`` (by ``user``)."""
    return annotate_proposals(Proposal.objects.filter(page=page).filter(visible_q(user)), user)


def annotate_proposals(queryset, user):
    comments = (
        Comment.objects.filter(proposal=OuterRef("pk"), status=PUBLISHED, deleted_at__isnull=True)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = queryset.select_related("author", "category").annotate(
        comment_count=Coalesce(Subquery(comments, output_field=IntegerField()), 0)
    )
    if permissions.is_signed_in(user):
        supported = Exists(Support.objects.filter(proposal=OuterRef("pk"), user=user))
    else:
        supported = Value(False, output_field=BooleanField())
    return queryset.annotate(supported=supported)


def filter_proposals(
    queryset, *, category: str | None = None, status: str | None = None, ordering: str = "newest"
):
    """Apply the public filters; unknown values are the caller's to refuse."""
    if category:
        if category.isdigit() and len(category) <= 18:
            queryset = queryset.filter(category_id=int(category))
        else:
            queryset = queryset.filter(category__slug=category)
    if status == "published":
        queryset = queryset.filter(status=PUBLISHED)
    elif status == "pending":
        queryset = queryset.filter(status=PENDING)
    elif status == "answered":
        queryset = queryset.filter(status=PUBLISHED, answered_at__isnull=False)
    return queryset.order_by(*PROPOSAL_ORDERINGS.get(ordering, PROPOSAL_ORDERINGS["newest"]))


def proposal_for(user, page: ConsultationPage, proposal_id: int) -> Proposal | None:
    """One proposal of ``page`` if ``user`` may see it (its author sees it in
    any status), annotated like the lists."""
    proposal = (
        annotate_proposals(Proposal.objects.filter(page=page, pk=proposal_id), user)
        .select_related("page")
        .first()
    )
    if proposal is None or not permissions.can_see_proposal(user, proposal):
        return None
    return proposal


def proposal_by_id(who, proposal_id: int) -> Proposal | None:
    """A proposal of a live consultation, if ``who`` may see it."""
    actor = as_actor(who)
    user = actor.user
    proposals = Proposal.objects.filter(pk=proposal_id, page__live=True)
    proposal = (
        annotate_proposals(proposals.filter(privacy.visible_q(actor, "page__")), user)
        .select_related("page")
        .first()
    )
    if proposal is None or not permissions.can_see_proposal(user, proposal):
        return None
    return proposal


def comment_by_id(who, comment_id: int) -> Comment | None:
    """A comment of a live consultation, if ``who`` may see it."""
    actor = as_actor(who)
    comment = (
        Comment.objects.filter(page__live=True, pk=comment_id)
        .filter(privacy.visible_q(actor, "page__"))
        .select_related("page", "author")
        .first()
    )
    if comment is None or not permissions.can_see_comment(actor.user, comment):
        return None
    return comment


def categories():
    return Category.objects.all()


def comments_for(user, page: ConsultationPage):
    """Comments of ``page`` ``user`` sees in flat lists (the API), oldest first:
    published ones (removed ones as placeholders) and the viewer's pending ones."""
    return (
        Comment.objects.filter(page=page)
        .filter(visible_q(user))
        .select_related("author")
        .order_by("created_at", "pk")
    )


def published_comment_count(page_id: int) -> int:
    return Comment.objects.filter(
        page_id=page_id, status=PUBLISHED, deleted_at__isnull=True
    ).count()
