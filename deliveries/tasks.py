"""Celery tasks: thin wrappers that drain the outbox and log what they did."""

import logging

from celery import shared_task
from django.conf import settings

from .services.drain import deliveries_drain_all

logger = logging.getLogger(__name__)


@shared_task(
    name="deliveries.tasks.drain_deliveries",
    ignore_result=True,
    soft_time_limit=settings.DELIVERY_DRAIN_SECONDS + 60,
    time_limit=settings.DELIVERY_DRAIN_SECONDS + 120,
)
def drain_deliveries() -> None:
    """Queued when issuances commit, and by beat every DELIVERY_DRAIN_INTERVAL_SECONDS."""
    report = deliveries_drain_all(time_budget=settings.DELIVERY_DRAIN_SECONDS)
    if report.total:
        logger.info(
            "Deliveries drained: %s sent, %s to retry, %s failed, %s not sent.",
            report.sent,
            report.retried,
            report.failed,
            report.skipped,
        )
