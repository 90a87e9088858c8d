"""Run sweep now: the sweep queued for the worker, from Sweep Runs."""

import logging

from django.db import transaction

from awarding.tasks import sweep_achievements

logger = logging.getLogger(__name__)


def sweep_queue_on_commit() -> None:
    """Once the current transaction commits, queue the sweep (the same task beat runs). The one
    lock still decides: with a sweep running, this one is recorded as skipped. A broker that
    cannot be reached is logged: the scheduled sweep comes anyway."""

    def enqueue() -> None:
        try:
            # Its own connection and producer: one quick attempt (the request must not wait for a
            # broker that is down), and no pooled producer, which kombu keeps per broker address
            # even after its connections were closed.
            with sweep_achievements.app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, interval_max=0)
                sweep_achievements.apply_async(retry=False, producer=broker.Producer())
        except Exception:  # the broker is down, or the task failed when run eagerly
            logger.warning("Could not queue the sweep now; beat will run it.", exc_info=True)

    transaction.on_commit(enqueue)
