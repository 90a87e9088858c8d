"""Reads about course assignments, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin
from catalog.models import Course

from .models import CourseAssignment


def assignments_for_user(*, user: User) -> QuerySet[CourseAssignment]:
    """Course assignments of an administrator's organization (every one, for platform staff)."""
    assignments = CourseAssignment.objects.select_related("course", "student", "organization")
    if user.is_staff:
        return assignments
    if user_is_org_admin(user=user):
        return assignments.filter(organization_id=user.organization_id)
    return assignments.none()


def courses_of_assignments_for_user(*, user: User) -> QuerySet[Course]:
    """The courses appearing in the course assignments a user may see, for the list's filter."""
    return Course.objects.filter(
        pk__in=assignments_for_user(user=user).values("course_id")
    ).order_by("title")
