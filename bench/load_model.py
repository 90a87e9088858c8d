"""Benchmark 12: how many instructors with think time the Roster and Choose Badge sustain.

gunicorn with 2 workers on a free port, against the benchmarks' database; locust (headless, the
model in bench/locust/locustfile.py) with an increasing number of users, one run per step. Each
step reports the p50/p95 and failures of each page; a page sustains a step's users when its p95
is at most P95_TARGET_MS with no failure. The steps stop after the first that both pages miss.

locust runs on the same two cores as gunicorn and PostgreSQL: what it costs them is part of the
figure (as wrk's is in benchmark 9).
"""

from __future__ import annotations

import csv
import secrets
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from bench import benchmarks as b

LOCUSTFILE = Path(__file__).resolve().parent / "locust" / "locustfile.py"
P95_TARGET_MS = 300
PAGES = {"roster": "roster", "choose badge": "choose_badge"}
DIALOG_STUDENTS = 20


def _locust(host: str, *, users: int, seconds: int, env: dict, workdir: Path) -> dict:
    prefix = workdir / f"step-{users}"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--users", str(users), "--spawn-rate", str(max(1, users // 2))]
    command += ["--run-time", f"{seconds}s", "--host", host, "--csv", str(prefix)]
    command += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    finished = subprocess.run(  # noqa: S603 - our own interpreter and locustfile
        command, check=True, env=env, cwd=b.ROOT, capture_output=True, timeout=seconds + 120
    )
    figures = {}
    with prefix.with_name(prefix.name + "_stats.csv").open() as stats:
        for row in csv.DictReader(stats):
            name = row["Name"]
            if (name in PAGES or name == "Aggregated") and int(row["Request Count"]):
                figures[PAGES.get(name, "all")] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 1),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                }
    if not figures:
        raise RuntimeError(f"locust made no request:\n{finished.stderr.decode()[-3000:]}")
    return figures


def _warm_up(port: int, *, course_class, administrator, dialog: str) -> None:
    """A few requests before the first step, so that no step pays for the workers' first
    requests (templates compiled, connections opened)."""
    client = b._client(administrator)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
    roster = reverse("classes:roster", args=[course_class.pk])
    for _ in range(4):
        for path in ("/accounts/login/", roster, dialog):
            request = urllib.request.Request(  # noqa: S310 - our own server
                f"http://127.0.0.1:{port}{path}", headers=headers
            )
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()


def _sustains(figures: dict | None) -> bool:
    return bool(figures) and figures["failures"] == 0 and figures["p95_ms"] <= P95_TARGET_MS


def load_model(*, steps: tuple[int, ...], seconds: int, think: tuple[float, float] = (1, 5)):
    """Run the steps; return each step's figures and the users each page sustains."""
    course_class = b._largest_class()
    administrator = b._administrator_of(course_class)
    password = secrets.token_urlsafe(16)
    administrator.set_password(password)
    administrator.save(update_fields=["password"])
    students = course_class.enrollments.order_by("student_id").values_list("student_id", flat=True)[
        :DIALOG_STUDENTS
    ]
    dialogs = [reverse("classes:issue_badge", args=[course_class.pk, pk]) for pk in students]
    port = b._free_port()
    server = b._start_gunicorn(port, extra_env={"USE_X_FORWARDED_PROTO": "on"})
    env = {
        **b._child_env(),
        "LOAD_USERNAME": administrator.username,
        "LOAD_PASSWORD": password,
        "LOAD_ROSTER": reverse("classes:roster", args=[course_class.pk]),
        "LOAD_DIALOGS": ",".join(dialogs),
        "LOAD_THINK_MIN": str(think[0]),
        "LOAD_THINK_MAX": str(think[1]),
    }
    results: dict = {"think_seconds": list(think), "step_seconds": seconds, "steps": []}
    try:
        _warm_up(port, course_class=course_class, administrator=administrator, dialog=dialogs[0])
        with tempfile.TemporaryDirectory() as workdir:
            for users in steps:
                figures = _locust(
                    f"http://127.0.0.1:{port}",
                    users=users,
                    seconds=seconds,
                    env=env,
                    workdir=Path(workdir),
                )
                results["steps"].append({"users": users, **figures})
                if not any(_sustains(figures.get(page)) for page in PAGES.values()):
                    break
    finally:
        server.terminate()
        server.wait(timeout=30)
        administrator.set_unusable_password()
        administrator.save(update_fields=["password"])
    for page in PAGES.values():
        sustained = [step["users"] for step in results["steps"] if _sustains(step.get(page))]
        results[f"{page}_sustained_users"] = max(sustained, default=0)
    return results


def report_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    think = "–".join(f"{value:g}" for value in results["think_seconds"])
    rows = []
    for page, label in (("roster", "Roster"), ("choose_badge", "Choose Badge dialog")):
        steps = ", ".join(
            f"{step['users']}: p95 {step[page]['p95_ms']:g} ms"
            + (f" ({step[page]['failures']} failed)" if step[page]["failures"] else "")
            for step in results["steps"]
            if page in step
        )
        rows.append(
            (
                f"14. Load model (locust, think time {think} s, {results['step_seconds']} s a "
                f"step), {label}: users sustained at p95 ≤ {P95_TARGET_MS} ms",
                f"{results[f'{page}_sustained_users']} users",
                steps,
                "",
                "",
            )
        )
    return rows
