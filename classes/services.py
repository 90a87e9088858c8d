"""Writes about classes: recording that enrollments were completed."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from achievements.services import achievements_reevaluate_students_on_commit

from .models import CourseClass, Enrollment
from .selectors import class_enrollments_visible_to, user_may_issue_for_class


def enrollments_complete(
    *, actor: User, course_class: CourseClass, student_ids: Iterable[int]
) -> list[int]:
    """Mark these students' enrollments in the class complete, now. Already completed ones keep
    their original date. Returns the ids of the students newly completed."""
    if not user_may_issue_for_class(user=actor, course_class=course_class):
        raise PermissionDenied("You may not record completions for this class.")
    now = timezone.now()
    with transaction.atomic():
        enrollments = class_enrollments_visible_to(user=actor, course_class=course_class).filter(
            student_id__in=list(student_ids), completed_at__isnull=True
        )
        completed = list(enrollments.values_list("student_id", flat=True))
        Enrollment.objects.filter(course_class=course_class, student_id__in=completed).update(
            completed_at=now, completion_recorded_at=now
        )
        achievements_reevaluate_students_on_commit(student_ids=completed)
    return completed
