"""Reads about course assignments, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import administered_by
from catalog.models import Course

from .models import CourseAssignment


def assignments_for_user(*, user: User) -> QuerySet[CourseAssignment]:
    """Course assignments of an administrator's organization (every one, for platform staff)."""
    assignments = CourseAssignment.objects.select_related("course", "student", "organization")
    return administered_by(user=user, queryset=assignments)


def courses_of_assignments_for_user(*, user: User) -> QuerySet[Course]:
    """The courses appearing in the course assignments a user may see, for the list's filter."""
    return Course.objects.filter(
        pk__in=assignments_for_user(user=user).values("course_id")
    ).order_by("title")
