"""A person's notifications as the site and the API list them."""

from __future__ import annotations

from django.db.models import QuerySet

from consult.models import Notification


def for_user(user) -> QuerySet[Notification]:
    """Newest first, with what a title and a link need joined."""
    return (
        Notification.objects.filter(user=user)
        .select_related("user", "page", "proposal", "comment", "comment__author")
        .order_by("-created_at", "-pk")
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
