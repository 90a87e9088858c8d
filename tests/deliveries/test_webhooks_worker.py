"""A real Celery worker on Redis: an issuance committed in this process, a drain queued on the
broker, and the worker POSTs the signed event to the receiver. Needs PostgreSQL and Redis."""

import os

import pytest

from badges.models import BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services import kick
from deliveries.services.webhooks import webhook_endpoint_create
from tests.helpers import celery_sender, celery_worker, database_url, wait_until
from tests.tools.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_issuance_reaches_the_receiver_through_a_real_worker(
    redis_broker,
    instructor,
    course_class,
    student,
    manual_badge,
    organization,
    tmp_path,
    monkeypatch,
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.achievements.worker_settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "off",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_broker.url,
        "TEST_REDIS_KEY_PREFIX": redis_broker.prefix,
        "CELERY_TASK_ALWAYS_EAGER": "off",
        "EMAIL_URL": "dummymail://",
        "WEBHOOK_ALLOW_LOCAL_URLS": "on",
        "DELIVERY_RATE_LIMIT_URL": redis_broker.url,
        "DELIVERY_RATE_LIMIT_KEY_PREFIX": redis_broker.prefix,
    }
    # The drain is the worker's: queued on its broker as beat (or a web process) would, none
    # run eagerly in this process.
    monkeypatch.setattr(kick, "_queue_drain", lambda: None)
    log = tmp_path / "worker.log"
    with WebhookReceiver() as receiver, celery_worker(env, log):
        created = webhook_endpoint_create(
            organization=organization, url=receiver.url, events=[WebhookEndpoint.Event.CREATED]
        )
        receiver.secret = created.secret
        context = IssueContext.for_class(actor=instructor, course_class=course_class)
        badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])
        # Not the current app: the portal's tasks in this process stay on theirs (eager).
        sender = celery_sender(redis_broker.url, **redis_broker.transport_options)
        sender.send_task("deliveries.tasks.drain_deliveries")

        wait_until(
            lambda: receiver.accepted, timeout=30, interval=0.1, what="the signed event", log=log
        )
        wait_until(
            lambda: WebhookDelivery.objects.filter(status="sent").exists(),
            timeout=10,
            interval=0.1,
            what="the delivery recorded as sent",
            log=log,
        )

    [request] = receiver.requests
    assert request.verdict == "accepted"
    assert request.payload["data"]["issuance"] == str(BadgeIssuance.objects.get().uuid)
