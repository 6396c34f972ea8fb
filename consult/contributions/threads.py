"""Comment threads for the pages: a page of top-level comments and all their
replies, read with a fixed number of queries and nested in Python.

A reply stays in place when its parent is not shown (removed by its author,
hidden, rejected, or pending for someone else): the parent becomes a
placeholder, so the thread keeps its shape. Placeholders with nothing shown
below them are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q

from consult.contributions.queries import visible_q
from consult.models import Comment, ConsultationPage, Proposal

#: Top-level comments per page of a thread listing.
THREADS_PER_PAGE = 20


@dataclass
class Node:
    comment: Comment
    visible: bool
    children: list[Node] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        return self.comment.deleted_at is not None

    @property
    def shown(self) -> bool:
        """The comment itself is shown (else it is a placeholder for its replies)."""
        return self.visible and not self.removed


def root_comments(user, page: ConsultationPage, proposal: Proposal | None):
    """Top-level comments of ``page`` (or of ``proposal``) with something the
    viewer may see in their thread, newest first."""
    shown = visible_q(user) & Q(deleted_at__isnull=True)
    shown_below = Exists(Comment.objects.filter(shown, thread=OuterRef("pk")))
    return (
        Comment.objects.filter(page=page, proposal=proposal, parent__isnull=True)
        .filter(shown | shown_below)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def thread_page(
    user,
    page: ConsultationPage,
    proposal: Proposal | None = None,
    number: object = 1,
    per_page: int = THREADS_PER_PAGE,
) -> tuple[PaginatorPage, list[Node]]:
    """One page of threads: (the paginator page, its root nodes)."""
    paginator = Paginator(root_comments(user, page, proposal), per_page)
    current = paginator.get_page(number)
    roots = list(current.object_list)
    replies = []
    if roots:
        replies = list(
            Comment.objects.filter(thread__in=[root.pk for root in roots])
            .select_related("author")
            .order_by("created_at", "pk")
        )
    for comment in [*roots, *replies]:
        comment.page = page  # known already: no query per comment when checked
    return current, build_threads(user, roots, replies)


def build_threads(user, roots: list[Comment], replies: list[Comment]) -> list[Node]:
    from consult import permissions

    nodes = {
        comment.pk: Node(comment, permissions.can_see_comment(user, comment))
        for comment in [*roots, *replies]
    }
    for comment in replies:  # oldest first, so children keep their order
        parent = nodes.get(comment.parent_id)
        if parent is not None:
            parent.children.append(nodes[comment.pk])
    return [node for node in (nodes[root.pk] for root in roots) if _prune(node)]


def _prune(node: Node) -> bool:
    """Drop subtrees with nothing to show; True when something in ``node`` is shown."""
    node.children = [child for child in node.children if _prune(child)]
    return node.shown or bool(node.children)
