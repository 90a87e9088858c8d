"""Re-evaluating a few students as soon as their completions are recorded, so that their badges
appear within seconds rather than at the next hourly sweep."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from awarding.tasks import evaluate_students

logger = logging.getLogger(__name__)

# Students queued per re-evaluation task: small tasks, and few statements each.
STUDENTS_PER_TASK = 1000


def students_reevaluate_on_commit(*, student_ids: Iterable[int]) -> None:
    """Once the current transaction commits, queue a re-evaluation of these students.

    Queuing must never break the write that recorded the completion: if the broker cannot be
    reached the failure is logged, and the next sweep picks the students up from the records'
    timestamps anyway."""
    ids = sorted({int(pk) for pk in student_ids})
    if not ids:
        return

    def enqueue() -> None:
        try:
            with evaluate_students.app.connection_for_write() as broker:
                # One quick attempt: the request that recorded the completion must not wait
                # for a broker that is down.
                broker.ensure_connection(max_retries=1, interval_start=0, interval_max=0)
                for start in range(0, len(ids), STUDENTS_PER_TASK):
                    evaluate_students.apply_async(
                        args=[ids[start : start + STUDENTS_PER_TASK]],
                        retry=False,
                        connection=broker,
                    )
        except Exception:  # the broker is down, or the task failed when run eagerly
            logger.warning(
                "Could not re-evaluate %s student(s) now; the next sweep will.",
                len(ids),
                exc_info=True,
            )

    transaction.on_commit(enqueue)
