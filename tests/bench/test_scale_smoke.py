"""bench/scale.py and bench/csv_bench.py keep working: the growth curve on tiny sizes, its table
and chart (into a temporary folder), and the COPY export measured against the Python one. No
timing is asserted: only that every step ran and measured what it says."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from badges.models import BadgeIssuance
from bench.csv_bench import csv_bench, csv_rows
from bench.scale import STEPS, draw, export_term, run_scale, table

ROOT = Path(__file__).resolve().parents[2]


def test_the_export_term_matches_about_a_tenth_of_the_students():
    assert export_term(10_000) == "s0001"  # bench-s0001000 … bench-s0001999
    assert export_term(100_000) == "s001"
    assert export_term(1_000_000) == "s01"


def test_bench_scale_refuses_sizes_that_are_not_numbers():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused"}

    finished = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "scale.py"), "--sizes", "1e6,lots"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert "--sizes takes whole numbers" in finished.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bench_scale_runs_every_step_at_two_tiny_sizes_and_draws_the_chart(tmp_path):
    results = run_scale([1_000, 2_000], log=lambda line: None)
    draw(results["sizes"], tmp_path / "growth.png")

    small, large = results["sizes"]
    assert (small["records"], large["records"]) == (1_000, 2_000)
    for size in results["sizes"]:
        assert set(size["steps"]) >= {key for key, _ in STEPS}
        for key, _ in STEPS:
            assert size["steps"][key]["seconds"] > 0
            assert size["steps"][key]["peak_rss_mb"] > 0
        assert size["disk"]["tables_mb"] > 0
    assert large["steps"]["full_sweep"]["completion_records"] == 2_000
    assert large["steps"]["csv"]["rows"] == BadgeIssuance.objects.count() == large["issuances"]
    assert {pair["step"] for pair in results["growth"]} == {key for key, _ in STEPS}
    assert all(pair["data_ratio"] == 2 for pair in results["growth"])
    assert len(table(results["sizes"])) == 2 + len(STEPS)
    assert (tmp_path / "growth.png").read_bytes().startswith(b"\x89PNG")
    json.dumps(results)

    # The CSV benchmark on the same data: both exports, the same bytes.
    figures = csv_bench(export_term="s00")
    assert figures["bytes_equal"]
    assert figures["copy"]["rows"] == figures["python"]["rows"] > 0
    assert figures["all"]["rows"] == BadgeIssuance.objects.count()
    assert len(csv_rows(figures)) == 2
