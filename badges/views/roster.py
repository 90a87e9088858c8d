"""A class's Roster: its students with the badges each holds from the class's organization."""

from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from badges.selectors import (
    roster_for_user,
)
from classes.filters import RosterFilter
from classes.views import CourseClassMixin
from common.views import filter_query_string


class RosterView(CourseClassMixin, ListView):
    """The class's Roster: its details and the enrolled students this user may see, with the
    badges each holds from the class's organization."""

    template_name = "classes/roster.html"
    context_object_name = "enrollments"
    paginate_by = 100

    def get_queryset(self):
        self.filter = RosterFilter(
            self.request.GET,
            enrollments=roster_for_user(user=self.request.user, course_class=self.course_class),
        )
        return self.filter.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            instructors=self.course_class.instructors.all(),
            filter=self.filter,
            query_string=filter_query_string(self.request, self.filter, without=("page",)),
        )
        return context


class RosterRowView(CourseClassMixin, TemplateView):
    """One roster row, fetched again after a badge was issued to its student."""

    template_name = "classes/includes/roster_row.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enrollment"] = get_object_or_404(
            roster_for_user(user=self.request.user, course_class=self.course_class),
            student_id=self.kwargs["student_pk"],
        )
        return context
