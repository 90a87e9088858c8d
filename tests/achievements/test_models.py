"""What the pages say of an achievement and a sweep run, worded beside their choices."""

import pytest
from django.template.loader import get_template, render_to_string

from achievements.models import Achievement, SweepRun
from tests.factories import AchievementFactory, LabFactory


@pytest.mark.parametrize("criteria_type", Achievement.CriteriaType.values)
def test_every_criteria_type_has_its_wording(criteria_type):
    assert get_template(Achievement(criteria_type=criteria_type).criteria_template)


def test_the_criteria_are_worded_by_their_type(organization):
    achievement = AchievementFactory(
        organization=organization, criteria_type="lab", lab=LabFactory(title="Deploy a VM")
    )

    text = render_to_string("achievements/includes/criteria.html", {"achievement": achievement})

    assert text.startswith("Complete the lab <strong>")
    assert "Deploy a VM" in text


@pytest.mark.parametrize(
    ("status", "went_wrong", "was_skipped"),
    [
        (SweepRun.Status.RUNNING, False, False),
        (SweepRun.Status.SUCCEEDED, False, False),
        (SweepRun.Status.FAILED, True, False),
        (SweepRun.Status.INTERRUPTED, True, False),
        (SweepRun.Status.SKIPPED, False, True),
    ],
)
def test_a_run_that_went_wrong_or_was_skipped_says_so(status, went_wrong, was_skipped):
    run = SweepRun(status=status)
    assert (run.went_wrong, run.was_skipped) == (went_wrong, was_skipped)
