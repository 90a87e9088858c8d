"""The Roster's search, filters and sort: name or email, organization, status."""

import django_filters
from django.db.models import QuerySet

from accounts.models import Organization
from common.filters import IdModelChoiceFilter

from .models import Enrollment
from .selectors import enrollments_matching

ENROLLED, COMPLETED = "enrolled", "completed"


class RosterFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label="Name or email", method="filter_search", max_length=100
    )
    organization = IdModelChoiceFilter(
        queryset=None, field_name="student__organization", empty_label="Any organization"
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(ENROLLED, "Enrolled"), (COMPLETED, "Completed")],
        method="filter_status",
        empty_label="Any status",
    )
    # Without a choice, the selector's order: by name.
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        method="filter_sort",
        empty_label=None,
        choices=[
            ("name", "Name (A–Z)"),
            ("-name", "Name (Z–A)"),
            ("organization", "Organization"),
            ("-completed", "Recently completed"),
        ],
    )

    ORDERINGS = {
        "name": ("student__last_name", "student__first_name", "student__username"),
        "-name": ("-student__last_name", "-student__first_name", "-student__username"),
        "organization": ("student__organization__name", "student__last_name", "student__username"),
        "-completed": ("-completed_at", "student__last_name", "student__username"),
    }

    class Meta:
        model = Enrollment
        fields = ["search", "organization", "status"]

    def __init__(self, *args, enrollments: QuerySet[Enrollment], **kwargs):
        super().__init__(*args, queryset=enrollments, **kwargs)
        # Only the organizations of the students this user may see on this roster.
        self.filters["organization"].queryset = Organization.objects.filter(
            pk__in=enrollments.values("student__organization_id")
        ).order_by("name")

    def filter_search(self, queryset, name, value):
        return enrollments_matching(enrollments=queryset, search=value)

    def filter_status(self, queryset, name, value):
        return queryset.filter(completed_at__isnull=value == ENROLLED)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*self.ORDERINGS[value])
