from django.urls import include, path

from consult import views

app_name = "consult"

urlpatterns = [
    path("questions/<int:question_id>/vote/", views.vote, name="vote"),
    path("questions/<int:question_id>/retract/", views.retract, name="retract"),
    path("api/v1/", include("consult.api.urls")),
]
