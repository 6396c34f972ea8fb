from django.urls import include, path

from consult import notification_views, token_views, views

app_name = "consult"

urlpatterns = [
    path("questions/<int:question_id>/vote/", views.vote, name="vote"),
    path("questions/<int:question_id>/retract/", views.retract, name="retract"),
    path("account/tokens/", token_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", token_views.revoke_token, name="revoke-token"),
    path(
        "follow/consultations/<int:page_id>/",
        notification_views.follow_consultation,
        name="follow-consultation",
    ),
    path(
        "follow/proposals/<int:proposal_id>/",
        notification_views.follow_proposal,
        name="follow-proposal",
    ),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.mark_read, name="notifications-read"),
    path(
        "notifications/preferences/",
        notification_views.update_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.unsubscribe,
        name="unsubscribe",
    ),
    path("api/v1/", include("consult.api.urls")),
]
