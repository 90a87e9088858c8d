from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path("", views.BadgeListView.as_view(), name="list"),
    path("new/", views.BadgeCreateView.as_view(), name="create"),
    path("<int:pk>/", views.BadgeProfileView.as_view(), name="profile"),
    path("<int:pk>/edit/", views.BadgeEditView.as_view(), name="edit"),
    path("<int:pk>/archive/", views.BadgeArchiveView.as_view(), name="archive"),
    path("<int:pk>/delete/", views.BadgeDeleteView.as_view(), name="delete"),
    path("issued/", views.FindIssuedBadgesView.as_view(), name="issued"),
    path("issued/export.csv", views.ExportIssuedBadgesView.as_view(), name="issued_export"),
    path("students/<int:pk>/", views.StudentBadgesView.as_view(), name="student"),
    path("issued/<int:pk>/revoke/", views.RevokeIssuanceView.as_view(), name="revoke"),
]
