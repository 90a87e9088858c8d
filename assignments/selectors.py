"""Reads about course assignments, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin
from badges.models import Badge, BadgeIssuance
from catalog.models import Course
from classes.selectors import badges_issuable_in_organization

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


def badges_issuable_for_assignment(
    *, course_assignment: CourseAssignment, search: str = ""
) -> QuerySet[Badge]:
    """The Choose Badge list of a course assignment: its organization's active badges with manual
    issuance enabled, each saying whether the assignment's student already holds it."""
    return badges_issuable_in_organization(
        organization_id=course_assignment.organization_id,
        recipient_id=course_assignment.student_id,
        search=search,
    )


def issuances_from_assignment(*, course_assignment: CourseAssignment) -> QuerySet[BadgeIssuance]:
    return BadgeIssuance.objects.filter(source_assignment=course_assignment).select_related(
        "badge", "issued_by"
    )
