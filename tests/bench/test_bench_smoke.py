"""The benchmarks keep working: the generator and every benchmark on a tiny data set, and the report
they write. No timing is asserted: only that each benchmark ran and measured what it says."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from achievements.models import SweepRun
from api.models import ApiClient
from badges.models import BadgeIssuance
from bench.run import SIZES, database_url_problem, run_all, write_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url", [None, "sqlite:////tmp/bench.sqlite3", "mysql://root@127.0.0.1/bench"]
)
def test_the_benchmarks_refuse_anything_but_postgresql(url):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if url:
        env["DATABASE_URL"] = url

    finished = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "tiny"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert "The benchmarks need PostgreSQL" in finished.stderr
    assert database_url_problem(url) in finished.stderr


def test_a_postgresql_url_is_accepted():
    assert database_url_problem("postgres://postgres@127.0.0.1:5432/bench") is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_benchmark_runs_on_tiny_data_and_is_reported(tmp_path):
    size = SIZES["tiny"]

    results = run_all(size)
    write_report(results, size=size, size_name="tiny", command="pytest", output=tmp_path / "perf")

    # Benchmark 12, the last, issued a few automatic badges of its own.
    api_issued = results["api"]["to_issuance"]["issuances_added"]
    full = results["full_sweep"]
    assert full["completion_records"] == size.completions
    assert full["peak_rss_mb"] > 0
    assert full["badges_issued"] == full["completions_recorded"] > 0
    assert SweepRun.objects.filter(status=SweepRun.Status.FAILED).count() == 0
    assert results["new_completions"]["achievements_evaluated"] > 0
    # The naive evaluation and the lower bound were checked equal to the sweep (they raise if not).
    assert results["naive"]["students"] == size.naive_sample
    assert results["naive"]["naive_queries"] > results["naive"]["sweep_queries"] > 0
    assert (
        results["lower_bound"]["issuances"]
        == BadgeIssuance.objects.filter(source=BadgeIssuance.Source.ACHIEVEMENT).count()
        - api_issued
    )
    roster = results["roster"]
    assert roster["queries"] == roster["small_queries"]
    assert roster["students"] > roster["small_students"]
    batch = results["batch"]
    assert (batch["badges"], batch["students"]) == (size.batch_badges, size.batch_students)
    assert 0 < batch["issued"] <= batch["pairs"]
    found = results["find_issued"]
    assert found["issuances"] == BadgeIssuance.objects.count() - api_issued
    assert found["csv_rows"] > found["csv_small_rows"] > 0
    for page in ("roster", "choose_badge"):
        load = results["load"][page]
        assert load["requests"] > 0
        assert load["errors"] == 0
    model = results["load_model"]
    assert model["steps"]
    assert model["steps"][0]["users"] == size.model_steps[0]
    for page in ("roster", "choose_badge"):
        assert model["steps"][0][page]["requests"] > 0
        assert model["steps"][0][page]["failures"] == 0
    assert results["ob3"]["signing"]["per_second"] > 0
    assert results["ob3"]["download"]["unsigned_median_ms"] > 0
    api = results["api"]
    assert api["per_second"] > 0
    assert api["csv_per_second"] > 0
    assert api["batches"] * api["batch_size"] == api["csv_rows"]
    assert api["to_issuance"]["median_ms"] > 0
    assert api["to_issuance"]["issuances_added"] >= api["to_issuance"]["samples"]
    assert not ApiClient.objects.exists()  # the bench's client is gone: the next reset works
    report = (tmp_path / "perf.md").read_text()
    assert "| 13. API" in report
    for benchmark in range(1, 11):
        assert f"| {benchmark}. " in report
    assert json.loads((tmp_path / "perf.json").read_text())["results"]["batch"] == batch
