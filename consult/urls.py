from django.urls import include, path

from consult.views import ballots, tokens

app_name = "consult"

urlpatterns = [
    path("questions/<int:question_id>/vote/", ballots.vote, name="vote"),
    path("questions/<int:question_id>/retract/", ballots.retract, name="retract"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.revoke_token, name="revoke-token"),
    path("api/v1/", include("consult.api.urls")),
]
