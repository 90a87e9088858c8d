"""The sweep evaluates independent achievements on several connections at once: each achievement's
outcome lands in its place, a broken one does not stop the others, and every worker thread closes
the connection it opened."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from achievements.models import AchievementCompletion, AchievementWatermark, SweepRun
from awarding.sweep import evaluation
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    LabCompletionFactory,
    LabFactory,
    OrganizationFactory,
    StudentFactory,
)

from .scenarios import day

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_worker_threads_evaluate_every_achievement_and_close_their_connections(
    settings, monkeypatch
):
    settings.SWEEP_CONNECTIONS = 3
    organization = OrganizationFactory()
    students = [StudentFactory(organization=organization) for _ in range(4)]
    achievements = []
    for _ in range(6):
        lab = LabFactory()
        for student in students:
            LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
        achievement = AchievementFactory(organization=organization, lab=lab)
        BadgeFactory(organization=organization, achievement=achievement)
        achievements.append(achievement)
    broken = achievements[2]
    workers = {}
    record_completions = evaluation.record_completions

    def record_or_break(*, criteria, **kwargs):
        workers[threading.current_thread().name] = connections[DEFAULT_DB_ALIAS]
        if criteria.achievement_id == broken.pk:
            raise RuntimeError("broken on purpose")
        return record_completions(criteria=criteria, **kwargs)

    monkeypatch.setattr(evaluation, "record_completions", record_or_break)

    run = sweep_run()

    assert run.status == SweepRun.Status.FAILED
    assert run.error == (
        f"Achievement {broken.pk} ({broken.name}): RuntimeError: broken on purpose"
    )
    assert (run.achievements_evaluated, run.achievements_completed, run.badges_issued) == (
        5,
        5 * len(students),
        5 * len(students),
    )
    assert AchievementCompletion.objects.count() == 5 * len(students)
    assert BadgeIssuance.objects.count() == 5 * len(students)
    assert set(AchievementWatermark.objects.values_list("pk", flat=True)) == {
        achievement.pk for achievement in achievements if achievement != broken
    }
    assert 1 <= len(workers) <= 3
    assert all(name.startswith("sweep") for name in workers)
    assert all(worker.connection is None for worker in workers.values())
    assert connections[DEFAULT_DB_ALIAS] not in workers.values()
