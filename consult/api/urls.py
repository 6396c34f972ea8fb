from django.urls import path, re_path

from consult import converters  # noqa: F401 (registers the id converter)
from consult.api import contributions, docs, eligibility, ledger, me, notifications, schema, views

urlpatterns = [
    path("consultations/", views.ConsultationListView.as_view(), name="api-consultations"),
    path(
        "consultations/<id:page_id>/",
        views.ConsultationDetailView.as_view(),
        name="api-consultation",
    ),
    path(
        "consultations/<id:page_id>/eligibility/",
        eligibility.EligibilityView.as_view(),
        name="api-eligibility",
    ),
    path(
        "consultations/<id:page_id>/code-login/",
        eligibility.CodeLoginView.as_view(),
        name="api-code-login",
    ),
    path("questions/<id:question_id>/tally/", views.TallyView.as_view(), name="api-tally"),
    path("questions/<id:question_id>/ballot/", views.BallotView.as_view(), name="api-ballot"),
    # Verifiable results (SPEC §11).
    path("questions/<id:question_id>/log/", ledger.LogView.as_view(), name="api-log"),
    path("receipts/<str:receipt>/", ledger.ReceiptView.as_view(), name="api-receipt"),
    path(
        "consultations/<id:page_id>/results.zip",
        ledger.ResultsBundleView.as_view(),
        name="api-results-bundle",
    ),
    path("keys/", ledger.KeysView.as_view(), name="api-keys"),
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
    path("me/data/", me.MyDataView.as_view(), name="api-my-data"),
    path("me/", me.MeView.as_view(), name="api-me"),
    path("categories/", contributions.CategoryListView.as_view(), name="api-categories"),
    # Follows and notifications (consult.api.notifications).
    path(
        "consultations/<id:page_id>/follow/",
        notifications.ConsultationFollowView.as_view(),
        name="api-consultation-follow",
    ),
    path(
        "proposals/<id:proposal_id>/follow/",
        notifications.ProposalFollowView.as_view(),
        name="api-proposal-follow",
    ),
    path("notifications/", notifications.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        notifications.NotificationReadView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/preferences/",
        notifications.PreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    path("schema/", schema.SchemaView.as_view(), name="api-schema"),
    path("docs/", docs.DocsView.as_view(), name="api-docs"),
    path("docs/assets/<str:name>", docs.docs_asset, name="api-docs-asset"),
    # Keep last: any other path under the API answers in the API's error shape.
    re_path(r"", views.not_found),
]
