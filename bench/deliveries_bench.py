"""Benchmark 11, deliveries: the full sweep with the outbox on and off (the same data, each in a
process of its own, best of two), and the draining rate of award e-mails against a local SMTP
server (aiosmtpd, tests/tools/smtp_server.py) and of Credly deliveries against the local Credly
stand-in (tests/tools/credly_standin.py), no rate limit, one worker process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import Celery
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from achievements.models import SweepRun
from badges.models import Badge
from bench.benchmarks import ROOT, _child_env
from common.crypto import encrypt_secret
from deliveries.models import CredlyConnection, Delivery
from deliveries.services import kick
from deliveries.services.drain import deliveries_drain_all
from tests.tools.credly_standin import CredlyStandin
from tests.tools.smtp_server import SmtpServer


@contextmanager
def publish_drain_kicks() -> Iterator[None]:
    """The benchmarks run on the test settings, where Celery runs tasks eagerly: the drain that
    an issuance queues on commit would run inside the request or sweep being measured. While
    this runs it is published to an in-memory broker instead, as a production web process
    publishes it to Redis (and a worker, elsewhere, drains)."""
    # Not the current app: shared tasks sent later (by the tests after the smoke test, too) must
    # keep going through the portal's app and its broker.
    publisher = Celery("bench-publisher", broker="memory://", set_as_current=False)

    def publish() -> None:
        publisher.send_task("deliveries.tasks.drain_deliveries")

    # Warm, as a long-running worker's producer pool is: the first message sets Celery up.
    publish()
    eager = kick._publish
    kick._publish = publish
    try:
        yield
    finally:
        kick._publish = eager


def _reset_sweep() -> None:
    """Back to the data before any sweep: no automatic issuance, completion or watermark."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE deliveries_delivery")
        cursor.execute(
            "DELETE FROM badges_issuanceevent WHERE issuance_id IN "
            "(SELECT id FROM badges_badgeissuance WHERE method = 'automatic')"
        )
        cursor.execute("DELETE FROM badges_badgeissuance WHERE method = 'automatic'")
        cursor.execute(
            "TRUNCATE achievements_achievementcompletion, achievements_achievementwatermark"
        )
        cursor.execute("ANALYZE")


def _child_sweep(*, deliveries: bool) -> dict:
    """One full sweep in a process of its own on the production settings; its drain kicks go to
    an in-memory broker (published, as in production, not run)."""
    env = {
        **_child_env(),
        "DJANGO_SETTINGS_MODULE": "lms_portal.settings.production",
        "CELERY_BROKER_URL": "memory://",
        "DELIVERIES_ENABLED": "on" if deliveries else "off",
    }
    finished = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "bench" / "sweep_child.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"The sweep failed:\n{finished.stdout}{finished.stderr}")
    run = json.loads(finished.stdout.strip().splitlines()[-1])
    if run["status"] != SweepRun.Status.SUCCEEDED:
        raise RuntimeError(f"The sweep failed:\n{run['error']}")
    return run


def _connect_credly(standin: CredlyStandin) -> None:
    """Every bench organization on the stand-in, every mapped badge with a Credly template: the
    sweep writes two rows per issuance (the heavier case)."""
    organization_ids = set(Badge.objects.values_list("organization_id", flat=True))
    CredlyConnection.objects.bulk_create(
        CredlyConnection(
            organization_id=pk,
            credly_organization_id=standin.organization_id,
            api_url=standin.api_url,
            api_token=encrypt_secret(standin.token.encode()),
            token_hint=standin.token[-4:],
        )
        for pk in organization_ids
    )
    Badge.objects.filter(achievement__isnull=False).update(
        notify_recipients=True, notify_completions_from=None
    )
    # A template of its own per badge: Credly refuses a second badge of one template to one
    # e-mail address.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE badges_badge SET credly_template_id = md5('bench-' || id)::uuid::text "
            "WHERE achievement_id IS NOT NULL"
        )


def _drain_rate(*, channel: str, sample: int) -> dict:
    """Drain `sample` due rows of `channel` (the others are put off) and time it."""
    later = timezone.now() + timedelta(days=1)
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(next_attempt_at=later)
    ids = list(
        Delivery.objects.filter(channel=channel, status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:sample]
    )
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
    started = time.perf_counter()
    report = deliveries_drain_all()
    seconds = time.perf_counter() - started
    done = Delivery.objects.filter(
        pk__in=ids, status__in=[Delivery.Status.SENT, Delivery.Status.ACCEPTED]
    ).count()
    if done != len(ids):
        raise RuntimeError(f"{channel}: {done} of {len(ids)} delivered ({report})")
    return {
        "deliveries": len(ids),
        "seconds": round(seconds, 2),
        "per_second": round(len(ids) / seconds, 1) if seconds else 0,
        "batches": report.batches,
    }


def _sweeps(*, repeats: int) -> dict:
    """The full sweep off, with e-mail rows only, and with e-mail and Credly rows (every mapped
    badge on Credly), interleaved, best of `repeats` each."""
    timings: dict[str, list[float]] = {"off": [], "email": [], "email_credly": []}
    issued, rows = {}, {}
    for _ in range(repeats):
        for key in timings:
            if key == "email_credly":
                CredlyConnection.objects.update(is_enabled=True)
            else:
                CredlyConnection.objects.update(is_enabled=False)
            _reset_sweep()
            run = _child_sweep(deliveries=key != "off")
            timings[key].append(run["seconds"])
            issued[key] = run["badges_issued"]
            rows[key] = Delivery.objects.count()
    if len(set(issued.values())) != 1:
        raise RuntimeError(f"The sweeps issued differently: {issued}")
    best = {key: min(values) for key, values in timings.items()}
    return {
        "issuances": issued["off"],
        "email_rows": rows["email"],
        "email_credly_rows": rows["email_credly"],
        "sweep_off_seconds": round(best["off"], 2),
        "sweep_email_seconds": round(best["email"], 2),
        "sweep_email_credly_seconds": round(best["email_credly"], 2),
        "ratio_email": round(best["email"] / best["off"], 3) if best["off"] else 0,
        "ratio_email_credly": round(best["email_credly"] / best["off"], 3) if best["off"] else 0,
        "repeats": repeats,
    }


def deliveries_bench(*, email_sample: int, credly_sample: int, repeats: int = 3) -> dict:
    with CredlyStandin() as standin, SmtpServer() as smtp:
        _connect_credly(standin)
        sweeps = _sweeps(repeats=repeats)
        smtp_settings = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": smtp.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "DELIVERY_EMAIL_PER_SECOND": 0,
            "DELIVERY_CREDLY_PER_SECOND": 0,
            "DELIVERY_RATE_LIMIT_URL": "",
        }
        with override_settings(**smtp_settings):
            email = _drain_rate(channel=Delivery.Channel.EMAIL, sample=email_sample)
            credly = _drain_rate(channel=Delivery.Channel.CREDLY, sample=credly_sample)
        if len(smtp.messages) != email["deliveries"]:
            raise RuntimeError("The SMTP server did not receive every e-mail.")
        if len(standin.issued()) != credly["deliveries"]:
            raise RuntimeError("The Credly stand-in did not receive every badge.")
        CredlyConnection.objects.all().delete()
    return {
        **sweeps,
        "email": email,
        "credly": credly,
        "batch_size": settings.DELIVERY_BATCH_SIZE,
    }


def deliveries_rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    """Benchmark 11's lines of the report table."""
    email, credly = result["email"], result["credly"]
    off = f"off {result['sweep_off_seconds']} s"
    return [
        (
            f"11. Full sweep with award e-mails ({result['email_rows']:,} outbox rows for "
            f"{result['issuances']:,} issuances; best of {result['repeats']})",
            f"on {result['sweep_email_seconds']} s",
            off,
            f"{result['ratio_email']}×",
            "≤ 1.1×",
        ),
        (
            f"11. Full sweep with award e-mails and Credly ({result['email_credly_rows']:,} rows)",
            f"on {result['sweep_email_credly_seconds']} s",
            off,
            f"{result['ratio_email_credly']}×",
            "≤ 1.1×",
        ),
        (
            f"11. Draining award e-mails, {email['deliveries']:,} to a local SMTP server",
            f"{email['per_second']} deliveries/s ({email['seconds']} s)",
            f"batches of {result['batch_size']}",
            "",
            "",
        ),
        (
            f"11. Draining Credly deliveries, {credly['deliveries']:,} to the Credly stand-in",
            f"{credly['per_second']} deliveries/s ({credly['seconds']} s)",
            f"batches of {result['batch_size']}",
            "",
            "",
        ),
    ]
