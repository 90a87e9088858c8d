"""Benchmark 13, the CSV export of Find Issued Badges: PostgreSQL's COPY against the Python export
(today's path, kept for SQLite), on the same search in the same run: rows per second, the peak of
Python's memory while streaming (tracemalloc) and the process's peak RSS (VmHWM, reset before each
export), and whether the bytes are equal.

Both are read as the view would stream them, over the same queryset the view builds for platform
staff (every issuance, with the Issued Status columns)."""

from __future__ import annotations

import gc
import time
import tracemalloc

from django.http import QueryDict

from accounts.models import User
from badges.csv_export import issued_badges_csv_copy_stream, issued_badges_csv_python_stream
from badges.selectors import issuances_visible_to
from deliveries.filters import IssuedBadgeStatusFilter
from deliveries.selectors import issuances_annotate_issued_status

EXTRA_COLUMNS = (
    ("Issued Status (e-mail)", "email_issued_status"),
    ("Issued Status (Credly)", "credly_issued_status"),
)


def reset_peak_rss() -> None:
    """Start the process's high-water mark of RSS afresh (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("No VmHWM in /proc/self/status.")


def _issuances(query: str):
    staff = User.objects.get(username="bench-staff")
    filterset = IssuedBadgeStatusFilter(
        QueryDict(query), queryset=issuances_visible_to(user=staff), user=staff
    )
    if not filterset.is_valid():
        raise RuntimeError(f"The bench search {query!r} is invalid: {filterset.errors}")
    return issuances_annotate_issued_status(filterset.qs)


def measure_export(stream, query: str = "", *, trace: bool = True, keep: bool = False) -> dict:
    """Stream one export to nowhere (as a response would be written); its figures."""
    gc.collect()
    reset_peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    rows = size = 0
    kept = []
    for chunk in stream(_issuances(query), extra_columns=EXTRA_COLUMNS):
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        rows += data.count(b"\r\n")
        if keep:
            kept.append(data)
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    figures = {
        "rows": rows - 1,  # the header; a cell's own line breaks would count too (none in bench)
        "bytes": size,
        "seconds": round(seconds, 3),
        "rows_per_second": round((rows - 1) / max(seconds, 1e-9)),
        "python_peak_mb": round(peak / 2**20, 2),
        "peak_rss_mb": peak_rss_mb(),
    }
    if keep:
        figures["data"] = b"".join(kept)
    return figures


def copy_export(query: str = "") -> dict:
    """The COPY export alone (bench/scale.py: every issuance at each size)."""
    return measure_export(issued_badges_csv_copy_stream, query, trace=False)


def csv_bench(*, export_term: str) -> dict:
    """The Python export and the COPY export of the same search (the students matching
    `export_term`), each twice (the better kept; the first also checks the bytes are equal), then
    the COPY export of every issuance and of a tenth of the search, for flat memory."""
    query = f"student={export_term}"
    results = {}
    for name, stream in (
        ("python", issued_badges_csv_python_stream),
        ("copy", issued_badges_csv_copy_stream),
    ):
        first = measure_export(stream, query, trace=False, keep=True)
        second = measure_export(stream, query, trace=False)
        traced = measure_export(stream, query, trace=True)
        best = min((first, second), key=lambda figures: figures["seconds"])
        results[name] = {
            **{key: value for key, value in best.items() if key != "data"},
            "python_peak_mb": traced["python_peak_mb"],
            "peak_rss_mb": max(first["peak_rss_mb"], second["peak_rss_mb"]),
        }
        results[f"{name}_data"] = first.pop("data")
    equal = results.pop("python_data") == results.pop("copy_data")
    if not equal:
        raise RuntimeError("The COPY export and the Python export differ on the bench data.")
    everything = measure_export(issued_badges_csv_copy_stream, "", trace=True)
    small = measure_export(issued_badges_csv_copy_stream, f"student={export_term}0", trace=True)
    return {
        **results,
        "bytes_equal": equal,
        "speedup": round(
            results["copy"]["rows_per_second"] / max(1, results["python"]["rows_per_second"]), 1
        ),
        "all": everything,
        "small": small,
        "memory_ratio": round(everything["python_peak_mb"] / max(0.01, small["python_peak_mb"]), 2),
    }


def csv_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """The report's rows: (benchmark, figure, baseline, ratio, target)."""
    copy, python, everything = results["copy"], results["python"], results["all"]
    return [
        (
            f"15. CSV export by COPY, {copy['rows']:,} rows (bytes equal to the Python export: "
            f"{'yes' if results['bytes_equal'] else 'NO'})",
            f"{copy['rows_per_second']:,} rows/s ({copy['seconds']} s), "
            f"peak Python memory {copy['python_peak_mb']} MB, RSS {copy['peak_rss_mb']} MB",
            f"Python export {python['rows_per_second']:,} rows/s ({python['seconds']} s), "
            f"RSS {python['peak_rss_mb']} MB",
            f"{results['speedup']}×",
            "≥ 200,000 rows/s, flat",
        ),
        (
            f"15. CSV export by COPY, every issuance ({everything['rows']:,} rows)",
            f"{everything['rows_per_second']:,} rows/s ({everything['seconds']} s), "
            f"peak Python memory {everything['python_peak_mb']} MB, "
            f"RSS {everything['peak_rss_mb']} MB",
            f"{results['small']['rows']:,} rows: {results['small']['python_peak_mb']} MB",
            f"{results['memory_ratio']}× the memory",
            "memory flat",
        ),
    ]
