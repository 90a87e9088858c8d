"""Faults around the sweep, with real processes: sweeps killed with SIGKILL in the middle, two
sweeps started at once in two processes."""

import importlib.util
import random
import signal
import subprocess
import time

import pytest
from django.db import connection
from django.urls import reverse

from achievements.models import AchievementCompletion, AchievementWatermark, SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from tests.factories import AdministratorFactory
from tests.helpers import PYTHON, ROOT, wait_until

from .conftest import process_env, wait_for_other_connections_to_end

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

KILLS = 3


def _generate(*, students: int, completions: int) -> dict:
    path = ROOT / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(students=students, completions=completions, seed=11)


def _issued_pairs() -> set[tuple[int, int]]:
    """What the sweep issued (the generated data also holds manual issuances of other badges)."""
    return set(
        BadgeIssuance.objects.filter(method=BadgeIssuance.Method.AUTOMATIC).values_list(
            "badge_id", "recipient_id"
        )
    )


def _duplicates() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {BadgeIssuance._meta.db_table} "
            "GROUP BY badge_id, recipient_id HAVING count(*) > 1) d"
        )
        return cursor.fetchone()[0]


def _forget_the_sweep() -> None:
    """Back to before any sweep: no completions recorded, no badges, no watermarks."""
    BadgeIssuance.objects.filter(method=BadgeIssuance.Method.AUTOMATIC).delete()
    AchievementCompletion.objects.all().delete()
    AchievementWatermark.objects.all().delete()
    SweepRun.objects.all().delete()


def _sweep_process() -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "sweep_achievements"],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_sweep_killed_mid_run_several_times_then_a_normal_run_issues_what_a_clean_run_does(
    client, record_property
):
    _generate(students=3000, completions=40000)
    started = time.monotonic()
    clean = sweep_run()
    clean_seconds = time.monotonic() - started
    assert clean.status == SweepRun.Status.SUCCEEDED, clean.error
    expected = _issued_pairs()
    assert len(expected) == clean.badges_issued > 0
    _forget_the_sweep()

    rng = random.Random(7)
    killed_mid_run = 0
    issued_after_kill = []
    for kill in range(KILLS):
        worker = _sweep_process()
        # Its own run: the ones killed before stay "running" until a sweep takes the lock.
        wait_until(
            lambda kill=kill: SweepRun.objects.count() == kill + 1,
            timeout=60,
            what="the sweep to start",
        )
        time.sleep(rng.uniform(0.05, 0.25) * clean_seconds)
        if worker.poll() is None:
            killed_mid_run += 1
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        wait_for_other_connections_to_end()
        issued_after_kill.append(len(_issued_pairs()))
    assert killed_mid_run == KILLS, "the sweep finished before it could be killed"
    # The kills interrupted real work: what was committed before each kill stays, the rest is
    # left for the next run.
    assert issued_after_kill[0] < len(expected)
    partial = issued_after_kill[-1]

    normal = subprocess.run(  # noqa: PLW1510
        [PYTHON, "manage.py", "sweep_achievements"],
        cwd=ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert normal.returncode == 0, normal.stdout + normal.stderr

    assert _issued_pairs() == expected
    assert _duplicates() == 0
    statuses = list(SweepRun.objects.order_by("started_at").values_list("status", flat=True))
    assert statuses == [SweepRun.Status.INTERRUPTED] * KILLS + [SweepRun.Status.SUCCEEDED]

    client.force_login(AdministratorFactory())
    page = client.get(reverse("achievements:sweep_runs")).content.decode()
    assert page.count('class="table-danger" data-testid="sweep-run"') == KILLS
    assert page.count("<td>Interrupted</td>") == KILLS
    assert page.count("Stopped before it finished (worker killed or restarted).") == KILLS

    record_property("sweep_kills", KILLS)
    record_property("issued_before_recovery", partial)
    record_property("issued", len(expected))
    print(  # noqa: T201 - the figures docs/reliability.md quotes
        f"\nSIGKILL x{KILLS} mid-sweep: issued after each kill {issued_after_kill} of "
        f"{len(expected)}, {len(expected)} after the normal run "
        f"(clean run: {len(expected)} in {clean_seconds:.1f}s), "
        "0 duplicates"
    )


def test_two_sweep_processes_at_once_issue_what_one_sweep_does():
    _generate(students=1000, completions=12000)
    clean = sweep_run()
    expected = _issued_pairs()
    assert len(expected) == clean.badges_issued > 0
    _forget_the_sweep()

    workers = [_sweep_process() for _ in range(2)]
    outputs = [worker.communicate(timeout=300)[0].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    assert _issued_pairs() == expected
    assert _duplicates() == 0
    runs = SweepRun.objects.values_list("status", "badges_issued")
    # Either one ran and the other skipped (the advisory lock), or they ran one after the other.
    assert sum(issued for _, issued in runs) == len(expected)
    assert SweepRun.Status.SUCCEEDED in {status for status, _ in runs}
    print(  # noqa: T201
        f"\nTwo sweep processes at once: {sorted(runs)}; {len(expected)} issued, 0 duplicates"
    )
