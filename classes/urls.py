from django.urls import path

from . import views

app_name = "classes"

urlpatterns = [
    path("", views.ClassListView.as_view(), name="list"),
    path("<int:pk>/", views.RosterView.as_view(), name="roster"),
    path(
        "<int:pk>/students/<int:student_pk>/row/",
        views.RosterRowView.as_view(),
        name="roster_row",
    ),
    path(
        "<int:pk>/students/<int:student_pk>/issue-badge/",
        views.ClassChooseBadgeView.as_view(),
        name="issue_badge",
    ),
    path("<int:pk>/complete/", views.CompleteEnrollmentsView.as_view(), name="complete"),
    path("<int:pk>/issue-badges/", views.BatchIssueView.as_view(), name="batch"),
    path("<int:pk>/issue-badges/badges/", views.ChooseBadgesView.as_view(), name="choose_badges"),
    path(
        "<int:pk>/issue-badges/students/",
        views.ChooseStudentsView.as_view(),
        name="choose_students",
    ),
]
