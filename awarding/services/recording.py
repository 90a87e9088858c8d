"""The one way completions are recorded: Mark complete on a roster or a course assignment and the
CSV import (awarding/importing.py) both come here.

A record is written once (a lab completion or exam attempt is the same fact when student, item and
moment are the same; a completed enrollment or course assignment keeps its first completion date),
stamped with the time it was recorded so that the sweep finds it, and the students concerned are
re-evaluated as soon as the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_administers_organization
from assignments.models import CourseAssignment
from catalog.models import ExamAttempt, LabCompletion
from classes.models import CourseClass, Enrollment
from classes.selectors import class_enrollments_visible_to, user_may_issue_for_class

from .reevaluation import students_reevaluate_on_commit

# Rows set complete per UPDATE: each carries its own date in a CASE.
UPDATES_PER_STATEMENT = 500


@dataclass(frozen=True)
class CourseCompletion:
    """An enrollment or a course assignment completed at a moment."""

    pk: int
    student_id: int
    completed_at: datetime


@dataclass
class Completions:
    """What to record: new lab completions and exam attempts (unsaved rows), and enrollments and
    course assignments to complete."""

    lab_completions: list[LabCompletion] = field(default_factory=list)
    exam_attempts: list[ExamAttempt] = field(default_factory=list)
    enrollments: list[CourseCompletion] = field(default_factory=list)
    assignments: list[CourseCompletion] = field(default_factory=list)

    def student_ids(self) -> set[int]:
        return (
            {row.student_id for row in self.lab_completions}
            | {row.student_id for row in self.exam_attempts}
            | {item.student_id for item in self.enrollments}
            | {item.student_id for item in self.assignments}
        )


@dataclass(frozen=True)
class Recorded:
    enrollments_completed: int
    assignments_completed: int


def completions_record(*, completions: Completions, now: datetime | None = None) -> Recorded:
    """Write the completions in a few statements, in one transaction, and queue the re-evaluation
    of their students after it commits. Records already there add nothing. `now` is the moment
    they are recorded at (by default, now)."""
    now = now or timezone.now()
    # Part of the caller's transaction when there is one (Mark complete reads and writes in one):
    # a savepoint would only add two statements.
    with transaction.atomic(savepoint=False):
        LabCompletion.objects.bulk_create(completions.lab_completions, ignore_conflicts=True)
        ExamAttempt.objects.bulk_create(completions.exam_attempts, ignore_conflicts=True)
        recorded = Recorded(
            enrollments_completed=_complete(Enrollment, completions.enrollments, now),
            assignments_completed=_complete(CourseAssignment, completions.assignments, now),
        )
        students_reevaluate_on_commit(student_ids=completions.student_ids())
    return recorded


def _complete(model, items: Iterable[CourseCompletion], now: datetime) -> int:
    """Set completed_at, the earliest asked for each row, on the rows still open (one completed in
    the meantime keeps its date)."""
    dates: dict[int, datetime] = {}
    for item in items:
        if item.pk not in dates or item.completed_at < dates[item.pk]:
            dates[item.pk] = item.completed_at
    updated = 0
    pks = sorted(dates)
    for start in range(0, len(pks), UPDATES_PER_STATEMENT):
        batch = pks[start : start + UPDATES_PER_STATEMENT]
        updated += model.objects.filter(pk__in=batch, completed_at__isnull=True).update(
            completed_at=Case(*(When(pk=pk, then=Value(dates[pk])) for pk in batch)),
            completion_recorded_at=now,
        )
    return updated


def enrollments_complete(
    *, actor: User, course_class: CourseClass, student_ids: Iterable[int]
) -> list[int]:
    """Mark these students' enrollments in the class complete, now. Already completed ones keep
    their original date. Returns the ids of the students newly completed."""
    if not user_may_issue_for_class(user=actor, course_class=course_class):
        raise PermissionDenied("You may not record completions for this class.")
    now = timezone.now()
    with transaction.atomic():
        open_enrollments = list(
            class_enrollments_visible_to(user=actor, course_class=course_class)
            .filter(student_id__in=list(student_ids), completed_at__isnull=True)
            .values_list("pk", "student_id")
        )
        completions_record(
            completions=Completions(
                enrollments=[
                    CourseCompletion(pk=pk, student_id=student_id, completed_at=now)
                    for pk, student_id in open_enrollments
                ]
            ),
            now=now,
        )
    return [student_id for _, student_id in open_enrollments]


def course_assignment_complete(*, actor: User, course_assignment: CourseAssignment) -> bool:
    """Mark the assignment complete now; False if it already was (its date is kept)."""
    if not user_administers_organization(
        user=actor, organization_id=course_assignment.organization_id
    ):
        raise PermissionDenied("You may not complete this course assignment.")
    now = timezone.now()
    recorded = completions_record(
        completions=Completions(
            assignments=[
                CourseCompletion(
                    pk=course_assignment.pk,
                    student_id=course_assignment.student_id,
                    completed_at=now,
                )
            ]
        ),
        now=now,
    )
    return recorded.assignments_completed > 0
