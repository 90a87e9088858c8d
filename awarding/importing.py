"""Import completion records from CSV: lab completions, course completions (through a class
enrollment or a course assignment) and exam attempts.

The file has a header row and these columns:

    kind          lab | enrollment | assignment | exam
    student       the student's username
    item          lab: the lab's code; enrollment: the class's id; assignment: the course's code;
                  exam: the exam's id
    completed_at  when it happened: ISO 8601, e.g. 2025-03-01T09:30:00+00:00 (a time without an
                  offset is in TIME_ZONE; a date alone is midnight there)
    score         exam rows only: the score in percent, 0 to 100 (pass or fail follows from the
                  exam's pass mark); empty for the other kinds

An enrollment row completes that student's enrollment in the class; an assignment row completes
every open assignment of that course to the student. Every row is validated; a bad row is reported
with its line number and the reason and nothing of it is written. Good rows are written in bulk,
a chunk at a time. Importing the same file again adds nothing: a lab completion or exam attempt
is the same fact when student, item and moment are the same, and a completed enrollment or
assignment keeps its first completion date. Rows are written through the one recording service
(services/recording.py), which re-evaluates their students once each chunk commits; the sweep
would also pick them up by their `recorded_at` / `completion_recorded_at`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TextIO

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from assignments.models import CourseAssignment
from catalog.models import Course, Exam, ExamAttempt, Lab, LabCompletion
from classes.models import Enrollment

from .services.recording import Completions, CourseCompletion, completions_record

COLUMNS = ("kind", "student", "item", "completed_at", "score")
KINDS = ("lab", "enrollment", "assignment", "exam")
ROWS_PER_CHUNK = 5000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no header, missing columns, a line the csv module
    refuses)."""


@dataclass
class ImportReport:
    rows: int = 0
    lab_completions: int = 0
    exam_attempts: int = 0
    enrollments_completed: int = 0
    assignments_completed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    kind: str
    student: str
    item: str
    completed_at: str
    score: str
    # Cells beyond the header's: a value with an unquoted comma shifts every column after it.
    extra_cells: int = 0


def completions_import(*, file: TextIO) -> ImportReport:
    """Validate and write every row of the CSV file; return what was written and what was not."""
    reader = csv.DictReader(file)
    if reader.fieldnames is None:
        raise ImportFileError("The file is empty: it needs a header row.")
    header = [name.strip() for name in reader.fieldnames]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            f"The header lacks the column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}."
        )
    reader.fieldnames = header
    report = ImportReport()
    counts_before = _record_counts()
    try:
        for chunk in _chunks(reader):
            report.rows += len(chunk)
            _import_chunk(chunk, report)
    except csv.Error as error:
        # A cell beyond the csv module's field limit (128 KiB; it bounds the memory a line takes)
        # stops the reading: line_num is the last line read whole.
        raise ImportFileError(
            f"line {reader.line_num + 1}: {error}. Rows before its chunk of {ROWS_PER_CHUNK:,} "
            "were imported; correct the line and import the file again (rows already recorded add "
            "nothing)."
        ) from error
    counts_after = _record_counts()
    report.lab_completions = counts_after["lab"] - counts_before["lab"]
    report.exam_attempts = counts_after["exam"] - counts_before["exam"]
    report.errors.sort()
    return report


def _record_counts() -> dict[str, int]:
    return {"lab": LabCompletion.objects.count(), "exam": ExamAttempt.objects.count()}


def _chunks(reader: csv.DictReader) -> Iterator[list[_Row]]:
    chunk: list[_Row] = []
    for record in reader:
        chunk.append(
            _Row(
                line=reader.line_num,
                **{column: (record.get(column) or "").strip() for column in COLUMNS},
                extra_cells=len(record.get(None) or []),
            )
        )
        if len(chunk) == ROWS_PER_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse_moment(value: str, now: datetime) -> datetime | str:
    """The moment, or the reason it is refused."""
    if not value:
        return "completed_at is missing"
    try:
        moment = parse_datetime(value)
        if moment is None:
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
        moment = timezone.make_aware(moment)
    if moment > now:
        return f"completed_at {value!r} is in the future"
    return moment


def _parse_score(row: _Row) -> int | str | None:
    if row.kind != "exam":
        return f"score is only for exam rows, not {row.kind} rows" if row.score else None
    if not row.score:
        return "score is missing (an exam attempt needs a score from 0 to 100)"
    if _id(row.score) is None or int(row.score) > 100:
        return f"score {row.score!r} is not a whole number from 0 to 100"
    return int(row.score)


def _id(value: str) -> int | None:
    """ASCII digits that fit a bigint, as a number: "¹" passes str.isdigit() but not int(), and
    SQLite cannot bind a larger number."""
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _ids(values: Iterable[str]) -> set[int]:
    return {_id(value) for value in values} - {None}


def _import_chunk(chunk: list[_Row], report: ImportReport) -> None:
    now = timezone.now()
    by_kind = {kind: [row for row in chunk if row.kind == kind] for kind in KINDS}
    students = User.objects.in_bulk({row.student for row in chunk}, field_name="username")
    labs = Lab.objects.in_bulk({row.item for row in by_kind["lab"]}, field_name="code")
    courses = Course.objects.in_bulk({row.item for row in by_kind["assignment"]}, field_name="code")
    exams = Exam.objects.in_bulk(_ids(row.item for row in by_kind["exam"]))
    student_ids = [student.pk for student in students.values()]
    enrollments = {
        (e.course_class_id, e.student_id): e
        for e in Enrollment.objects.filter(
            course_class_id__in=_ids(row.item for row in by_kind["enrollment"]),
            student_id__in=student_ids,
        ).only("id", "course_class_id", "student_id", "completed_at")
    }
    assignments: dict[tuple[int, int], list[CourseAssignment]] = {}
    for assignment in CourseAssignment.objects.filter(
        course__in=courses.values(), student_id__in=student_ids
    ).only("id", "course_id", "student_id", "completed_at"):
        assignments.setdefault((assignment.course_id, assignment.student_id), []).append(assignment)

    completions = Completions()
    for row in chunk:
        if row.extra_cells:
            report.errors.append(
                (row.line, f"{row.extra_cells} cell(s) more than the header has columns")
            )
            continue
        if row.kind not in KINDS:
            report.errors.append((row.line, f"kind {row.kind!r} is not one of {', '.join(KINDS)}"))
            continue
        student = students.get(row.student)
        if student is None:
            report.errors.append((row.line, f"no student with username {row.student!r}"))
            continue
        moment = _parse_moment(row.completed_at, now)
        if isinstance(moment, str):
            report.errors.append((row.line, moment))
            continue
        score = _parse_score(row)
        if isinstance(score, str):
            report.errors.append((row.line, score))
            continue
        if row.kind == "lab":
            lab = labs.get(row.item)
            if lab is None:
                report.errors.append((row.line, f"no lab with code {row.item!r}"))
                continue
            completions.lab_completions.append(
                LabCompletion(student=student, lab=lab, completed_at=moment)
            )
        elif row.kind == "exam":
            exam = exams.get(_id(row.item))
            if exam is None:
                report.errors.append((row.line, f"no exam with id {row.item!r}"))
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
                report.errors.append(
                    (row.line, f"{row.student!r} is not enrolled in a class with id {row.item!r}")
                )
                continue
            if enrollment.completed_at is None:
                completions.enrollments.append(
                    CourseCompletion(pk=enrollment.pk, student_id=student.pk, completed_at=moment)
                )
        else:
            course = courses.get(row.item)
            if course is None:
                report.errors.append((row.line, f"no course with code {row.item!r}"))
                continue
            open_or_done = assignments.get((course.pk, student.pk))
            if not open_or_done:
                report.errors.append(
                    (row.line, f"{row.student!r} has no assignment of course {row.item!r}")
                )
                continue
            completions.assignments.extend(
                CourseCompletion(pk=assignment.pk, student_id=student.pk, completed_at=moment)
                for assignment in open_or_done
                if assignment.completed_at is None
            )

    recorded = completions_record(completions=completions)
    report.enrollments_completed += recorded.enrollments_completed
    report.assignments_completed += recorded.assignments_completed
