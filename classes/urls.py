from django.urls import path, register_converter
from django.urls.converters import IntConverter

from . import views


class BigIntIdConverter(IntConverter):
    """An id a bigint column can hold. A longer number is no page (404) rather than a database
    error: SQLite cannot even bind it in a foreign-key lookup."""

    regex = "[0-9]{1,18}"


register_converter(BigIntIdConverter, "bigint")

app_name = "classes"

urlpatterns = [
    path("", views.ClassListView.as_view(), name="list"),
    path("<int:pk>/", views.RosterView.as_view(), name="roster"),
    path(
        "<int:pk>/students/<bigint:student_pk>/row/",
        views.RosterRowView.as_view(),
        name="roster_row",
    ),
    path(
        "<int:pk>/students/<bigint:student_pk>/issue-badge/",
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
