"""Only one sweep runs at a time: a PostgreSQL advisory lock (a file lock on SQLite, where
everything runs on one machine). A second sweep skips and records that it did (runs.py). The
re-evaluation of a few students (students.py) takes no lock: the unique constraints make it safe
next to a sweep, and it never moves a watermark.

A distributed sweep (distributed.py) cannot hold a session's advisory lock across the workers
that run its tasks: it holds it only while it starts, and then its run's lease stands for it. So
the lock is taken only when no run is `running` with a lease in the future (the same query).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from achievements.models import SweepRun

logger = logging.getLogger(__name__)

# pg_advisory_lock key: "achievements sweep", any fixed 64-bit number unique in this database.
SWEEP_LOCK_KEY = 0x4143_4845_5357_5045


@contextmanager
def sweep_lock() -> Iterator[bool]:
    """Yield whether this process holds the one sweep lock; release it on exit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s), EXISTS (SELECT 1 FROM "
                f"{SweepRun._meta.db_table} WHERE status = %s AND lease_until > now())",
                [SWEEP_LOCK_KEY, SweepRun.Status.RUNNING],
            )
            acquired, leased = cursor.fetchone()
            if acquired and leased:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
                acquired = False
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
                except DatabaseError:
                    # The connection is gone, and its session lock with it.
                    logger.warning("Could not release the sweep lock; the connection was lost.")
        return
    path = Path(settings.SWEEP_LOCK_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
