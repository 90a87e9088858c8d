"""bench/generate.py keeps working: a tiny data set, then a full sweep and a sweep with nothing
new over it."""

import importlib.util
from pathlib import Path

import pytest

from achievements.models import AchievementCompletion, SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from catalog.models import LabCompletion

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _generator():
    path = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_data_is_swept_in_full_then_found_unchanged():
    counts = _generator().generate(students=300, completions=3000, seed=7)

    full = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    nothing_new = sweep_run(trigger=SweepRun.Trigger.COMMAND)

    assert counts["students"] == 300
    assert LabCompletion.objects.count() == counts["lab_completions"] > 1000
    assert full.status == SweepRun.Status.SUCCEEDED, full.error
    assert full.achievements_evaluated_in_full == counts["achievements"]
    assert full.badges_issued == BadgeIssuance.objects.filter(method="automatic").count() > 0
    assert full.achievements_completed == AchievementCompletion.objects.count()
    assert (nothing_new.achievements_evaluated, nothing_new.badges_issued) == (0, 0)
