"""Evaluating independent achievements on several database connections at once.

The achievements of one pass are independent (different completion rows, different badges), so
SWEEP_CONNECTIONS threads evaluate them side by side, each on a connection of its own that it
closes when it is done. One broken achievement does not stop the others (evaluation.
evaluate_safely).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections

from .evaluation import evaluate_safely
from .planning import Plan


def evaluate_all(plans: Sequence[Plan]) -> list[tuple[int | Exception, int]]:
    """Evaluate each plan, on SWEEP_CONNECTIONS database connections at once where that helps.
    Returns an outcome per plan, in order: its counts, or its error in place of its count."""
    workers = settings.SWEEP_CONNECTIONS
    # Inside an outer transaction (tests) other connections would not see its rows; SQLite has
    # one writer at a time anyway.
    if (
        workers <= 1
        or len(plans) <= 1
        or connection.in_atomic_block
        or (connection.vendor != "postgresql")
    ):
        return [evaluate_safely(plan) for plan in plans]
    outcomes: list = [None] * len(plans)
    pending: queue.SimpleQueue[tuple[int, Plan]] = queue.SimpleQueue()
    for item in enumerate(plans):
        pending.put(item)

    def work() -> None:
        # Each worker thread takes plans until none is left, then closes its own connection:
        # a pool thread has no end-of-thread hook that would.
        try:
            while True:
                try:
                    index, plan = pending.get_nowait()
                except queue.Empty:
                    return
                outcomes[index] = evaluate_safely(plan)
        finally:
            connections.close_all()

    threads = min(workers, len(plans))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sweep") as pool:
        for future in [pool.submit(work) for _ in range(threads)]:
            future.result()
    return outcomes
