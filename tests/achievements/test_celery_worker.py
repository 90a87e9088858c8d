"""A real Celery worker on Redis runs the sweep and the re-evaluation after a completion, against
the test database (not eager mode). Needs PostgreSQL (the worker is another process) and Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from achievements.models import SweepRun
from awarding.services.recording import enrollments_complete
from badges.models import BadgeIssuance
from tests.conftest import IN_CI
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
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if IN_CI:
            pytest.fail(f"CI runs the worker test: Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(redis_broker, tmp_path):
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms_portal.settings.production",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "off",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_TASK_ALWAYS_EAGER": "off",
    }
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: "ready." in log_path.read_text(), what="the worker", log=log_path)
        yield log_path
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait_for(condition, *, what: str, log: Path, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out waiting for {what}. Worker log:\n{log.read_text()}")


def _lab_achievement_with_badge(organization):
    lab = LabFactory()
    achievement = AchievementFactory(organization=organization, lab=lab)
    badge = BadgeFactory(organization=organization, achievement=achievement)
    return lab, badge


def test_worker_on_redis_runs_the_sweep_task_end_to_end(celery_worker):
    course_class = CourseClassFactory()
    lab, badge = _lab_achievement_with_badge(course_class.organization)
    student = EnrollmentFactory(course_class=course_class).student
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))

    sender = Celery(broker=REDIS_URL)
    sender.send_task("awarding.tasks.sweep_achievements")

    _wait_for(
        lambda: SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED).exists(),
        what="the sweep run",
        log=celery_worker,
    )
    run = SweepRun.objects.get()
    assert run.trigger == SweepRun.Trigger.SCHEDULE
    assert run.badges_issued == 1
    issuance = BadgeIssuance.objects.get()
    assert (issuance.badge, issuance.recipient, issuance.method) == (badge, student, "automatic")


def test_completion_marked_in_the_portal_is_evaluated_by_the_worker_within_seconds(
    celery_worker, portal_app_on
):
    portal_app_on(REDIS_URL)
    instructor = InstructorFactory()
    course_class = CourseClassFactory(instructors=[instructor])
    instructor.organization = course_class.organization
    instructor.save()
    achievement = AchievementFactory(
        organization=course_class.organization,
        criteria_type="course",
        lab=None,
        course=course_class.course,
    )
    badge = BadgeFactory(organization=course_class.organization, achievement=achievement)
    student = EnrollmentFactory(course_class=course_class).student

    enrollments_complete(actor=instructor, course_class=course_class, student_ids=[student.pk])

    _wait_for(
        lambda: BadgeIssuance.objects.filter(badge=badge, recipient=student).exists(),
        what="the badge issued by the re-evaluation task",
        log=celery_worker,
        seconds=30,
    )
    assert "awarding.tasks.evaluate_students" in celery_worker.read_text()
    assert not SweepRun.objects.exists()
