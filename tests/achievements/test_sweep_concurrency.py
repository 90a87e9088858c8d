"""The sweep next to itself and next to manual issuance, on PostgreSQL with real connections."""

import threading

import pytest
from django.db import connections

from achievements.models import AchievementCompletion, SweepRun
from awarding.sweep.lock import sweep_lock
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    LabCompletionFactory,
    LabFactory,
)

from .scenarios import day

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _in_threads(*targets):
    """Start every target at the same moment, each on its own database connection."""
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def run(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _class_of_students_who_met_a_lab(count=40):
    course_class = CourseClassFactory(instructors=[InstructorFactory()])
    organization = course_class.organization
    lab = LabFactory()
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(count)]
    for student in students:
        LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    achievement = AchievementFactory(organization=organization, lab=lab)
    badges = [
        BadgeFactory(
            organization=organization, achievement=achievement, manual_issuance_enabled=True
        )
        for _ in range(3)
    ]
    return course_class, students, badges


def test_two_sweeps_at_once_issue_exactly_what_one_would():
    _, students, badges = _class_of_students_who_met_a_lab()

    runs = _in_threads(
        lambda: sweep_run(trigger=SweepRun.Trigger.SCHEDULE),
        lambda: sweep_run(trigger=SweepRun.Trigger.COMMAND),
    )

    assert {run.status for run in runs} <= {SweepRun.Status.SUCCEEDED, SweepRun.Status.SKIPPED}
    assert sum(run.badges_issued for run in runs) == len(students) * len(badges)
    assert BadgeIssuance.objects.count() == len(students) * len(badges)
    assert AchievementCompletion.objects.count() == len(students)


def test_second_sweep_skips_while_one_holds_the_lock_and_says_so():
    _class_of_students_who_met_a_lab(count=2)

    with sweep_lock() as acquired:
        assert acquired
        [run] = _in_threads(lambda: sweep_run(trigger=SweepRun.Trigger.SCHEDULE))

    assert run.status == SweepRun.Status.SKIPPED
    assert not BadgeIssuance.objects.exists()
    assert sweep_run().status == SweepRun.Status.SUCCEEDED
    assert BadgeIssuance.objects.count() == 6


def test_manual_batch_racing_a_sweep_leaves_one_row_per_pair():
    course_class, students, badges = _class_of_students_who_met_a_lab(count=60)
    instructor = course_class.instructors.get()
    pairs = [(badge.pk, student.pk) for badge in badges for student in students]

    def manual_batch():
        context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)
        return badge_issue_many(context=context, pairs=pairs)

    outcomes, run = _in_threads(manual_batch, lambda: sweep_run(trigger=SweepRun.Trigger.SCHEDULE))

    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    assert BadgeIssuance.objects.count() == len(pairs)
    manual = sum(outcome.issued for outcome in outcomes)
    assert manual + run.badges_issued == len(pairs)
    assert {(issuance.method, issuance.source) for issuance in BadgeIssuance.objects.all()} <= {
        ("manual", "batch"),
        ("automatic", "achievement"),
    }
