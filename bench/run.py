"""Run every benchmark on a freshly generated data set and write the report.

    DATABASE_URL=postgres://… python bench/run.py              # the large set (make bench)
    DATABASE_URL=postgres://… python bench/run.py --size small # seconds (make bench-small)

The database must be PostgreSQL and is emptied of the portal's data first: point DATABASE_URL at
a database kept for benchmarks. The large set writes docs/performance.md and
docs/performance.json; other sizes write var/bench-<size>.md and .json unless --output says.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")
NOTES_HEADING = "## Notes"


@dataclass(frozen=True)
class Size:
    students: int
    completions: int
    new_completions: int  # benchmark 3
    naive_sample: int  # benchmark 4
    renders: int  # benchmarks 6 and 8: median of this many
    roster: int  # benchmark 6: students on the roster measured
    batch_badges: int  # benchmark 7
    batch_students: int
    export_term: str  # benchmark 8: the student search exported (bench-sNNNNNNN usernames)
    load_users: int  # benchmark 9
    load_seconds: int
    model_steps: tuple[int, ...] = (2,)  # benchmark 12: locust users per step
    model_seconds: int = 6
    model_think: tuple[float, float] = (0.1, 0.5)  # seconds between one user's requests


SIZES = {
    "large": Size(
        students=100_000,
        completions=1_000_000,
        new_completions=10_000,
        naive_sample=50,
        renders=20,
        roster=2_000,
        batch_badges=20,
        batch_students=1_000,
        export_term="s001",  # 10,000 students of 100,000: about a tenth of the issuances
        load_users=20,
        load_seconds=30,
        model_steps=(10, 20, 40, 80, 160),
        model_seconds=30,
        model_think=(1, 5),
    ),
    "small": Size(
        students=5_000,
        completions=50_000,
        new_completions=1_000,
        naive_sample=10,
        renders=5,
        roster=2_000,
        batch_badges=20,
        batch_students=200,
        export_term="s0001",
        load_users=5,
        load_seconds=5,
        model_steps=(10, 20, 40, 80),
        model_seconds=15,
        model_think=(1, 5),
    ),
    "tiny": Size(
        students=300,
        completions=3_000,
        new_completions=100,
        naive_sample=5,
        renders=2,
        roster=300,
        batch_badges=3,
        batch_students=20,
        export_term="s00001",
        load_users=2,
        load_seconds=2,
    ),
}


def database_url_problem(url: str | None) -> str | None:
    """Why DATABASE_URL cannot be used for the benchmarks, or None."""
    if not url:
        return "The benchmarks need PostgreSQL: set DATABASE_URL=postgres://… (it is not set)."
    if not url.startswith(POSTGRES_SCHEMES):
        scheme = url.split(":", 1)[0]
        return (
            f"The benchmarks need PostgreSQL, and DATABASE_URL is {scheme}: "
            "set DATABASE_URL=postgres://user@host:5432/database (its data will be replaced)."
        )
    return None


def _setup() -> None:
    problem = database_url_problem(os.environ.get("DATABASE_URL"))
    if problem:
        sys.exit(problem)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings.test")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-not-for-any-real-deployment-0123456789"
    )
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--students", type=int, help="Override the size's number of students.")
    parser.add_argument("--completions", type=int, help="Override its completion records.")
    parser.add_argument("--output", type=Path, help="Report path without suffix (.md, .json).")
    parser.add_argument(
        "--only",
        help="Comma-separated result keys to run (e.g. roster,find_issued,load,load_model); the "
        "data set and the full sweep always come first. The report then holds only those rows.",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="Keep the data set (and its sweep) already in the database instead of generating it.",
    )
    options = parser.parse_args()
    _setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmarks need PostgreSQL: DATABASE_URL does not point at it.")
    size = SIZES[options.size]
    overrides = {
        name: value
        for name, value in (("students", options.students), ("completions", options.completions))
        if value
    }
    size = replace(size, **overrides)
    output = options.output or (
        ROOT / "docs" / "performance"
        if options.size == "large" and not overrides
        else ROOT / "var" / f"bench-{options.size}"
    )
    call_command("migrate", verbosity=0)
    command = "make bench" if options.size == "large" else f"make bench-{options.size}"
    if overrides or options.size not in ("large", "small"):
        command = "python bench/run.py " + " ".join(sys.argv[1:])
    only = set(options.only.split(",")) if options.only else None
    results = run_all(size, log=print, only=only, reuse_data=options.reuse_data)
    write_report(results, size=size, size_name=options.size, command=command, output=output)
    print(f"Report written to {output}.md and {output}.json")


def run_all(
    size: Size, *, log=lambda line: None, only: set[str] | None = None, reuse_data: bool = False
) -> dict:
    """Generate the data set, then run benchmarks 1 to 15 on it; return every figure. With
    `only`, the data set, the full sweep and those benchmarks; with `reuse_data`, the data set
    (swept) already in the database."""
    from bench import benchmarks as b
    from bench.deliveries_bench import publish_drain_kicks
    from bench.generate import generate

    results: dict = {}
    autovacuum = results["autovacuum"] = autovacuum_on()
    results["machine_speed"] = _machine_speed()
    log(
        f"== Machine: {json.dumps(results['machine_speed'])}, "
        f"autovacuum {'on' if autovacuum else 'off'}"
    )

    def step(key: str, title: str, function, *args, **kwargs):
        if only is not None and key not in only and key not in ("generate", "full_sweep"):
            return
        if reuse_data and key in ("generate", "full_sweep"):
            return
        log(f"== {title}")
        started = time.perf_counter()
        with publish_drain_kicks():
            results[key] = function(*args, **kwargs)
        log(f"   {json.dumps(results[key])}  ({time.perf_counter() - started:.1f} s)")
        if not autovacuum and key != "generate":  # the generator vacuums what it wrote itself
            # What autovacuum does on a real server between two steps: the dead rows of a
            # benchmark's resets cleared, the statistics of what it wrote brought up to date.
            vacuum_analyze()

    step(
        "generate",
        "Generate the data set",
        lambda: {
            **generate(students=size.students, completions=size.completions, reset=True),
        },
    )
    step("full_sweep", "1. Full sweep (separate process)", b.full_sweep)
    step("nothing_new", "2. Sweep with nothing new", b.nothing_new_sweep)
    step(
        "new_completions",
        f"3. Sweep after {size.new_completions:,} new completions",
        b.sweep_after_new_completions,
        count=size.new_completions,
    )
    step(
        "naive",
        "4. Naive per-student ORM evaluation vs the sweep, same students",
        b.naive_vs_sweep,
        sample=size.naive_sample,
    )
    step("lower_bound", "5. Hand-written INSERT … SELECT lower bound", b.lower_bound)
    if "lower_bound" in results and "full_sweep" in results:
        results["lower_bound"]["ratio"] = round(
            results["full_sweep"]["seconds"] / results["lower_bound"]["seconds"], 2
        )
    step("roster", "6. Roster page", b.roster_page, repeats=size.renders)
    step(
        "batch",
        f"7. Batch issuance, {size.batch_badges} badges × {size.batch_students:,} students",
        b.batch_issue,
        badges=size.batch_badges,
        students=size.batch_students,
    )
    step(
        "find_issued",
        "8. Find Issued Badges and CSV export",
        b.find_issued_badges,
        repeats=size.renders,
        export_term=size.export_term,
    )
    step(
        "load",
        "9. Load: gunicorn, 2 workers; wrk",
        b.load,
        users=size.load_users,
        seconds=size.load_seconds,
    )
    from bench import credentials_bench

    step("ob3", "10. Open Badges 3.0 credentials", credentials_bench.run,
         count=size.renders * 50, repeats=size.renders * 5)  # fmt: skip

    from bench.deliveries_bench import deliveries_bench

    samples = {"email_sample": min(2_000, size.students // 5), "credly_sample": size.roster // 5}
    step("deliveries", "11. Deliveries: sweep on/off, draining", deliveries_bench, **samples)

    from bench.webhooks_bench import webhooks_bench

    step("webhooks", "12. Webhooks: event rows, draining", webhooks_bench,
         students=size.batch_students, sample=size.roster // 4)  # fmt: skip

    from bench.api_bench import api_bench

    api_batches = max(2, min(10, size.new_completions // 200))
    step("api", "13. API: completions ingested, time to the issuance", api_bench,
         batches=api_batches)  # fmt: skip

    from bench.load_model import load_model

    step("load_model", "14. Load model: gunicorn, 2 workers; locust with think time", load_model,
         steps=size.model_steps, seconds=size.model_seconds, think=size.model_think)  # fmt: skip

    from bench.csv_bench import csv_bench

    step("csv", "15. CSV export: COPY vs Python", csv_bench, export_term=size.export_term)
    return results


def autovacuum_on() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0] == "on"


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _machine_speed() -> dict:
    """Two fixed workloads, to compare figures taken on different machines: a pure-Python loop
    and a PostgreSQL query that only computes (best of 3 each, in ms; lower is faster)."""
    from django.db import connection

    def python_loop() -> None:
        total = 0
        for n in range(3_000_000):
            total += n * n % 7

    def sql_loop() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sum(hashint4(g)::bigint % 7) FROM generate_series(1, 3000000) g")
            cursor.fetchone()

    figures = {}
    for name, work in (("python_ms", python_loop), ("postgresql_ms", sql_loop)):
        durations = []
        for _ in range(3):
            started = time.perf_counter()
            work()
            durations.append(time.perf_counter() - started)
        figures[name] = round(min(durations) * 1000, 1)
    return figures


# The report --------------------------------------------------------------------------------------


def _machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(memory_kb / 2**20, 1),
        "postgresql": postgres,
        "python": platform.python_version(),
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
    }


def _rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(benchmark, figure, baseline, ratio, target) for the table."""
    from bench.deliveries_bench import deliveries_rows

    rows = []
    if "full_sweep" in results and "lower_bound" in results:
        full = results["full_sweep"]
        rows.append(
            (
                f"1. Full sweep, {full['completion_records']:,} completion records "
                f"({full['badges_issued']:,} badges issued)",
                f"{full['seconds']} s, peak RSS {full['peak_rss_mb']} MB",
                f"lower bound {results['lower_bound']['seconds']} s",
                f"{results['lower_bound']['ratio']}×",
                "≤ 30 s, ≤ 300 MB",
            )
        )
    if "nothing_new" in results:
        rows.append(
            (
                "2. Sweep with nothing new",
                f"{results['nothing_new']['seconds'] * 1000:.0f} ms",
                "",
                "",
                "≤ 0.5 s",
            )
        )
    if "new_completions" in results:
        new = results["new_completions"]
        rows.append(
            (
                f"3. Sweep after {new['new_completions']:,} new completions",
                f"{new['seconds']} s ({new['badges_issued']:,} badges issued)",
                "",
                "",
                "≤ 2 s",
            )
        )
    if "naive" in results:
        naive = results["naive"]
        rows.append(
            (
                f"4. Naive per-student ORM vs sweep, {naive['students']} students "
                f"({naive['issuances']:,} issuances)",
                f"sweep {naive['sweep_seconds']} s ({naive['sweep_queries']:,} queries)",
                f"naive {naive['naive_seconds']} s ({naive['naive_queries']:,} queries)",
                f"naive / sweep {naive['ratio']}×",
                "≥ 50×",
            )
        )
    if "lower_bound" in results and "full_sweep" in results:
        lower = results["lower_bound"]
        rows.append(
            (
                f"5. Lower bound: {lower['statements']} INSERT … SELECT, "
                f"{lower['issuances']:,} issuances (equal to the sweep's) and "
                f"{lower.get('outbox_rows', 0):,} e-mail rows",
                f"sweep {full['seconds']} s",
                f"lower bound {lower['seconds']} s",
                f"sweep / lower bound {lower['ratio']}×",
                "≤ 2×",
            )
        )
    if "roster" in results:
        roster = results["roster"]
        rows.append(
            (
                f"6. Roster page, {roster['students']:,} students (median of {roster['renders']})",
                f"{roster['median_ms']} ms, {roster['queries']} queries",
                f"{roster['small_students']} students: {roster['small_median_ms']} ms, "
                f"{roster['small_queries']} queries",
                f"{roster['ratio']}×",
                "≤ 150 ms, queries independent of size",
            )
        )
    if "batch" in results:
        batch = results["batch"]
        rows.append(
            (
                f"7. Batch issuance, {batch['badges']} badges × {batch['students']:,} students",
                f"{batch['seconds']} s, {batch['queries']} queries ({batch['issued']:,} issued)",
                "",
                "",
                "≤ 3 s",
            )
        )
    if "find_issued" in results:
        found = results["find_issued"]
        rows.append(
            (
                f"8. Find Issued Badges, first page over {found['issuances']:,} issuances",
                f"{found['first_page_ms']} ms ({found['first_page_queries']} queries)",
                "",
                "",
                "≤ 200 ms",
            )
        )
        rows.append(
            (
                "8. Find Issued Badges, first page with filters (badge, student, method, sort)",
                f"{found['filtered_page_ms']} ms ({found['filtered_page_queries']} queries)",
                "",
                "",
                "≤ 200 ms",
            )
        )
        rows.append(
            (
                f"8. CSV export, {found['csv_rows']:,} rows",
                f"{found['csv_seconds']} s, peak Python memory {found['csv_peak_mb']} MB",
                f"{found['csv_small_rows']:,} rows: {found['csv_small_peak_mb']} MB",
                f"{found['csv_memory_ratio']}× the memory for "
                f"{found['csv_rows'] / max(1, found['csv_small_rows']):.0f}× the rows",
                "memory flat",
            )
        )
    if "load" in results:
        for key, label in (("roster", "roster page"), ("choose_badge", "Choose Badge dialog")):
            load = results["load"][key]
            rows.append(
                (
                    f"9. Load, {label}: gunicorn 2 workers, {load['users']} users, "
                    f"{load['seconds']} s (wrk)",
                    f"{load['rps']} req/s, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
                    f"p99 {load['p99_ms']} ms, {load['errors']} errors",
                    "",
                    "",
                    "p95 ≤ 300 ms, 0 errors" if key == "roster" else "",
                )
            )
    if "ob3" in results:
        from bench.credentials_bench import report_rows

        rows += report_rows(results["ob3"])
    if "deliveries" in results:
        rows += deliveries_rows(results["deliveries"])
    if "webhooks" in results:
        from bench.webhooks_bench import webhooks_rows

        rows += webhooks_rows(results["webhooks"])
    if "api" in results:
        from bench.api_bench import api_rows

        rows += api_rows(results["api"])
    if "load_model" in results:
        from bench.load_model import report_rows as load_model_rows

        rows += load_model_rows(results["load_model"])
    if "csv" in results:
        from bench.csv_bench import csv_rows

        rows += csv_rows(results["csv"])
    return rows


def write_report(results: dict, *, size: Size, size_name: str, command: str, output: Path):
    machine = _machine()
    output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "command": command,
        "size": size_name,
        "parameters": asdict(size),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine,
        "results": results,
    }
    output.with_suffix(".json").write_text(json.dumps(document, indent=2, default=str) + "\n")
    lines = [
        "# Performance",
        "",
        f"Measured {document['measured_at']} with `{command}` "
        f"({size_name} set: {size.students:,} students, {size.completions:,} completion "
        "records). Every figure below comes from that one run; the JSON is "
        f"`{output.with_suffix('.json').name}`.",
        "",
        f"Machine: {machine['cores']} cores ({machine['cpu']}), {machine['ram_gb']} GB RAM, "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']}; load average at the "
        f"end {machine['load_average_at_end']}."
        + (
            f" Speed: a fixed Python loop {speed['python_ms']} ms, a fixed PostgreSQL computation "
            f"{speed['postgresql_ms']} ms (lower is faster; compare runs of other machines by "
            "these)."
            if (speed := results.get("machine_speed"))
            else ""
        )
        + (
            " The server runs with autovacuum off: the runner vacuums and analyzes between "
            "steps, as autovacuum would."
            if not results.get("autovacuum", True)
            else ""
        ),
        "",
        "| benchmark | figure | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    # The analysis written by hand under "## Notes" survives a new run.
    markdown = output.with_suffix(".md")
    previous = markdown.read_text() if markdown.exists() else ""
    notes = previous[previous.find(NOTES_HEADING) :] if NOTES_HEADING in previous else ""
    markdown.write_text("\n".join(lines) + "\n" + (f"\n{notes}" if notes else ""))


if __name__ == "__main__":
    main()
