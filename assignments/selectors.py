"""Reads about course assignments, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin

from .models import CourseAssignment


def assignments_for_user(*, user: User) -> QuerySet[CourseAssignment]:
    """Course assignments of an administrator's organization (every one, for platform staff)."""
    assignments = CourseAssignment.objects.select_related("course", "student", "organization")
    if user.is_staff:
        return assignments
    if user_is_org_admin(user=user):
        return assignments.filter(organization_id=user.organization_id)
    return assignments.none()
