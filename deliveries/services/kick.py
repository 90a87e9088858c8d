"""A drain queued when the current transaction commits: once per transaction, however many
issuances or resends it made. Queuing never breaks the write that made the deliveries: if the
broker cannot be reached (or the task fails when run eagerly) it is logged, and beat's periodic
drain (DELIVERY_DRAIN_INTERVAL_SECONDS) sends them anyway."""

import logging

from django.db import transaction

from deliveries.tasks import drain_deliveries

logger = logging.getLogger(__name__)


def _queue_drain() -> None:
    try:
        # The app's producer pool: a sweep commits one transaction per achievement, and each
        # queues its drain over the same broker connection. No retry: the request or sweep that
        # committed must not wait for a broker that is down.
        drain_deliveries.apply_async(retry=False)
    except Exception:  # the broker is down, or the drain failed when run eagerly
        logger.warning("Could not queue a drain of the deliveries now; beat's next drain will.")


def deliveries_drain_on_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _queue_drain for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_queue_drain)
