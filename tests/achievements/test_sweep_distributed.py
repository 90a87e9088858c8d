"""The sweep across workers (SWEEP_DISTRIBUTED): one run's per-achievement evaluations as Celery
tasks on two real workers on Redis, against the test database on PostgreSQL; the same result as
the sweep in one process, under one run and one lock."""

import os
import re
from collections import Counter
from contextlib import ExitStack

import pytest

from achievements.models import Achievement, AchievementCompletion, AchievementWatermark, SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from deliveries.models import Delivery
from tests.helpers import celery_sender, celery_worker_process, database_url, wait_until

from .scenarios import SCENARIOS

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _outcome() -> tuple[set, set]:
    return (
        set(AchievementCompletion.objects.values_list("achievement_id", "student_id")),
        set(BadgeIssuance.objects.values_list("badge_id", "recipient_id", "method")),
    )


def _forget_the_sweep() -> None:
    Delivery.objects.all().delete()
    BadgeIssuance.objects.all().delete()
    AchievementCompletion.objects.all().delete()
    AchievementWatermark.objects.all().delete()
    SweepRun.objects.all().delete()


def test_two_workers_sweep_as_one_process_under_one_run_and_lock(
    organization, redis_broker, tmp_path, settings
):
    scenarios = [build(organization) for build in SCENARIOS.values()]
    in_process = sweep_run()
    assert in_process.status == SweepRun.Status.SUCCEEDED
    expected = _outcome()
    assert len(expected[1]) >= len(scenarios)
    _forget_the_sweep()

    settings.SWEEP_DISTRIBUTED = True
    sender = celery_sender(redis_broker.url, **redis_broker.transport_options)
    run = sweep_run(send=sender.send_task)

    # Queued, no worker yet: the run holds the lock by its lease.
    assert run.status == SweepRun.Status.RUNNING
    points = set(
        Achievement.objects.filter(criteria_type=Achievement.CriteriaType.POINTS).values_list(
            "pk", flat=True
        )
    )
    everything = set(Achievement.objects.values_list("pk", flat=True))
    assert set(run.pending) == everything - points
    assert sweep_run(send=sender.send_task).status == SweepRun.Status.SKIPPED
    settings.SWEEP_DISTRIBUTED = False
    assert sweep_run().status == SweepRun.Status.SKIPPED
    assert not BadgeIssuance.objects.exists()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.achievements.worker_settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "off",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker.url,
        "TEST_REDIS_KEY_PREFIX": redis_broker.prefix,
        "CELERY_TASK_ALWAYS_EAGER": "off",
        "SWEEP_DISTRIBUTED": "on",
    }
    with ExitStack() as workers:
        logs = [
            workers.enter_context(
                celery_worker_process(env, tmp_path / f"{name}.log", hostname=f"{name}@%h")
            )
            for name in ("first", "second")
        ]
        wait_until(
            lambda: SweepRun.objects.get(pk=run.pk).status != SweepRun.Status.RUNNING,
            timeout=90,
            interval=0.2,
            what="the distributed sweep run",
            log=logs[0],
        )
        text = "".join(log.read_text() for log in logs)

    run.refresh_from_db()
    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    assert run.finished_at is not None
    assert run.lease_until is None
    assert run.pending == []
    assert _outcome() == expected
    assert (run.achievements_evaluated, run.badges_issued) == (
        in_process.achievements_evaluated,
        in_process.badges_issued,
    )
    evaluated = Counter(
        int(pk) for pk in re.findall(rf"Sweep run {run.pk}: achievement (\d+) evaluated", text)
    )
    assert evaluated == Counter(everything)
    assert SweepRun.objects.filter(status=SweepRun.Status.SKIPPED).count() == 2
    # With the lease released, the next sweep runs (and finds nothing new).
    assert sweep_run().status == SweepRun.Status.SUCCEEDED
