"""The URL configuration of the whole portal. Only the top floor knows every app, so it routes
each page to the view of whichever floor holds it; the URL names (`classes:roster`,
`achievements:detail`, …) stay those of the pages people see."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.urls.converters import IntConverter
from django.views.static import serve

from accounts.forms import AdminLoginForm, LoginForm
from api.api import api, docs_view
from api.views import clients as api_client_views
from assignments.views import AssignmentListView
from awarding.views import achievements, completions, mapping, participation, sweep_runs
from badges.views import assignments as assignment_pages
from badges.views import batch, dialogs, images, profiles, roster, students
from classes.views import ClassListView
from credentials.views import organization, public, sharing
from deliveries.views import credly as credly_views
from deliveries.views import preferences as delivery_preferences
from deliveries.views import resend as delivery_resend
from deliveries.views import status as delivery_status
from deliveries.views import webhooks as webhook_views

from .views.dashboard import DashboardView
from .views.health import healthz
from .views.metrics import metrics


class BigIntIdConverter(IntConverter):
    """An id a bigint column can hold. A longer number is no page (404) rather than a database
    error: SQLite cannot even bind it in a foreign-key lookup."""

    regex = "[0-9]{1,18}"


register_converter(BigIntIdConverter, "bigint")


def _without_login(urls):
    """The API's routes authenticate by token (api/auth.py), never by the session: exempt them
    from LoginRequiredMiddleware, which would redirect a client to the log-in page."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


# Both log-in pages refuse a username or password of any length with a form error.
admin.site.login_form = AdminLoginForm

badge_urls = [
    path("", profiles.BadgeListView.as_view(), name="list"),
    path("new/", profiles.BadgeCreateView.as_view(), name="create"),
    path("<int:pk>/", delivery_status.BadgeProfileWithStatusView.as_view(), name="profile"),
    path("<int:pk>/edit/", profiles.BadgeEditView.as_view(), name="edit"),
    path("<int:pk>/archive/", profiles.BadgeArchiveView.as_view(), name="archive"),
    path("<int:pk>/delete/", profiles.BadgeDeleteView.as_view(), name="delete"),
    path(
        "generated/<int:hue>/<str:initials>.svg",
        images.generated_image,
        name="generated_image",
    ),
    path(
        "automatic-issuance-preview/",
        mapping.AutomaticIssuancePreviewView.as_view(),
        name="automatic_preview",
    ),
    path("issued/", delivery_status.FindIssuedBadgesWithStatusView.as_view(), name="issued"),
    path(
        "issued/export.csv",
        delivery_status.ExportIssuedBadgesWithStatusView.as_view(),
        name="issued_export",
    ),
    path(
        "<int:pk>/resend-failed/",
        delivery_resend.ResendFailedView.as_view(),
        name="resend_failed",
    ),
    path(
        "students/<int:pk>/", delivery_status.StudentBadgesWithStatusView.as_view(), name="student"
    ),
    path("issued/<int:pk>/revoke/", students.RevokeIssuanceView.as_view(), name="revoke"),
    path("issued/<int:pk>/reinstate/", students.ReinstateIssuanceView.as_view(), name="reinstate"),
]

achievement_urls = [
    path("", achievements.AchievementListView.as_view(), name="list"),
    path("new/", achievements.AchievementCreateView.as_view(), name="create"),
    path("preview/", mapping.AchievementPreviewView.as_view(), name="preview"),
    path("sweep-runs/", sweep_runs.SweepRunListView.as_view(), name="sweep_runs"),
    path("sweep-runs/run-now/", sweep_runs.SweepRunNowView.as_view(), name="sweep_run_now"),
    path("<int:pk>/", mapping.AchievementDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", achievements.AchievementUpdateView.as_view(), name="edit"),
    path("<int:pk>/preview/", mapping.AchievementPreviewView.as_view(), name="edit_preview"),
    path("<int:pk>/enabled/", achievements.AchievementEnableView.as_view(), name="set_enabled"),
    path("<int:pk>/badges/", mapping.BadgeMapView.as_view(), name="map_badge"),
    path(
        "<int:pk>/badges/preview/",
        mapping.BadgeMappingPreviewView.as_view(),
        name="mapping_preview",
    ),
    path(
        "<int:pk>/badges/<int:badge_pk>/unmap/",
        mapping.BadgeUnmapView.as_view(),
        name="unmap_badge",
    ),
]

class_urls = [
    path("", ClassListView.as_view(), name="list"),
    path("<int:pk>/", roster.RosterView.as_view(), name="roster"),
    path(
        "<int:pk>/students/<bigint:student_pk>/row/",
        roster.RosterRowView.as_view(),
        name="roster_row",
    ),
    path(
        "<int:pk>/students/<bigint:student_pk>/issue-badge/",
        dialogs.ClassChooseBadgeView.as_view(),
        name="issue_badge",
    ),
    path("<int:pk>/complete/", completions.CompleteEnrollmentsView.as_view(), name="complete"),
    path("<int:pk>/issue-badges/", batch.BatchIssueView.as_view(), name="batch"),
    path("<int:pk>/issue-badges/badges/", batch.ChooseBadgesView.as_view(), name="choose_badges"),
    path(
        "<int:pk>/issue-badges/students/",
        batch.ChooseStudentsView.as_view(),
        name="choose_students",
    ),
]

assignment_urls = [
    path("", AssignmentListView.as_view(), name="list"),
    path("<int:pk>/", assignment_pages.AssignmentDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/issue-badge/",
        dialogs.AssignmentChooseBadgeView.as_view(),
        name="issue_badge",
    ),
    path(
        "<int:pk>/badges/",
        assignment_pages.AssignmentIssuancesView.as_view(),
        name="issuances",
    ),
    path("<int:pk>/complete/", completions.AssignmentCompleteView.as_view(), name="complete"),
]

# Public: the Open Badges 2.0 and 3.0 documents and the pages of a shared badge, for anyone.
credential_urls = [
    path("issuers/<bigint:pk>", public.IssuerView.as_view(), name="issuer"),
    path("issuers/<bigint:pk>/did.json", public.DIDDocumentView.as_view(), name="did_document"),
    path("issuers/<bigint:pk>/status-list", public.StatusListView.as_view(), name="status_list"),
    path("badges/<bigint:pk>", public.BadgeClassView.as_view(), name="badge_class"),
    path("badges/<bigint:pk>/criteria", public.CriteriaView.as_view(), name="criteria"),
    path("badges/<bigint:pk>/image", public.BadgeImageView.as_view(), name="badge_image"),
    path("assertions/<uuid:public_id>", public.AssertionView.as_view(), name="assertion"),
    path(
        "assertions/<uuid:public_id>/badge.png",
        public.BakedImageView.as_view(),
        name="baked_image",
    ),
    path("credentials/<uuid:public_id>", public.CredentialView.as_view(), name="credential"),
    path(
        "credentials/<uuid:public_id>/badge.png",
        public.CredentialImageView.as_view(),
        name="credential_image",
    ),
]

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("api/v1/", _without_login(api.urls)),
    path("api/docs", docs_view, name="api_docs"),
    path("public/", include((credential_urls, "credentials"))),
    path(
        "organization/",
        organization.OrganizationView.as_view(),
        name="organization",
    ),
    path(
        "organization/credly/",
        credly_views.CredlySettingsView.as_view(),
        name="credly_settings",
    ),
    path("organization/webhooks/", webhook_views.WebhookEndpointsView.as_view(), name="webhooks"),
    path(
        "organization/webhooks/<int:pk>/",
        webhook_views.WebhookEndpointView.as_view(),
        name="webhook_endpoint",
    ),
    path(
        "organization/webhooks/<int:pk>/roll-secret/",
        webhook_views.WebhookRollSecretView.as_view(),
        name="webhook_roll_secret",
    ),
    path(
        "organization/webhooks/<int:pk>/delete/",
        webhook_views.WebhookDeleteView.as_view(),
        name="webhook_delete",
    ),
    path(
        "organization/webhooks/<int:pk>/deliveries/<bigint:delivery_pk>/redeliver/",
        webhook_views.WebhookRedeliverView.as_view(),
        name="webhook_redeliver",
    ),
    path(
        "organization/api-clients/", api_client_views.ApiClientsView.as_view(), name="api_clients"
    ),
    path(
        "organization/api-clients/<int:pk>/revoke/",
        api_client_views.ApiClientRevokeView.as_view(),
        name="api_client_revoke",
    ),
    path("me/public-name/", sharing.PublicNameView.as_view(), name="public_name"),
    path("me/award-emails/", delivery_preferences.AwardEmailsView.as_view(), name="award_emails"),
    path(
        "deliveries/<bigint:pk>/resend/",
        delivery_resend.ResendDeliveryView.as_view(),
        name="delivery_resend",
    ),
    path(
        "organization/achievements/",
        participation.EnableAchievementsView.as_view(),
        name="organization_achievements",
    ),
    path(
        "students/<int:pk>/participation/",
        participation.ParticipationView.as_view(),
        name="participation",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("badges/", include((badge_urls, "badges"))),
    path("achievements/", include((achievement_urls, "achievements"))),
    path("classes/", include((class_urls, "classes"))),
    path("assignments/", include((assignment_urls, "assignments"))),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
