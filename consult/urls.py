from django.urls import include, path

from consult import converters  # noqa: F401 (registers <id:>)
from consult.views import ballots, tokens

app_name = "consult"

urlpatterns = [
    path("questions/<id:question_id>/vote/", ballots.vote, name="vote"),
    path("questions/<id:question_id>/retract/", ballots.retract, name="retract"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<id:token_id>/revoke/", tokens.revoke_token, name="revoke-token"),
    path("api/v1/", include("consult.api.urls")),
]
