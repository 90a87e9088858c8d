"""A course assignment's page: its student, course, status and the badges issued from it."""

from django.views.generic import DetailView, TemplateView

from assignments.views import CourseAssignmentMixin
from badges.selectors import (
    issuances_from_assignment,
)


class AssignmentDetailView(CourseAssignmentMixin, DetailView):
    """A course assignment's page: student, course, status, dates, and the badges issued from it."""

    template_name = "assignments/assignment_detail.html"
    context_object_name = "assignment"

    def get_object(self, queryset=None):
        return self.course_assignment

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issuances"] = issuances_from_assignment(course_assignment=self.object)
        user = self.request.user
        context["may_issue"] = user.is_staff or user.has_perm("badges.issue_badge")
        return context


class AssignmentIssuancesView(CourseAssignmentMixin, TemplateView):
    """The list of badges issued from an assignment, fetched again after an issuance."""

    template_name = "assignments/includes/assignment_issuances.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignment"] = self.course_assignment
        context["issuances"] = issuances_from_assignment(course_assignment=self.course_assignment)
        return context
