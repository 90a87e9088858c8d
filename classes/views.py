"""Class pages: the Classes list, and the access to one class that its pages share."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import ListView

from common.views import PortalPermissionMixin

from .selectors import (
    classes_for_user,
    user_may_issue_for_class,
)

ISSUE_PERMISSIONS = ("classes.view_courseclass", "badges.issue_badge")


class ClassListView(PortalPermissionMixin, ListView):
    """Classes: every class of an administrator's organization; My Classes for an instructor."""

    permission_required = "classes.view_courseclass"
    template_name = "classes/class_list.html"
    context_object_name = "classes"
    paginate_by = 50

    def get_queryset(self):
        return (
            classes_for_user(user=self.request.user)
            .annotate(student_count=Count("enrollments"))
            .prefetch_related("instructors")
            .order_by("-starts_on", "name")
        )


class CourseClassMixin(PortalPermissionMixin):
    """A class the user may open (the ones they teach; an administrator's organization's): any
    other id is a 404. With `requires_issue`, a user who may open the class but not issue for it
    gets a 403."""

    permission_required = "classes.view_courseclass"
    requires_issue = False

    def has_permission(self):
        return super().has_permission() and (not self.requires_issue or self.may_issue)

    @cached_property
    def course_class(self):
        return get_object_or_404(classes_for_user(user=self.request.user), pk=self.kwargs["pk"])

    @cached_property
    def may_issue(self) -> bool:
        return user_may_issue_for_class(user=self.request.user, course_class=self.course_class)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(course_class=self.course_class, may_issue=self.may_issue)
        return context
