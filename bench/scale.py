"""The growth curve (make bench-scale): the sweeps, Find Issued Badges and the CSV export at
several sizes of the data set, the cost per million completion records at each, and a chart.

    DATABASE_URL=postgres://… python bench/scale.py                      # 100k, 1M and 10M records
    DATABASE_URL=postgres://… python bench/scale.py --sizes 100000,1000000

Each size is a fresh data set from bench/generate.py (one student per 10 records), then, through
the benchmarks' own functions (bench/benchmarks.py, bench/csv_bench.py): the full sweep (a process
of its own), the sweep with nothing new, the sweep after new completions (1 % of the records),
Find Issued Badges' first page without and with filters, and the COPY export of every issuance.
Every step records its time and the peak RSS of the process that ran it (VmHWM, reset before each
step in this process; the full sweep's child reports its own). The database must be PostgreSQL and
is emptied of the portal's data: point DATABASE_URL at a database kept for benchmarks.

Writes docs/scale.json and draws docs/growth.png (--output, --chart; --no-chart to skip it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
RECORDS_PER_STUDENT = 10
# The figures per step: (key, label) in the order they run.
STEPS = (
    ("generate", "Generate the data set"),
    ("full_sweep", "Full sweep"),
    ("nothing_new", "Sweep, nothing new"),
    ("incremental", "Sweep after 1 % new completions"),
    ("first_page", "Find Issued Badges, first page"),
    ("filtered_page", "Find Issued Badges, with filters"),
    ("csv", "CSV export (COPY), every issuance"),
)
# 10× the data in at most 11× the time.
LINEAR_SLACK = 1.1


def export_term(students: int) -> str:
    """A username prefix matching about a tenth of the students (bench-sNNNNNNN)."""
    digits = len(str(max(students - 1, 1)))
    return "s" + f"{students // 10:07d}"[: max(1, 8 - digits)]


def _database_size() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), "
            "COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'"
        )
        database, tables = map(int, cursor.fetchone())
    return {"database_mb": round(database / 2**20, 1), "tables_mb": round(tables / 2**20, 1)}


def measure_size(records: int, *, log=print) -> dict:
    """One size: a fresh data set, then every step; the figures."""
    from bench import benchmarks as b
    from bench.csv_bench import copy_export, peak_rss_mb, reset_peak_rss
    from bench.deliveries_bench import publish_drain_kicks
    from bench.generate import generate
    from bench.run import autovacuum_on, vacuum_analyze

    students = max(10, records // RECORDS_PER_STUDENT)
    steps: dict[str, dict] = {}
    # As bench/run.py: where the server runs without autovacuum, what it would do between steps.
    settle = (lambda: None) if autovacuum_on() else vacuum_analyze

    def step(key: str, function, *args, **kwargs):
        if key != "generate":  # the generator vacuums and analyzes what it wrote itself
            settle()
        reset_peak_rss()
        started = time.perf_counter()
        with publish_drain_kicks():
            figures = function(*args, **kwargs)
        seconds = time.perf_counter() - started
        figures = {"seconds": round(seconds, 3), **figures, "peak_rss_mb": peak_rss_mb()}
        steps[key] = figures
        log(f"   {key:<14} {seconds:8.2f} s  peak RSS {figures['peak_rss_mb']} MB")
        return figures

    log(f"== {records:,} completion records, {students:,} students")
    step("generate", lambda: {"rows": generate(students=students, completions=records, reset=True)})
    full = b.full_sweep()  # a process of its own: its time and peak RSS are the sweep's
    steps["full_sweep"] = {**full, "seconds": full["seconds"], "peak_rss_mb": full["peak_rss_mb"]}
    log(f"   {'full_sweep':<14} {full['seconds']:8.2f} s  peak RSS {full['peak_rss_mb']} MB")
    step("nothing_new", b.nothing_new_sweep)
    step("incremental", b.sweep_after_new_completions, count=max(10, records // 100))
    found = step("find_issued", b.find_issued_badges, repeats=5, export_term=export_term(students))
    steps["first_page"] = {
        "seconds": found["first_page_ms"] / 1000,
        "queries": found["first_page_queries"],
        "issuances": found["issuances"],
        "peak_rss_mb": found["peak_rss_mb"],
    }
    steps["filtered_page"] = {
        "seconds": found["filtered_page_ms"] / 1000,
        "queries": found["filtered_page_queries"],
        "peak_rss_mb": found["peak_rss_mb"],
    }
    step("csv", copy_export)
    return {
        "records": records,
        "students": students,
        "issuances": found["issuances"],
        "disk": _database_size(),
        "steps": steps,
    }


def per_million(size: dict, key: str) -> float:
    return size["steps"][key]["seconds"] / (size["records"] / 1e6)


def growth(sizes: list[dict]) -> list[dict]:
    """For each pair of consecutive sizes and each step: the data's ratio and the time's."""
    pairs = []
    for small, large in zip(sizes, sizes[1:], strict=False):
        data = large["records"] / small["records"]
        for key, _ in STEPS:
            time_ratio = large["steps"][key]["seconds"] / max(small["steps"][key]["seconds"], 1e-6)
            pairs.append(
                {
                    "step": key,
                    "from": small["records"],
                    "to": large["records"],
                    "data_ratio": round(data, 2),
                    "time_ratio": round(time_ratio, 2),
                    "linear_or_better": time_ratio <= data * LINEAR_SLACK,
                    "rss_ratio": round(
                        large["steps"][key]["peak_rss_mb"]
                        / max(small["steps"][key]["peak_rss_mb"], 0.1),
                        2,
                    ),
                }
            )
    return pairs


def table(sizes: list[dict]) -> list[str]:
    """The cost per million records of each step at each size, as Markdown."""
    header = "| step | " + " | ".join(f"{size['records']:,} records" for size in sizes) + " |"
    lines = [header, "| --- |" + " --- |" * len(sizes)]
    for key, label in STEPS:
        cells = [
            f"{per_million(size, key):.3g} s/M ({size['steps'][key]['seconds']:.3g} s, "
            f"{size['steps'][key]['peak_rss_mb']:.0f} MB)"
            for size in sizes
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def draw(sizes: list[dict], path: Path) -> None:
    """Seconds per million records (left) and peak RSS (right) of each step against the size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = [size["records"] for size in sizes]
    figure, (cost, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for key, label in STEPS:
        cost.plot(records, [per_million(size, key) for size in sizes], marker="o", label=label)
        memory.plot(
            records, [size["steps"][key]["peak_rss_mb"] for size in sizes], marker="o", label=label
        )
    for axes in (cost, memory):
        axes.set_xscale("log")
        axes.set_xlabel("completion records")
        axes.grid(True, which="both", alpha=0.3)
    cost.set_yscale("log")
    cost.set_ylabel("seconds per million records (flat = linear)")
    cost.set_title("Cost per million records")
    memory.set_ylabel("peak RSS of the process (MB)")
    memory.set_title("Memory")
    memory.set_ylim(bottom=0)
    cost.legend(fontsize=7, loc="best")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def run_scale(record_sizes, *, log=print) -> dict:
    sizes = [measure_size(records, log=log) for records in sorted(record_sizes)]
    return {"sizes": sizes, "growth": growth(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="Completion records of each data set, comma-separated (default: %(default)s).",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "scale.json")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "growth.png")
    parser.add_argument("--no-chart", action="store_true")
    options = parser.parse_args()
    try:
        record_sizes = [int(size.replace("_", "")) for size in options.sizes.split(",") if size]
    except ValueError:
        sys.exit(f"--sizes takes whole numbers separated by commas, not {options.sizes!r}.")
    if not record_sizes or min(record_sizes) < 100:
        sys.exit("--sizes: at least one size, each of at least 100 records.")
    from bench.run import _setup

    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    results = run_scale(record_sizes)
    document = {
        "command": "python bench/scale.py " + " ".join(sys.argv[1:]),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "total_seconds": round(time.perf_counter() - started, 1),
        **results,
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print("\n".join(table(results["sizes"])))
    for pair in results["growth"]:
        verdict = "linear or better" if pair["linear_or_better"] else "WORSE than linear"
        print(
            f"{pair['step']:<14} {pair['from']:,} → {pair['to']:,}: "
            f"{pair['data_ratio']}× the data, {pair['time_ratio']}× the time ({verdict}), "
            f"{pair['rss_ratio']}× the peak RSS"
        )
    if not options.no_chart:
        draw(results["sizes"], options.chart)
        print(f"Chart written to {options.chart}")
    print(f"Figures written to {options.output}")


if __name__ == "__main__":
    main()
