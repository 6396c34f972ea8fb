from django.urls import include, path

from consult import converters  # noqa: F401 (registers <id:>)
from consult.views import account, ballots, eligibility, notifications, receipts, tokens

app_name = "consult"

urlpatterns = [
    path("questions/<id:question_id>/vote/", ballots.vote, name="vote"),
    path("questions/<id:question_id>/retract/", ballots.retract, name="retract"),
    path("receipts/", receipts.check_receipt, name="receipt"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<id:token_id>/revoke/", tokens.revoke_token, name="revoke-token"),
    path("consultations/<id:page_id>/eligibility/", eligibility.claim, name="eligibility"),
    path("consultations/<id:page_id>/code/", eligibility.code_login, name="code-login"),
    path("account/data/", account.my_data, name="my-data"),
    path("account/delete/", account.delete_account, name="delete-account"),
    path(
        "follow/consultations/<id:page_id>/",
        notifications.follow_consultation,
        name="follow-consultation",
    ),
    path(
        "follow/proposals/<id:proposal_id>/",
        notifications.follow_proposal,
        name="follow-proposal",
    ),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications-read"),
    path(
        "notifications/preferences/",
        notifications.update_preferences,
        name="notification-preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
    path("api/v1/", include("consult.api.urls")),
]
