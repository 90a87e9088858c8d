"""Faults: a real Celery worker on Redis, SIGKILLed in the middle of a batch of Credly deliveries,
then a normal run: every delivery is done and Credly holds one badge per issuance (the stand-in
accepts duplicates here, so a second issue would show). Needs PostgreSQL and Redis."""

import os
import signal
from collections import Counter

import pytest
from django.utils import timezone

from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from deliveries.models import Delivery
from deliveries.services import kick
from tests.deliveries.helpers import connect_standin
from tests.factories import BadgeFactory, EnrollmentFactory
from tests.helpers import celery_sender, database_url, wait_until
from tests.helpers import celery_worker as worker_process

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

STUDENTS = 30
LEASE_SECONDS = 4


def _worker_env(redis_broker, smtp_server) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.achievements.worker_settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "off",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker.url,
        "TEST_REDIS_KEY_PREFIX": redis_broker.prefix,
        "CELERY_TASK_ALWAYS_EAGER": "off",
        "EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}",
        "DELIVERY_BATCH_SIZE": str(STUDENTS),
        "DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "DELIVERY_EMAIL_PER_SECOND": "0",
        # Shared through the run's Redis keys, as in production.
        "DELIVERY_CREDLY_PER_SECOND": "50",
        "DELIVERY_RATE_LIMIT_URL": redis_broker.url,
        "DELIVERY_RATE_LIMIT_KEY_PREFIX": redis_broker.prefix,
    }


def _send_drain(redis_broker) -> None:
    sender = celery_sender(redis_broker.url, **redis_broker.transport_options)
    sender.send_task("deliveries.tasks.drain_deliveries")


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_no_credly_badge(
    redis_broker,
    smtp_server,
    credly_standin,
    instructor,
    course_class,
    organization,
    tmp_path,
    monkeypatch,
):
    # Every request to the stand-in takes a while: the batch is still sending when it is killed.
    credly_standin.latency = 0.2
    credly_standin.allow_duplicates = True
    connect_standin(organization, credly_standin)
    badge = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, credly_template_id="tpl"
    )
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(STUDENTS)]
    # The drain is the worker's to do: no kick from this (eager) test process.
    monkeypatch.setattr(kick, "_queue_drain", lambda: None)
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)
    badge_issue_many(context=context, pairs=[(badge.pk, s.pk) for s in students])
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 2 * STUDENTS

    env = _worker_env(redis_broker, smtp_server)
    with worker_process(env, tmp_path / "first.log") as worker:
        _send_drain(redis_broker)
        wait_until(
            lambda: len(credly_standin.issued()) >= 5,
            timeout=60,
            interval=0.02,
            what="the first Credly badges",
            log=tmp_path / "first.log",
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    issued_before = len(credly_standin.issued())
    assert issued_before < STUDENTS, "the batch finished before the kill"
    # The killed worker's rows are still there, leased, none lost.
    assert Delivery.objects.filter(channel="credly", status="pending").count() == STUDENTS
    assert Delivery.objects.filter(channel="credly", claimed_until__isnull=False).count() == (
        STUDENTS
    )

    wait_until(
        lambda: not Delivery.objects.filter(claimed_until__gt=timezone.now()).exists(),
        timeout=LEASE_SECONDS + 10,
        interval=0.2,
        what="the killed worker's leases to run out",
    )
    with worker_process(env, tmp_path / "second.log"):
        _send_drain(redis_broker)
        wait_until(
            lambda: not Delivery.objects.filter(status=Delivery.Status.PENDING).exists(),
            timeout=90,
            interval=0.2,
            what="every delivery done",
            log=tmp_path / "second.log",
        )

    statuses = Counter(Delivery.objects.values_list("channel", "status"))
    assert statuses[("email", "sent")] == STUDENTS
    assert statuses[("credly", "sent")] + statuses[("credly", "accepted")] == STUDENTS
    per_issuance = Counter(badge["issuer_earner_id"] for badge in credly_standin.issued())
    assert len(per_issuance) == STUDENTS
    assert set(per_issuance.values()) == {1}, "a Credly badge was issued twice"
    # E-mail is at-least-once: everyone has theirs.
    assert {m.recipients[0] for m in smtp_server.messages} == {s.email for s in students}
