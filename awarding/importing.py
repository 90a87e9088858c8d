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
with its line number and the reason and nothing of it is written (the validation is shared with
the integration API: services/completions_validation.py). Good rows are written in bulk,
a chunk at a time. Importing the same file again adds nothing: a lab completion or exam attempt
is the same fact when student, item and moment are the same, and a completed enrollment or
assignment keeps its first completion date. Rows are written through the one recording service
(services/recording.py), which re-evaluates their students once each chunk commits; the sweep
would also pick them up by their `recorded_at` / `completion_recorded_at`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from catalog.models import ExamAttempt, LabCompletion

from .services.completions_validation import (
    CompletionRow,
    completions_merge,
    completions_validate,
)
from .services.recording import completions_record

COLUMNS = ("kind", "student", "item", "completed_at", "score")
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


def _import_chunk(chunk: list[_Row], report: ImportReport) -> None:
    rows = [row for row in chunk if not row.extra_cells]
    for row in chunk:
        if row.extra_cells:
            report.errors.append(
                (row.line, f"{row.extra_cells} cell(s) more than the header has columns")
            )
    results = completions_validate(
        [
            CompletionRow(
                kind=row.kind,
                student=row.student,
                item=row.item,
                completed_at=row.completed_at,
                score=row.score,
            )
            for row in rows
        ]
    )
    report.errors.extend(
        (row.line, result)
        for row, result in zip(rows, results, strict=True)
        if isinstance(result, str)
    )
    recorded = completions_record(
        completions=completions_merge(result for result in results if not isinstance(result, str))
    )
    report.enrollments_completed += recorded.enrollments_completed
    report.assignments_completed += recorded.assignments_completed
