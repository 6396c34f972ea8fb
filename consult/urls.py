from django.urls import include, path

from consult import account_views, eligibility_views, token_views, views

app_name = "consult"

urlpatterns = [
    path("questions/<int:question_id>/vote/", views.vote, name="vote"),
    path("questions/<int:question_id>/retract/", views.retract, name="retract"),
    path(
        "consultations/<int:page_id>/eligibility/",
        eligibility_views.claim,
        name="eligibility",
    ),
    path("consultations/<int:page_id>/code/", eligibility_views.code_login, name="code-login"),
    path("account/data/", account_views.my_data, name="my-data"),
    path("account/delete/", account_views.delete_account, name="delete-account"),
    path("account/tokens/", token_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", token_views.revoke_token, name="revoke-token"),
    path("api/v1/", include("consult.api.urls")),
]
