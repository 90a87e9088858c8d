"""The validation of completion rows, shared by the CSV import (awarding/importing.py) and the
integration API (api/ingest.py): each row becomes the records it stands for, or the reason it is
refused. Lookups are a fixed number of queries whatever the number of rows.

A row says: kind (lab | enrollment | assignment | exam), student (a username), item (a lab's code,
a class's id, a course's code or an exam's id), completed_at (ISO 8601) and, for exams only, the
score in percent. With an organization, the student, the class and the course assignment must be
that organization's; one of another organization is refused exactly like an unknown one. The
catalog (labs, courses, exams) is shared by every organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from assignments.models import CourseAssignment
from catalog.models import Course, Exam, ExamAttempt, Lab, LabCompletion
from classes.models import Enrollment

from .recording import Completions, CourseCompletion

KINDS = ("lab", "enrollment", "assignment", "exam")


@dataclass(frozen=True)
class CompletionRow:
    """One completion as sent: text, as in a CSV cell (the API's integer score is allowed)."""

    kind: str
    student: str
    item: str
    completed_at: str
    score: str | int | None = ""


def completions_validate(
    rows: Sequence[CompletionRow],
    *,
    organization_id: int | None = None,
    offset_required: bool = False,
    now: datetime | None = None,
) -> list[Completions | str]:
    """For each row, in order, the Completions it records (possibly nothing new: an enrollment
    already completed) or the reason it is refused. `organization_id` scopes students, classes
    and course assignments to one organization; `offset_required` refuses a completed_at without
    a UTC offset (the CSV import takes it in TIME_ZONE)."""
    now = now or timezone.now()
    usable = [row for row in rows if not _unstorable_field(row)]
    by_kind = {kind: [row for row in usable if row.kind == kind] for kind in KINDS}
    students_found = User.objects.filter(username__in={row.student for row in usable})
    if organization_id is not None:
        students_found = students_found.filter(organization_id=organization_id)
    students = {student.username: student for student in students_found.only("id", "username")}
    labs = Lab.objects.in_bulk({row.item for row in by_kind["lab"]}, field_name="code")
    courses = Course.objects.in_bulk({row.item for row in by_kind["assignment"]}, field_name="code")
    exams = Exam.objects.in_bulk(_ids(row.item for row in by_kind["exam"]))
    student_ids = [student.pk for student in students.values()]
    enrollments_found = Enrollment.objects.filter(
        course_class_id__in=_ids(row.item for row in by_kind["enrollment"]),
        student_id__in=student_ids,
    )
    if organization_id is not None:
        enrollments_found = enrollments_found.filter(course_class__organization_id=organization_id)
    enrollments = {
        (e.course_class_id, e.student_id): e
        for e in enrollments_found.only("id", "course_class_id", "student_id", "completed_at")
    }
    assignments_found = CourseAssignment.objects.filter(
        course__in=courses.values(), student_id__in=student_ids
    )
    if organization_id is not None:
        assignments_found = assignments_found.filter(organization_id=organization_id)
    assignments: dict[tuple[int, int], list[CourseAssignment]] = {}
    for assignment in assignments_found.only("id", "course_id", "student_id", "completed_at"):
        assignments.setdefault((assignment.course_id, assignment.student_id), []).append(assignment)

    results: list[Completions | str] = []
    for row in rows:
        unstorable = _unstorable_field(row)
        if unstorable:
            results.append(unstorable)
            continue
        if row.kind not in KINDS:
            results.append(f"kind {row.kind!r} is not one of {', '.join(KINDS)}")
            continue
        student = students.get(row.student)
        if student is None:
            results.append(f"no student with username {row.student!r}")
            continue
        moment = _parse_moment(row.completed_at, now, offset_required=offset_required)
        if isinstance(moment, str):
            results.append(moment)
            continue
        score = _parse_score(row)
        if isinstance(score, str):
            results.append(score)
            continue
        completions = Completions()
        if row.kind == "lab":
            lab = labs.get(row.item)
            if lab is None:
                results.append(f"no lab with code {row.item!r}")
                continue
            completions.lab_completions.append(
                LabCompletion(student=student, lab=lab, completed_at=moment)
            )
        elif row.kind == "exam":
            exam = exams.get(_id(row.item))
            if exam is None:
                results.append(f"no exam with id {row.item!r}")
                continue
            completions.exam_attempts.append(
                ExamAttempt(
                    student=student,
                    exam=exam,
                    score=score,
                    passed=score >= exam.pass_mark,
                    attempted_at=moment,
                )
            )
        elif row.kind == "enrollment":
            enrollment = enrollments.get((_id(row.item), student.pk))
            if enrollment is None:
                results.append(f"{row.student!r} is not enrolled in a class with id {row.item!r}")
                continue
            if enrollment.completed_at is None:
                completions.enrollments.append(
                    CourseCompletion(pk=enrollment.pk, student_id=student.pk, completed_at=moment)
                )
        else:
            course = courses.get(row.item)
            if course is None:
                results.append(f"no course with code {row.item!r}")
                continue
            open_or_done = assignments.get((course.pk, student.pk))
            if not open_or_done:
                results.append(f"{row.student!r} has no assignment of course {row.item!r}")
                continue
            completions.assignments.extend(
                CourseCompletion(pk=assignment.pk, student_id=student.pk, completed_at=moment)
                for assignment in open_or_done
                if assignment.completed_at is None
            )
        results.append(completions)
    return results


def completions_merge(parts: Iterable[Completions]) -> Completions:
    """One Completions holding every part's records, to record in one go. The new rows are in
    the order of their unique keys, so two writers inserting some of the same facts at once take
    the index's locks in the same order and cannot deadlock (the completed enrollments and
    assignments are updated in the order of their ids already)."""
    merged = Completions()
    for part in parts:
        merged.lab_completions.extend(part.lab_completions)
        merged.exam_attempts.extend(part.exam_attempts)
        merged.enrollments.extend(part.enrollments)
        merged.assignments.extend(part.assignments)
    merged.lab_completions.sort(key=lambda r: (r.student_id, r.lab_id, r.completed_at))
    merged.exam_attempts.sort(key=lambda r: (r.student_id, r.exam_id, r.attempted_at))
    return merged


def _unstorable_field(row: CompletionRow) -> str | None:
    """What makes a field unstorable ("student contains a NUL character"), if any."""
    for name in ("kind", "student", "item", "completed_at", "score"):
        value = getattr(row, name)
        problem = text_unstorable(value) if isinstance(value, str) else None
        if problem:
            return f"{name} contains {problem}"
    return None


def text_unstorable(text: str) -> str | None:
    """Why PostgreSQL cannot store or compare this text, if it cannot: a NUL character, or a
    lone surrogate (JSON's "\\ud800" decodes to one; it has no UTF-8 encoding)."""
    if "\x00" in text:
        return "a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a character that is not valid Unicode"
    return None


def _parse_moment(value: str, now: datetime, *, offset_required: bool) -> datetime | str:
    """The moment, or the reason it is refused."""
    if not value:
        return "completed_at is missing"
    try:
        moment = parse_datetime(value)
        if moment is None and not offset_required:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        return (
            f"completed_at {value!r} is not a date and time "
            "(use ISO 8601, e.g. 2025-03-01T09:30:00+00:00)"
        )
    if timezone.is_naive(moment):
        if offset_required:
            return (
                f"completed_at {value!r} has no UTC offset "
                "(add one, e.g. 2025-03-01T09:30:00+00:00 or …Z)"
            )
        moment = timezone.make_aware(moment)
    if moment > now:
        return f"completed_at {value!r} is in the future"
    return moment


def _parse_score(row: CompletionRow) -> int | str | None:
    score = row.score
    if row.kind != "exam":
        return (
            f"score is only for exam rows, not {row.kind} rows" if score not in ("", None) else None
        )
    if score in ("", None):
        return "score is missing (an exam attempt needs a score from 0 to 100)"
    if isinstance(score, int):
        if 0 <= score <= 100:
            return score
        # Not echoed: the number may have thousands of digits.
        return "score is not a whole number from 0 to 100"
    if _id(score) is None or int(score) > 100:
        return f"score {score!r} is not a whole number from 0 to 100"
    return int(score)


def _id(value: str) -> int | None:
    """ASCII digits that fit a bigint, as a number: "¹" passes str.isdigit() but not int(), and
    SQLite cannot bind a larger number."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _ids(values: Iterable[str]) -> set[int]:
    return {_id(value) for value in values} - {None}
