"""The course assignments list's filters: course, student, status."""

import django_filters
from django.db.models import Q

from common.filters import IdModelChoiceFilter
from common.forms import SEARCH_MAX_LENGTH

from .models import CourseAssignment
from .selectors import courses_of_assignments_for_user

ASSIGNED, COMPLETED = "assigned", "completed"


class CourseAssignmentFilter(django_filters.FilterSet):
    course = IdModelChoiceFilter(queryset=None, empty_label="Any course")
    student = django_filters.CharFilter(
        label="Student", method="filter_student", max_length=SEARCH_MAX_LENGTH
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(ASSIGNED, "Assigned"), (COMPLETED, "Completed")],
        method="filter_status",
        empty_label="Any status",
    )

    class Meta:
        model = CourseAssignment
        fields = ["course", "student", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the courses of the assignments this user may see: other organizations' courses
        # are neither offered nor accepted.
        self.filters["course"].queryset = courses_of_assignments_for_user(user=user)

    def filter_student(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(student__first_name__icontains=word)
                | Q(student__last_name__icontains=word)
                | Q(student__username__icontains=word)
                | Q(student__email__icontains=word)
            )
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(completed_at__isnull=value == ASSIGNED)
