from django.urls import path

from consult.api import schema, views

urlpatterns = [
    path("consultations/", views.ConsultationListView.as_view(), name="api-consultations"),
    path(
        "consultations/<int:page_id>/",
        views.ConsultationDetailView.as_view(),
        name="api-consultation",
    ),
    path("questions/<int:question_id>/tally/", views.TallyView.as_view(), name="api-tally"),
    path("questions/<int:question_id>/ballot/", views.BallotView.as_view(), name="api-ballot"),
    path("schema/", schema.SchemaView.as_view(), name="api-schema"),
]
