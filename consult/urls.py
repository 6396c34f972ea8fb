from django.urls import include, path

from consult.views import account, ballots, eligibility, tokens

app_name = "consult"

urlpatterns = [
    path("questions/<int:question_id>/vote/", ballots.vote, name="vote"),
    path("questions/<int:question_id>/retract/", ballots.retract, name="retract"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.revoke_token, name="revoke-token"),
    path("consultations/<int:page_id>/eligibility/", eligibility.claim, name="eligibility"),
    path("consultations/<int:page_id>/code/", eligibility.code_login, name="code-login"),
    path("account/data/", account.my_data, name="my-data"),
    path("account/delete/", account.delete_account, name="delete-account"),
    path("api/v1/", include("consult.api.urls")),
]
