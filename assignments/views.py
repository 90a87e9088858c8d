"""Course assignment pages: the list, an assignment's page, and its Choose Badge dialog."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, TemplateView, View
from django_filters.views import FilterView

from badges.services import IssueContext
from classes.views import ChooseBadgeView
from lms_portal.mixins import PortalPermissionMixin

from .filters import CourseAssignmentFilter
from .selectors import (
    assignments_for_user,
    badges_issuable_for_assignment,
    issuances_from_assignment,
)
from .services import course_assignment_complete


class AssignmentListView(PortalPermissionMixin, FilterView):
    permission_required = "assignments.view_courseassignment"
    template_name = "assignments/assignment_list.html"
    filterset_class = CourseAssignmentFilter
    context_object_name = "assignments"
    paginate_by = 50

    def get_queryset(self):
        return assignments_for_user(user=self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class CourseAssignmentMixin(PortalPermissionMixin):
    """An assignment of the user's organization (any, for platform staff); any other id is a 404."""

    permission_required = "assignments.view_courseassignment"

    @cached_property
    def course_assignment(self):
        return get_object_or_404(assignments_for_user(user=self.request.user), pk=self.kwargs["pk"])


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


class AssignmentChooseBadgeView(CourseAssignmentMixin, ChooseBadgeView):
    """Choose Badge from a course assignment: one badge at a time to its student, recorded with the
    assignment as its source."""

    permission_required = ("assignments.view_courseassignment", "badges.issue_badge")

    @property
    def student(self):
        return self.course_assignment.student

    def get_issue_context(self) -> IssueContext:
        return IssueContext.for_assignment(
            actor=self.request.user, course_assignment=self.course_assignment
        )

    def issuable_badges(self, *, search: str):
        return badges_issuable_for_assignment(
            course_assignment=self.course_assignment, search=search
        )

    def get_issued_event(self) -> str:
        return f"badge-issued-from-assignment-{self.course_assignment.pk}"

    def get_back_url(self) -> str:
        return reverse("assignments:detail", args=[self.course_assignment.pk])


class AssignmentCompleteView(CourseAssignmentMixin, View):
    permission_required = (
        "assignments.view_courseassignment",
        "assignments.change_courseassignment",
    )
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if course_assignment_complete(actor=request.user, course_assignment=self.course_assignment):
            messages.success(request, "The course assignment is marked complete.")
        else:
            messages.info(request, "The course assignment was already complete.")
        return redirect("assignments:detail", pk=self.course_assignment.pk)
