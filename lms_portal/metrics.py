"""The portal's own Prometheus metrics, beside django-prometheus' (requests, responses, latency):
the sweep's runs, duration and badges issued, and how many tasks wait in the Celery queue.

Both are read when Prometheus scrapes, not counted in a process: the sweep runs in a worker, maybe
on another machine, and every run is already recorded (achievements.models.SweepRun); the queue is
in Redis. Whichever web process answers the scrape gives the same figures.
"""

from __future__ import annotations

import logging

from django.db.models import Count, Sum
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from achievements.models import SweepRun

logger = logging.getLogger(__name__)


class SweepCollector:
    """Every sweep run so far, by status, and the last one that did its work."""

    def collect(self):
        runs = CounterMetricFamily(
            "portal_sweep_runs", "Sweep runs recorded, by status.", labels=["status"]
        )
        issued = CounterMetricFamily(
            "portal_sweep_badges_issued", "Badges issued by the sweep, over all its runs."
        )
        seconds = CounterMetricFamily(
            "portal_sweep_duration_seconds", "Time spent sweeping, over all finished runs."
        )
        totals = {
            row["status"]: row
            for row in SweepRun.objects.order_by()
            .values("status")
            .annotate(count=Count("pk"), issued=Sum("badges_issued"), duration=Sum("duration"))
        }
        for status in SweepRun.Status.values:
            runs.add_metric([status], totals.get(status, {}).get("count", 0))
        issued.add_metric([], sum(row["issued"] or 0 for row in totals.values()))
        seconds.add_metric(
            [], sum(row["duration"].total_seconds() for row in totals.values() if row["duration"])
        )
        yield runs
        yield issued
        yield seconds

        last = (
            SweepRun.objects.filter(status__in=[SweepRun.Status.SUCCEEDED, SweepRun.Status.FAILED])
            .order_by("-started_at")
            .values("finished_at", "duration", "badges_issued", "status")
            .first()
        )
        if last is None:
            return
        yield _gauge(
            "portal_sweep_last_duration_seconds",
            "Duration of the last sweep that ran.",
            last["duration"].total_seconds(),
        )
        yield _gauge(
            "portal_sweep_last_badges_issued",
            "Badges issued by the last sweep that ran.",
            last["badges_issued"],
        )
        yield _gauge(
            "portal_sweep_last_finished_timestamp_seconds",
            "When the last sweep that ran finished (alert when it is older than the interval).",
            last["finished_at"].timestamp(),
        )
        yield _gauge(
            "portal_sweep_last_failed",
            "1 if the last sweep that ran failed.",
            int(last["status"] == SweepRun.Status.FAILED),
        )


class QueueCollector:
    """Messages waiting in the Celery queue (Redis lists, or the embedded broker's files), and
    whether the broker answered at all."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        queue = self.app.conf.task_default_queue
        length = GaugeMetricFamily(
            "portal_celery_queue_length", "Tasks waiting in the Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("portal_celery_broker_up", "1 if the Celery broker answered.")
        try:
            with self.app.connection_for_read() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, interval_max=0)
                # Kombu's virtual transports (Redis, the filesystem) count a queue with _size:
                # the Redis lists of every priority added up. A passive queue_declare would say
                # the same but for a bug: under a global key prefix it never finds the queue.
                waiting = connection.default_channel._size(queue)
        except Exception:  # the broker is down: say so rather than fail the whole scrape
            logger.warning("Could not read the Celery queue's length.", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        length.add_metric([queue], waiting)
        yield up
        yield length


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def portal_registry() -> CollectorRegistry:
    """A registry of the portal's own collectors (not the global one, which django-prometheus and
    every process-local metric share)."""
    from .celery import app

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SweepCollector())
    registry.register(QueueCollector(app))
    return registry
