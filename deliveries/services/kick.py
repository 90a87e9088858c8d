"""A drain queued when the current transaction commits: once per transaction, however many
issuances or resends it made. Queuing never breaks the write that made the deliveries: if the
broker cannot be reached (or the task fails when run eagerly) it is logged, and beat's periodic
drain (DELIVERY_DRAIN_INTERVAL_SECONDS) sends them anyway.

A sweep commits one transaction per achievement: `deliveries_drain_after()` around it holds the
kicks of this process back and queues one drain when it ends (all its evaluations committed);
with Celery in eager mode (tests) it queues none, rather than drain inside the sweep."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from deliveries.tasks import drain_deliveries

logger = logging.getLogger(__name__)

_held = {"depth": 0, "pending": False}
_held_lock = threading.Lock()


def _publish() -> None:
    try:
        with drain_deliveries.app.connection_for_write() as broker:
            # One quick attempt: the request or sweep that committed must not wait for a broker
            # that is down (as awarding's re-evaluation queues its tasks).
            broker.ensure_connection(max_retries=1, interval_start=0, interval_max=0)
            # A producer of this connection, not one from the app's pool (which eager mode
            # would take too).
            with broker.Producer() as producer:
                drain_deliveries.apply_async(retry=False, connection=broker, producer=producer)
    except Exception:  # the broker is down, or the drain failed when run eagerly
        logger.warning(
            "Could not queue a drain of the deliveries now; beat's next drain will.", exc_info=True
        )


def _queue_drain() -> None:
    with _held_lock:
        if _held["depth"]:
            _held["pending"] = True
            return
    _publish()


@contextmanager
def deliveries_drain_after() -> Iterator[None]:
    """While this runs, commits in this process queue no drain; one is queued at the end if any
    would have been."""
    with _held_lock:
        _held["depth"] += 1
    try:
        yield
    finally:
        with _held_lock:
            _held["depth"] -= 1
            due = _held["pending"] and not _held["depth"]
            if due:
                _held["pending"] = False
        # Eagerly (the test settings) the drain would run inside the sweep and lengthen it by
        # all its e-mails: there its deliveries wait for the next drain (beat, or a test's).
        if due and not drain_deliveries.app.conf.task_always_eager:
            _queue_drain()


def deliveries_drain_on_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _queue_drain for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_queue_drain)
