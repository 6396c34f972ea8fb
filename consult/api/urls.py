from django.urls import path, re_path

from consult import converters  # noqa: F401 (registers the id converter)
from consult.api import contributions, docs, schema, views

urlpatterns = [
    path("consultations/", views.ConsultationListView.as_view(), name="api-consultations"),
    path(
        "consultations/<id:page_id>/",
        views.ConsultationDetailView.as_view(),
        name="api-consultation",
    ),
    path("questions/<id:question_id>/tally/", views.TallyView.as_view(), name="api-tally"),
    path("questions/<id:question_id>/ballot/", views.BallotView.as_view(), name="api-ballot"),
    # Citizens' proposals, supports, comments and reports (consult.api.contributions).
    path(
        "consultations/<id:page_id>/proposals/",
        contributions.ProposalListView.as_view(),
        name="api-proposals",
    ),
    path(
        "proposals/<id:proposal_id>/",
        contributions.ProposalDetailView.as_view(),
        name="api-proposal",
    ),
    path(
        "proposals/<id:proposal_id>/support/",
        contributions.SupportView.as_view(),
        name="api-proposal-support",
    ),
    path(
        "proposals/<id:proposal_id>/report/",
        contributions.ProposalReportView.as_view(),
        name="api-proposal-report",
    ),
    path(
        "consultations/<id:page_id>/comments/",
        contributions.CommentListView.as_view(),
        name="api-comments",
    ),
    path(
        "comments/<id:comment_id>/",
        contributions.CommentDetailView.as_view(),
        name="api-comment",
    ),
    path(
        "comments/<id:comment_id>/report/",
        contributions.CommentReportView.as_view(),
        name="api-comment-report",
    ),
    path("categories/", contributions.CategoryListView.as_view(), name="api-categories"),
    path("schema/", schema.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.DocsView.as_view(), name="api-docs"),
    path("docs/assets/<str:name>", docs.docs_asset, name="api-docs-asset"),
    # Keep last: any other path under the API answers in the API's error shape.
    re_path(r"", views.not_found),
]
