"""manage.py import_completions: good rows written, bad rows reported by line, idempotent."""

from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assignments.models import CourseAssignment
from catalog.models import ExamAttempt, LabCompletion
from classes.models import Enrollment
from tests.factories import (
    CourseAssignmentFactory,
    CourseClassFactory,
    EnrollmentFactory,
    ExamFactory,
    LabFactory,
    StudentFactory,
)

UTC = timezone.get_fixed_timezone(0)


@pytest.fixture
def completion_targets(organization):
    student = StudentFactory(organization=organization, username="ada")
    lab = LabFactory(code="LAB-VM")
    exam = ExamFactory(pass_mark=70)
    course_class = CourseClassFactory(organization=organization)
    enrollment = EnrollmentFactory(course_class=course_class, student=student)
    assignment = CourseAssignmentFactory(organization=organization, student=student)
    return {
        "student": student,
        "lab": lab,
        "exam": exam,
        "class": course_class,
        "enrollment": enrollment,
        "assignment": assignment,
    }


def _write(tmp_path, *lines: str):
    path = tmp_path / "completions.csv"
    path.write_text("\n".join(["kind,student,item,completed_at,score", *lines]) + "\n")
    return path


def _good_rows(completion_targets) -> list[str]:
    return [
        "lab,ada,LAB-VM,2025-03-01T09:30:00+00:00,",
        f"exam,ada,{completion_targets['exam'].pk},2025-03-02T10:00:00Z,85",
        f"exam,ada,{completion_targets['exam'].pk},2025-02-02T10:00:00Z,40",
        f"enrollment,ada,{completion_targets['class'].pk},2025-03-03,",
        f"assignment,ada,{completion_targets['assignment'].course.code},2025-03-04T12:00:00+02:00,",
    ]


def test_good_rows_are_written(completion_targets, tmp_path, capsys):
    call_command("import_completions", str(_write(tmp_path, *_good_rows(completion_targets))))

    lab = LabCompletion.objects.get()
    assert (lab.student, lab.lab) == (completion_targets["student"], completion_targets["lab"])
    assert lab.completed_at == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    assert lab.recorded_at > lab.completed_at
    attempts = {a.score: a.passed for a in ExamAttempt.objects.all()}
    assert attempts == {85: True, 40: False}
    enrollment = Enrollment.objects.get(pk=completion_targets["enrollment"].pk)
    assert enrollment.completed_at == datetime(2025, 3, 3, tzinfo=UTC)
    assert enrollment.completion_recorded_at is not None
    assignment = CourseAssignment.objects.get(pk=completion_targets["assignment"].pk)
    assert assignment.completed_at == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert "Read 5 row(s), refused 0" in capsys.readouterr().out


def test_bad_rows_are_reported_with_line_numbers_and_written_nowhere(
    completion_targets, tmp_path, capsys
):
    other_class = CourseClassFactory()
    path = _write(
        tmp_path,
        "lab,ada,LAB-VM,2025-03-01T09:30:00+00:00,",  # line 2: good
        "lab,nobody,LAB-VM,2025-03-01T09:30:00+00:00,",  # 3
        "lab,ada,LAB-NOPE,2025-03-01T09:30:00+00:00,",  # 4
        "lab,ada,LAB-VM,yesterday,",  # 5
        "lab,ada,LAB-VM,2999-01-01T00:00:00+00:00,",  # 6
        f"exam,ada,{completion_targets['exam'].pk},2025-03-02T10:00:00Z,",  # 7
        f"exam,ada,{completion_targets['exam'].pk},2025-03-02T10:00:00Z,101",  # 8
        "lab,ada,LAB-VM,2025-03-05T09:30:00+00:00,12",  # 9
        f"enrollment,ada,{other_class.pk},2025-03-03,",  # 10
        "assignment,ada,NO-SUCH-COURSE,2025-03-03,",  # 11
        "certificate,ada,X,2025-03-03,",  # 12
        f"exam,ada,{completion_targets['exam'].pk + 1000},2025-03-02T10:00:00Z,80",  # 13
    )

    with pytest.raises(CommandError, match="11 row"):
        call_command("import_completions", str(path))

    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "line 3: no student with username 'nobody'",
        "line 4: no lab with code 'LAB-NOPE'",
        "line 5: completed_at 'yesterday' is not a date and time "
        "(use ISO 8601, e.g. 2025-03-01T09:30:00+00:00)",
        "line 6: completed_at '2999-01-01T00:00:00+00:00' is in the future",
        "line 7: score is missing (an exam attempt needs a score from 0 to 100)",
        "line 8: score '101' is not a whole number from 0 to 100",
        "line 9: score is only for exam rows, not lab rows",
        f"line 10: 'ada' is not enrolled in a class with id '{other_class.pk}'",
        "line 11: no course with code 'NO-SUCH-COURSE'",
        "line 12: kind 'certificate' is not one of lab, enrollment, assignment, exam",
        f"line 13: no exam with id '{completion_targets['exam'].pk + 1000}'",
    ]
    assert LabCompletion.objects.count() == 1
    assert not ExamAttempt.objects.exists()
    assert Enrollment.objects.filter(completed_at__isnull=False).count() == 0


def test_importing_the_same_file_twice_adds_nothing(completion_targets, tmp_path, capsys):
    path = _write(tmp_path, *_good_rows(completion_targets))
    call_command("import_completions", str(path))
    first = (
        list(LabCompletion.objects.values_list("pk", "recorded_at")),
        list(ExamAttempt.objects.values_list("pk", "recorded_at")),
        Enrollment.objects.get(pk=completion_targets["enrollment"].pk).completion_recorded_at,
    )
    capsys.readouterr()

    call_command("import_completions", str(path))

    assert (
        list(LabCompletion.objects.values_list("pk", "recorded_at")),
        list(ExamAttempt.objects.values_list("pk", "recorded_at")),
        Enrollment.objects.get(pk=completion_targets["enrollment"].pk).completion_recorded_at,
    ) == first
    assert "Written: 0 lab completion(s), 0 exam attempt(s), 0 enrollment(s) completed, " in (
        capsys.readouterr().out
    )


def test_file_without_the_columns_is_refused_whole(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("who,what\nada,LAB-VM\n")

    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_completions", str(path))


def test_a_cell_beyond_the_csv_field_limit_is_refused_with_its_line(db, tmp_path):
    """Found by probing: a 200,000-character cell crashed the command with a traceback."""
    path = _write(
        tmp_path, "lab,ada,LAB-VM,2025-03-01,", "lab,ada," + "x" * 200_000 + ",2025-03-01,"
    )

    with pytest.raises(CommandError, match=r"line 3: field larger than field limit"):
        call_command("import_completions", str(path))
