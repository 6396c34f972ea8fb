"""Follows, notifications and notification preferences over the REST API (SPEC §12).

Thin like the other views: they find what the requester may see (404
otherwise) and call ``consult.notifications``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from consult.api.contributions import (
    ERROR,
    WRITE_ERRORS,
    ContributionView,
    Pagination,
    consultation,
    visible_proposal,
)
from consult.api.schema import document
from consult.exceptions import InvalidPreference, NotAuthenticated
from consult.models import Notification
from consult.models.notifications import EmailFrequency
from consult.notifications import follows, preferences, queries, records
from consult.notifications.messages import Links, subject

MAX_ID = 2**63 - 1

FollowSerializer = inline_serializer("Follow", {"following": serializers.BooleanField()})
UnreadSerializer = inline_serializer("Unread", {"unread": serializers.IntegerField()})


class PreferencesSerializer(serializers.Serializer):
    email = serializers.ChoiceField(choices=EmailFrequency.values)
    language = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    consultation = serializers.IntegerField(source="page_id")
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "title",
            "url",
            "consultation",
            "proposal",
            "comment",
            "created_at",
            "read",
        ]

    def get_title(self, notification: Notification) -> str:
        return subject(notification, self.context["links"])

    def get_url(self, notification: Notification) -> str:
        return self.context["links"].notification(notification)

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


PaginatedNotificationSerializer = inline_serializer(
    "PaginatedNotifications",
    {
        "count": serializers.IntegerField(),
        "unread": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": NotificationSerializer(many=True),
    },
)


def signed_in(request) -> None:
    user = request.user
    if not (user.is_authenticated and user.is_active):
        raise NotAuthenticated()


class FollowView(ContributionView, ABC):
    """Following one kind of thing; subclasses say which, by finding it."""

    @abstractmethod
    def target(self, request, **kwargs):
        """What is followed, if the requester may see it (404 otherwise)."""

    @document(
        request=None,
        responses={200: FollowSerializer, 201: FollowSerializer, **WRITE_ERRORS},
        description="Follow: be told of its events. 201 when new, 200 when already followed.",
    )
    def post(self, request, **kwargs):
        signed_in(request)
        target = self.target(request, **kwargs)
        created = follows.follow(request, target)
        preferences.remember_language(request)
        return Response(
            {"following": True}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @document(request=None, responses={204: None, **WRITE_ERRORS})
    def delete(self, request, **kwargs):
        signed_in(request)
        follows.unfollow(request, self.target(request, **kwargs))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsultationFollowView(FollowView):
    """Follow a consultation: its phases (proposals open, voting opens, closes soon, closed)."""

    def target(self, request, page_id: int):
        return consultation(request, page_id)


class ProposalFollowView(FollowView):
    """Follow a proposal."""

    def target(self, request, proposal_id: int):
        return visible_proposal(request, proposal_id)


class NotificationListView(ContributionView):
    @document(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: PaginatedNotificationSerializer, 401: ERROR, 404: ERROR},
        description="Your notifications, newest first, with the number still unread.",
    )
    def get(self, request):
        signed_in(request)
        preferences.remember_language(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(queries.for_user(request.user), request, view=self)
        data = NotificationSerializer(page, many=True, context={"links": Links()}).data
        response = paginator.get_paginated_response(data)
        response.data = {"unread": queries.unread_count(request.user), **response.data}
        return response


def ids_of(data: Any) -> list[int] | None:
    if not isinstance(data, dict):
        raise InvalidPreference(_("The request body must be a JSON object."))
    ids = data.get("ids")
    if ids is None:
        return None
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids
    ):
        raise InvalidPreference(_("ids: must be a list of notification ids."))
    return ids


class NotificationReadView(ContributionView):
    @document(
        request=inline_serializer(
            "MarkRead", {"ids": serializers.ListField(child=serializers.IntegerField())}
        ),
        responses={200: UnreadSerializer, **WRITE_ERRORS},
        description="Mark notifications as read: those of `ids`, or all without `ids`.",
    )
    def post(self, request):
        signed_in(request)
        records.mark_read(request, ids_of(request.data))
        return Response({"unread": queries.unread_count(request.user)})


class PreferencesView(ContributionView):
    @document(responses={200: PreferencesSerializer, 401: ERROR})
    def get(self, request):
        signed_in(request)
        return Response(preferences.as_dict(preferences.stored(request.user)))

    @document(
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **WRITE_ERRORS},
        description="`email`: instant, daily, weekly or off. `language`: one of the site's "
        "languages; an empty string follows the language last used on the site.",
    )
    def patch(self, request):
        signed_in(request)
        data = request.data
        if not isinstance(data, dict):
            raise InvalidPreference(_("The request body must be a JSON object."))
        preference = preferences.update(
            request, email=data.get("email"), language=data.get("language")
        )
        return Response(preferences.as_dict(preference))
