"""A real Celery worker on Redis runs the sweep and the re-evaluation after a completion, against
the test database (not eager mode). Needs PostgreSQL (the worker is another process) and Redis."""

import json
import os

import pytest
from django.urls import reverse

from achievements.models import SweepRun
from awarding.services.recording import enrollments_complete
from badges.models import BadgeIssuance
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    LabCompletionFactory,
    LabFactory,
)
from tests.helpers import celery_sender, celery_worker_process, database_url, logged_in, wait_until

from .scenarios import day

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery_worker(redis_broker, tmp_path):
    """A worker of the portal on the production settings, its broker keys under the run's prefix
    (worker_settings.py); yields its log."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.achievements.worker_settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "off",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker.url,
        "TEST_REDIS_KEY_PREFIX": redis_broker.prefix,
        "CELERY_TASK_ALWAYS_EAGER": "off",
    }
    with celery_worker_process(env, tmp_path / "worker.log") as log:
        yield log


def _lab_achievement_with_badge(organization):
    lab = LabFactory()
    achievement = AchievementFactory(organization=organization, lab=lab)
    badge = BadgeFactory(organization=organization, achievement=achievement)
    return lab, badge


def test_worker_on_redis_runs_the_sweep_task_end_to_end(celery_worker, redis_broker):
    course_class = CourseClassFactory()
    lab, badge = _lab_achievement_with_badge(course_class.organization)
    student = EnrollmentFactory(course_class=course_class).student
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))

    sender = celery_sender(redis_broker.url, **redis_broker.transport_options)
    sender.send_task("awarding.tasks.sweep_achievements")

    wait_until(
        lambda: SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED).exists(),
        timeout=60,
        interval=0.2,
        what="the sweep run",
        log=celery_worker,
    )
    run = SweepRun.objects.get()
    assert run.trigger == SweepRun.Trigger.SCHEDULE
    assert run.badges_issued == 1
    issuance = BadgeIssuance.objects.get()
    assert (issuance.badge, issuance.recipient, issuance.method) == (badge, student, "automatic")


def test_completion_marked_in_the_portal_is_evaluated_by_the_worker_within_seconds(
    celery_worker, portal_app_on, redis_broker
):
    portal_app_on(redis_broker.url, redis_broker.transport_options)
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

    wait_until(
        lambda: BadgeIssuance.objects.filter(badge=badge, recipient=student).exists(),
        timeout=30,
        interval=0.2,
        what="the badge issued by the re-evaluation task",
        log=celery_worker,
    )
    assert "awarding.tasks.evaluate_students" in celery_worker.read_text()
    assert not SweepRun.objects.exists()


def _json_lines(log) -> list[dict]:
    return [json.loads(text) for text in log.read_text().splitlines() if text.startswith("{")]


def test_the_request_id_of_a_web_request_is_in_the_log_lines_of_the_task_it_queued(
    celery_worker, portal_app_on, redis_broker, client
):
    portal_app_on(redis_broker.url, redis_broker.transport_options)
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
    BadgeFactory(organization=course_class.organization, achievement=achievement)
    student = EnrollmentFactory(course_class=course_class).student

    response = logged_in(client, instructor).post(
        reverse("classes:complete", args=[course_class.pk]), {"student": [student.pk]}
    )
    assert response.status_code == 302
    request_id = response["X-Request-ID"]

    def task_lines():
        return [line for line in _json_lines(celery_worker) if line.get("request_id") == request_id]

    wait_until(
        lambda: any(line["logger"] == "awarding.tasks" for line in task_lines()),
        timeout=30,
        interval=0.2,
        what="the task's log line with the request id",
        log=celery_worker,
    )
    lines = task_lines()
    finished = next(line for line in lines if line["logger"] == "awarding.tasks")
    assert finished["event"].startswith("Re-evaluated 1 student(s): 1 achievement(s) completed")
    assert finished["user_id"] == instructor.pk
    assert finished["level"] == "info"
    # django-structlog's own lines of the task carry it too, and name the task.
    assert {"task_started", "task_succeeded"} <= {line["event"] for line in lines}
    # Every other task line of this worker belongs to no request (there was only this one).
    assert all(line.get("request_id") in (None, request_id) for line in _json_lines(celery_worker))


def test_run_sweep_now_on_sweep_runs_is_run_by_the_worker(
    celery_worker, portal_app_on, redis_broker, client
):
    from django.urls import reverse

    from tests.factories import AdministratorFactory

    portal_app_on(redis_broker.url, redis_broker.transport_options)
    course_class = CourseClassFactory()
    lab, badge = _lab_achievement_with_badge(course_class.organization)
    student = EnrollmentFactory(course_class=course_class).student
    LabCompletionFactory(student=student, lab=lab, completed_at=day(1))
    client.force_login(AdministratorFactory(organization=course_class.organization))

    response = client.post(reverse("achievements:sweep_run_now"))

    assert response.status_code == 302
    wait_until(
        lambda: SweepRun.objects.filter(status=SweepRun.Status.SUCCEEDED).exists(),
        timeout=60,
        interval=0.2,
        what="the sweep run asked for on Sweep Runs",
        log=celery_worker,
    )
    assert "awarding.tasks.sweep_achievements" in celery_worker.read_text()
    [run] = client.get(reverse("achievements:sweep_runs")).context["runs"]
    assert run.shown_badges_issued == 1
    assert BadgeIssuance.objects.get().recipient == student
