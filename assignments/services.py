"""Writes about course assignments."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_is_org_admin
from achievements.services import achievements_reevaluate_students_on_commit

from .models import CourseAssignment


def course_assignment_complete(*, actor: User, course_assignment: CourseAssignment) -> bool:
    """Mark the assignment complete now; False if it already was (its date is kept)."""
    if not (
        actor.is_staff
        or (
            user_is_org_admin(user=actor)
            and actor.organization_id == course_assignment.organization_id
        )
    ):
        raise PermissionDenied("You may not complete this course assignment.")
    now = timezone.now()
    updated = CourseAssignment.objects.filter(
        pk=course_assignment.pk, completed_at__isnull=True
    ).update(completed_at=now, completion_recorded_at=now)
    if updated:
        achievements_reevaluate_students_on_commit(student_ids=[course_assignment.student_id])
    return bool(updated)
