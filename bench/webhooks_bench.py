"""Benchmark 12, webhooks: what the event rows cost an issuing statement (the students of the
largest class issued one manual badge, with no endpoint and with two subscribed endpoints, best of
`repeats` each, the issuances deleted between runs), and the draining rate of webhook events to a
local receiver (tests/tools/webhook_receiver.py), no rate limit, one process."""

from __future__ import annotations

import time
from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from bench.benchmarks import _administrator_of, _largest_class
from deliveries.channels.webhook import webhook_send_batch
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.ratelimit import ChannelPace
from deliveries.services.outbox import WEBHOOK, deliveries_drain
from deliveries.services.webhooks import webhook_endpoint_create
from tests.tools.webhook_receiver import WebhookReceiver

CREATED = WebhookEndpoint.Event.CREATED


def _issue(*, context, badge: Badge, student_ids: list[int]) -> float:
    started = time.perf_counter()
    badge_issue_many(context=context, pairs=[(badge.pk, s) for s in student_ids])
    seconds = time.perf_counter() - started
    return seconds


def _forget(badge: Badge) -> None:
    WebhookDelivery.objects.filter(issuance__badge=badge).delete()
    BadgeIssuance.objects.filter(badge=badge).delete()


def webhooks_bench(*, students: int, sample: int, repeats: int = 3) -> dict:
    course_class = _largest_class()
    administrator = _administrator_of(course_class)
    organization = course_class.organization
    badge = Badge.objects.create(
        organization=organization, name="Bench webhook badge", manual_issuance_enabled=True
    )
    student_ids = list(
        course_class.enrollments.order_by("student_id").values_list("student_id", flat=True)[
            :students
        ]
    )
    context = IssueContext.for_class(actor=administrator, course_class=course_class, batch=True)
    off, on = [], []
    try:
        for _ in range(repeats):
            off.append(_issue(context=context, badge=badge, student_ids=student_ids))
            _forget(badge)
            endpoints = [
                webhook_endpoint_create(
                    organization=organization,
                    url=f"https://hooks.example.org/{n}",
                    events=[CREATED],
                ).endpoint
                for n in range(2)
            ]
            on.append(_issue(context=context, badge=badge, student_ids=student_ids))
            rows = WebhookDelivery.objects.filter(issuance__badge=badge).count()
            _forget(badge)
            WebhookEndpoint.objects.filter(pk__in=[e.pk for e in endpoints]).delete()
        drain = _drain_rate(
            context=context,
            badge=badge,
            student_ids=student_ids[:sample],
            organization=organization,
        )
    finally:
        _forget(badge)
        badge.delete()
    best_off, best_on = min(off), min(on)
    return {
        "students": len(student_ids),
        "event_rows": rows,
        "repeats": repeats,
        "issue_off_seconds": round(best_off, 3),
        "issue_on_seconds": round(best_on, 3),
        "ratio": round(best_on / best_off, 3) if best_off else 0,
        "drain": drain,
    }


def _drain_rate(*, context, badge, student_ids, organization) -> dict:
    with override_settings(WEBHOOK_ALLOW_LOCAL_URLS=True), WebhookReceiver() as receiver:
        endpoint = webhook_endpoint_create(
            organization=organization, url=receiver.url, events=[CREATED]
        ).endpoint
        later = timezone.now() + timedelta(days=1)
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).update(
            next_attempt_at=later
        )
        _issue(context=context, badge=badge, student_ids=student_ids)
        unpaced = ChannelPace(WEBHOOK, per_second=0)
        started = time.perf_counter()
        report = deliveries_drain(
            senders={WEBHOOK: lambda batch: webhook_send_batch(batch, unpaced)}
        )
        seconds = time.perf_counter() - started
        endpoint.delete()
    if len(receiver.accepted) != len(student_ids):
        raise RuntimeError(f"webhooks: {len(receiver.accepted)} of {len(student_ids)} ({report})")
    return {
        "deliveries": len(student_ids),
        "seconds": round(seconds, 2),
        "per_second": round(len(student_ids) / seconds, 1) if seconds else 0,
        "batches": report.batches,
    }


def webhooks_rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    """Benchmark 12's lines of the report table."""
    drain = result["drain"]
    return [
        (
            f"12. Issuing {result['students']:,} badges with two subscribed webhook endpoints "
            f"({result['event_rows']:,} event rows in the issuing statement; best of "
            f"{result['repeats']})",
            f"on {result['issue_on_seconds']} s",
            f"off {result['issue_off_seconds']} s",
            f"{result['ratio']}×",
            "",
        ),
        (
            f"12. Draining webhook events, {drain['deliveries']:,} signed POSTs to a receiver",
            f"{drain['per_second']} deliveries/s ({drain['seconds']} s)",
            f"{drain['batches']} batches",
            "",
            "",
        ),
    ]
