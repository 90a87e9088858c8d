"""POST /api/v1/completions on PostgreSQL with real connections: two identical batches at once
record each item once, and an ingested completion gets its automatic badge from a real Celery
worker on Redis within seconds."""

import json
import os
import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from api.models import ApiClient, ExternalCompletion
from badges.models import BadgeIssuance
from catalog.models import LabCompletion
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    LabFactory,
    OrganizationFactory,
    StudentFactory,
)
from tests.helpers import celery_worker_process, database_url, wait_until

from .conftest import make_integration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/completions"
UTC = timezone.get_fixed_timezone(0)


def _body(items) -> str:
    return json.dumps({"items": items})


def _lab_items(count, *, student="ada", lab="LAB-VM"):
    base = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        {
            "external_id": f"run-{n}",
            "kind": "lab",
            "student": student,
            "item": lab,
            "completed_at": (base + timedelta(minutes=n)).isoformat(),
        }
        for n in range(count)
    ]


def _post_at_once(integration, bodies):
    """POST each body from its own thread (its own database connection), all released together;
    the responses in order."""
    barrier = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)
    errors = []

    def run(index, body):
        try:
            client = Client()
            barrier.wait()
            responses[index] = client.post(
                URL, data=body, content_type="application/json", **integration.headers
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return responses


@pytest.fixture
def lab_platform():
    organization = OrganizationFactory()
    StudentFactory(organization=organization, username="ada")
    LabFactory(code="LAB-VM")
    return make_integration(organization=organization, scopes=[ApiClient.Scope.COMPLETIONS_WRITE])


@pytest.mark.parametrize("attempt", range(3))
def test_two_identical_batches_at_once_record_each_item_once(lab_platform, attempt):
    items = _lab_items(300)

    responses = _post_at_once(lab_platform, [_body(items), _body(items)])

    assert [response.status_code for response in responses] == [200, 200]
    statuses = [[item["status"] for item in response.json()["items"]] for response in responses]
    for first, second in zip(*statuses, strict=True):
        assert sorted([first, second]) == ["duplicate", "recorded"]
    assert sum(r.json()["counts"]["recorded"] for r in responses) == 300
    assert LabCompletion.objects.count() == 300
    assert ExternalCompletion.objects.count() == 300


def test_overlapping_batches_in_opposite_orders_neither_deadlock_nor_double(lab_platform):
    items = _lab_items(300)
    forwards, backwards = items[:200], list(reversed(items[100:]))

    responses = _post_at_once(lab_platform, [_body(forwards), _body(backwards)])

    assert [response.status_code for response in responses] == [200, 200]
    recorded = [
        item["external_id"]
        for response in responses
        for item in response.json()["items"]
        if item["status"] == "recorded"
    ]
    assert sorted(recorded) == sorted(item["external_id"] for item in items)
    assert LabCompletion.objects.count() == 300


def test_the_same_facts_under_other_ids_in_opposite_orders_do_not_deadlock(lab_platform):
    items = _lab_items(300)
    renamed = [{**item, "external_id": "again-" + item["external_id"]} for item in items]

    responses = _post_at_once(lab_platform, [_body(items), _body(list(reversed(renamed)))])

    assert [response.status_code for response in responses] == [200, 200]
    assert [response.json()["counts"]["recorded"] for response in responses] == [300, 300]
    assert LabCompletion.objects.count() == 300
    assert ExternalCompletion.objects.count() == 600


# --- a real worker -------------------------------------------------------------------------------


@pytest.fixture
def portal_on_redis(portal_app_on, redis_broker):
    """The portal's Celery app sends to the real broker (not eager), for one test."""
    portal_app_on(redis_broker.url, redis_broker.transport_options)


@pytest.fixture
def celery_worker(redis_broker, tmp_path):
    """A worker of the portal on the production settings, its broker keys under the run's prefix;
    yields its log."""
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


@pytest.mark.redis
def test_an_ingested_lab_completion_gets_its_automatic_badge_within_seconds(
    celery_worker, portal_on_redis, client
):
    organization = OrganizationFactory()
    student = StudentFactory(organization=organization, username="ada")
    lab = LabFactory(code="LAB-VM")
    achievement = AchievementFactory(organization=organization, lab=lab)
    badge = BadgeFactory(organization=organization, achievement=achievement)
    lab_platform = make_integration(
        organization=organization, scopes=[ApiClient.Scope.COMPLETIONS_WRITE]
    )

    response = client.post(
        URL,
        data=_body(_lab_items(1)),
        content_type="application/json",
        **lab_platform.headers,
    )

    assert response.json()["counts"]["recorded"] == 1
    wait_until(
        lambda: BadgeIssuance.objects.filter(badge=badge, recipient=student).exists(),
        timeout=45,
        interval=0.1,
        what="the automatic badge of the ingested completion",
        log=celery_worker,
    )
    assert "awarding.tasks.evaluate_students" in celery_worker.read_text()
    assert BadgeIssuance.objects.get(badge=badge, recipient=student).method == "automatic"
