"""Course assignment pages: the list, and the access to one assignment that its pages share."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django_filters.views import FilterView

from common.views import PortalPermissionMixin, filter_query_string

from .filters import CourseAssignmentFilter
from .selectors import (
    assignments_for_user,
)


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
        context["query_string"] = filter_query_string(self.request, context["filter"])
        return context


class CourseAssignmentMixin(PortalPermissionMixin):
    """An assignment of the user's organization (any, for platform staff); any other id is a 404."""

    permission_required = "assignments.view_courseassignment"

    @cached_property
    def course_assignment(self):
        return get_object_or_404(assignments_for_user(user=self.request.user), pk=self.kwargs["pk"])
