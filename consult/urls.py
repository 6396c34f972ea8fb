from django.urls import include, path

from consult import converters, token_views, views  # noqa: F401 (converters: <id:>)

app_name = "consult"

urlpatterns = [
    path("questions/<id:question_id>/vote/", views.vote, name="vote"),
    path("questions/<id:question_id>/retract/", views.retract, name="retract"),
    path("account/tokens/", token_views.tokens, name="tokens"),
    path("account/tokens/<id:token_id>/revoke/", token_views.revoke_token, name="revoke-token"),
    path("api/v1/", include("consult.api.urls")),
]
