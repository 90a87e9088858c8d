"""Celery beat's scheduler, with a heartbeat for its container's health check.

Beat wakes at least every CELERY_BEAT_MAX_LOOP_INTERVAL seconds; at each wake-up this scheduler
touches BEAT_HEARTBEAT_FILE. `python -m lms_portal.beat` (docker-compose's health check) exits 0
while the file is younger than three wake-ups: a beat that is hung or stopped scheduling fails it,
which a check of the process alone would not see.
"""

import os
import sys
import time
from pathlib import Path

from celery.beat import PersistentScheduler

HEARTBEAT_ENV = "BEAT_HEARTBEAT_FILE"
DEFAULT_HEARTBEAT = Path(__file__).resolve().parent.parent / "var" / "celerybeat-heartbeat"


def heartbeat_file() -> Path:
    return Path(os.environ.get(HEARTBEAT_ENV) or DEFAULT_HEARTBEAT)


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        path = heartbeat_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return interval


def beat_is_alive(*, max_age_seconds: float) -> bool:
    try:
        age = time.time() - heartbeat_file().stat().st_mtime
    except FileNotFoundError:
        return False
    return age <= max_age_seconds


if __name__ == "__main__":
    max_age = float(os.environ.get("BEAT_HEARTBEAT_MAX_AGE", "180"))
    sys.exit(0 if beat_is_alive(max_age_seconds=max_age) else 1)
