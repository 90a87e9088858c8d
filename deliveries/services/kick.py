"""A drain queued when the current transaction commits: once per transaction, however many
issuances or resends it made (the beat's periodic drain catches anything a lost kick leaves)."""

from django.db import transaction

from deliveries.tasks import drain_deliveries


def _queue_drain() -> None:
    drain_deliveries.delay()


def deliveries_drain_on_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _queue_drain for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_queue_drain)
