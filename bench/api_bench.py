"""Benchmark 12, the integration API: lab completions ingested per second through
POST /api/v1/completions in batches of 1,000 (Django's test client: the whole request path, its
middleware, token check, JSON parsing and response, in this process; no HTTP server), against the
CSV import of the same kind of rows through awarding/importing.py in the same run; and the time
from an ingested completion to its automatic issuance.

While the throughput is measured the re-evaluation each commit queues is published to an
in-memory broker, as a production web process publishes it to Redis (a worker elsewhere runs it).
For the time to the issuance the re-evaluation runs synchronously right after the commit (Celery
eager, as the test settings run it): the figure is the request plus the evaluation, without a
worker's pick-up delay.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from datetime import datetime, timedelta

from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import Organization, User
from achievements.models import Achievement
from api.models import ApiClient, ExternalCompletion
from api.tokens import SHOWN_CHARACTERS, token_generate, token_hash
from awarding.importing import completions_import
from awarding.tasks import evaluate_students
from badges.models import Badge, BadgeIssuance
from catalog.models import Lab, LabCompletion
from tests.helpers import celery_conf

URL = "/api/v1/completions"
BATCH = 1000
UTC = timezone.get_fixed_timezone(0)


def _celery(**conf):
    # The app the task is sent with (a shared task follows the current app).
    return celery_conf(evaluate_students.app, **conf)


def _reevaluation_published():
    """The re-evaluation queued on commit goes to an in-memory broker instead of running."""
    return _celery(broker_url="memory://", task_always_eager=False)


def _reevaluation_eager():
    """The re-evaluation queued on commit runs right after the commit, in this process."""
    return _celery(task_always_eager=True, task_eager_propagates=True)


def _client_of(organization: Organization) -> tuple[ApiClient, str]:
    token = token_generate()
    client = ApiClient.objects.create(
        organization=organization,
        name="Bench lab platform",
        token_hash=token_hash(token),
        token_prefix=token[:SHOWN_CHARACTERS],
        scopes=[ApiClient.Scope.COMPLETIONS_WRITE],
    )
    return client, token


def _rows(usernames: list[str], labs: list[str], count: int, base: datetime, prefix: str):
    """`count` lab completions, each a new fact (its own moment)."""
    return [
        {
            "external_id": f"{prefix}-{n}",
            "kind": "lab",
            "student": usernames[n % len(usernames)],
            "item": labs[(n // len(usernames)) % len(labs)],
            "completed_at": (base + timedelta(seconds=n)).isoformat(),
        }
        for n in range(count)
    ]


def _post(http: Client, token: str, items: list[dict]) -> dict:
    response = http.post(
        URL,
        data=json.dumps({"items": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    if response.status_code != 200:
        raise RuntimeError(f"POST {URL}: {response.status_code} {response.content[:300]!r}")
    return response.json()


def _csv(items: list[dict]) -> str:
    lines = ["kind,student,item,completed_at,score"]
    lines += [f"lab,{i['student']},{i['item']},{i['completed_at']}," for i in items]
    return "\n".join(lines) + "\n"


def _throughput(http, token, usernames, labs, batches) -> dict:
    with _reevaluation_published():
        _post(http, token, _rows(usernames, labs, 10, datetime(2018, 1, 1, tzinfo=UTC), "warm"))
        csv_items = _rows(usernames, labs, batches * BATCH, datetime(2019, 1, 1, tzinfo=UTC), "c")
        before = LabCompletion.objects.count()
        started = time.perf_counter()
        report = completions_import(file=io.StringIO(_csv(csv_items)))
        csv_seconds = time.perf_counter() - started
        if report.errors or LabCompletion.objects.count() - before != len(csv_items):
            raise RuntimeError(f"The CSV import did not record every row: {report.errors[:3]}")

        seconds = []
        for batch in range(batches):
            items = _rows(
                usernames,
                labs,
                BATCH,
                datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=batch * 30),
                f"b{batch}",
            )
            started = time.perf_counter()
            body = _post(http, token, items)
            seconds.append(time.perf_counter() - started)
            if body["counts"]["recorded"] != BATCH:
                raise RuntimeError(f"A batch was not recorded whole: {body['counts']}")
        again = _post(http, token, items)  # the last batch again: all duplicates
        if again["counts"]["duplicate"] != BATCH:
            raise RuntimeError(f"A resent batch was recorded again: {again['counts']}")
    total = sum(seconds)
    per_second = batches * BATCH / total
    csv_per_second = len(csv_items) / csv_seconds
    return {
        "batches": batches,
        "batch_size": BATCH,
        "seconds": round(total, 3),
        "per_second": round(per_second),
        "median_batch_ms": round(statistics.median(seconds) * 1000, 1),
        "csv_rows": len(csv_items),
        "csv_seconds": round(csv_seconds, 3),
        "csv_per_second": round(csv_per_second),
        "ratio": round(per_second / csv_per_second, 2),
    }


def _to_issuance(http, token, organization, samples) -> dict:
    """Median time from POSTing one lab completion to its automatic issuance being there."""
    lab_badges = list(
        Badge.objects.filter(
            organization=organization,
            is_active=True,
            achievement__criteria_type=Achievement.CriteriaType.LAB,
            achievement__organization=organization,
        ).select_related("achievement__lab")
    )
    if not lab_badges:
        raise RuntimeError(f"No lab achievement with a badge in {organization}.")
    for badge in lab_badges:
        lab = badge.achievement.lab
        candidates = list(
            User.objects.filter(organization=organization, participates_in_achievements=True)
            .exclude(badge_issuances__badge=badge)
            .exclude(lab_completions__lab=lab)
            .order_by("pk")
            .values_list("pk", "username")[:samples]
        )
        if len(candidates) == samples:
            break
    else:
        raise RuntimeError("Not enough students without a lab badge to measure.")
    automatic = BadgeIssuance.objects.filter(source=BadgeIssuance.Source.ACHIEVEMENT)
    before = automatic.count()
    seconds = []
    moment = (timezone.now() - timedelta(minutes=5)).isoformat()
    for n, (pk, username) in enumerate(candidates):
        item = {
            "external_id": f"latency-{n}",
            "kind": "lab",
            "student": username,
            "item": lab.code,
            "completed_at": moment,
        }
        started = time.perf_counter()
        with _reevaluation_eager():
            _post(http, token, [item])
        while not BadgeIssuance.objects.filter(badge=badge, recipient_id=pk).exists():
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"No automatic issuance for {username} after 30 s.")
            time.sleep(0.01)
        seconds.append(time.perf_counter() - started)
    return {
        "samples": samples,
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "mode": "re-evaluation synchronous after commit (eager)",
        # The samples' badges, and any other their completion earned (points).
        "issuances_added": automatic.count() - before,
    }


def api_bench(*, batches: int, samples: int = 5) -> dict:
    organization = (
        Organization.objects.filter(slug__startswith="bench-")
        .annotate(students=Count("members"))
        .order_by("-students", "pk")
        .first()
    )
    if organization is None:
        raise RuntimeError("Generate the data set first.")
    usernames = list(
        User.objects.filter(organization=organization, username__startswith="bench-s")
        .order_by("pk")
        .values_list("username", flat=True)[:2000]
    )
    labs = list(Lab.objects.order_by("code").values_list("code", flat=True)[:50])
    client, token = _client_of(organization)
    http = Client(HTTP_HOST="127.0.0.1")
    try:
        # First: the throughput's completions would leave no student without the lab badges.
        to_issuance = _to_issuance(http, token, organization, samples)
        result = _throughput(http, token, usernames, labs, batches)
        result["to_issuance"] = to_issuance
    finally:
        ExternalCompletion.objects.filter(client=client).delete()
        client.delete()
    result["students"] = len(usernames)
    return result


def api_rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    """Benchmark 12's lines of the report table."""
    latency = result["to_issuance"]
    return [
        (
            f"13. API: lab completions ingested, {result['batches']} batches of "
            f"{result['batch_size']:,} (Django test client)",
            f"{result['per_second']:,} completions/s (median batch {result['median_batch_ms']} ms)",
            f"CSV import of {result['csv_rows']:,} rows: {result['csv_per_second']:,} rows/s",
            f"{result['ratio']}×",
            "",
        ),
        (
            f"13. API: ingested completion → automatic issuance (median of {latency['samples']}; "
            "re-evaluation right after commit, no worker)",
            f"{latency['median_ms']} ms (max {latency['max_ms']} ms)",
            "",
            "",
            "within seconds",
        ),
    ]
