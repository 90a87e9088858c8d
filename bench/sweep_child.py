"""Run one sweep in this process and print its figures as JSON: bench/benchmarks.py runs it as a
child process, so that the peak memory it reports is the sweep's own.

The peak is VmHWM of /proc/self/status, the high-water mark of this program's memory: unlike
getrusage's ru_maxrss it starts afresh at exec, so the parent's memory before the fork is not in it.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings.production")

import django  # noqa: E402

django.setup()

from achievements.models import SweepRun  # noqa: E402
from awarding.sweep.runs import sweep_run  # noqa: E402
from bench.deliveries_bench import publish_drain_kicks  # noqa: E402


def peak_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("No VmHWM in /proc/self/status.")


if __name__ == "__main__":
    with publish_drain_kicks():
        run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    print(
        json.dumps(
            {
                "status": run.status,
                "error": run.error,
                "seconds": run.duration.total_seconds(),
                "achievements": run.achievements_evaluated,
                "completions_recorded": run.achievements_completed,
                "badges_issued": run.badges_issued,
                "peak_rss_kb": peak_rss_kb(),
            }
        )
    )
