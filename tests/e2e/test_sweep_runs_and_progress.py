"""Journeys: an administrator runs the sweep now from Sweep Runs and sees it on the dashboard; a
student sees how far they are toward the achievements they have not met yet."""

import pytest
from playwright.sync_api import expect

from achievements.models import SweepRun
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import (
    AchievementCompletionFactory,
    AchievementFactory,
    BadgeFactory,
    LabCompletionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_runs_the_sweep_now_and_sees_it_on_the_dashboard(
    log_in, live_server, administrator, organization, student
):
    achievement = AchievementFactory(organization=organization, name="Deployed a VM")
    BadgeFactory(organization=organization, name="Cloud Starter", achievement=achievement)
    LabCompletionFactory(student=student, lab=achievement.lab)
    page = log_in(administrator)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Sweep Runs"
    ).click()
    expect(page.get_by_text("No sweep has run yet.")).to_be_visible()

    page.get_by_role("button", name="Run sweep now").click()

    expect(page.get_by_role("alert")).to_contain_text("The sweep is queued")
    run = page.get_by_test_id("sweep-run")
    expect(run).to_have_count(1)
    expect(run.get_by_test_id("run-badges")).to_have_text("1")
    expect(page.get_by_test_id("next-run")).to_contain_text("Due at")
    assert SweepRun.objects.get().status == SweepRun.Status.SUCCEEDED
    assert_no_serious_axe_violations(page, "sweep-runs-after-run-now")

    page.get_by_role("link", name="Badge portal").click()
    expect(page.get_by_test_id("dashboard-sweep")).to_contain_text("succeeded, 1 badge issued")
    expect(page.get_by_test_id("recent-issuances")).to_contain_text("Cloud Starter")
    assert_no_serious_axe_violations(page, "dashboard-after-sweep")


def test_instructor_sees_no_run_sweep_now(log_in, live_server, instructor):
    page = log_in(instructor)
    page.goto(f"{live_server.url}/achievements/sweep-runs/")

    expect(page.get_by_role("button", name="Run sweep now")).to_have_count(0)


def test_student_sees_progress_toward_achievements_not_met_yet(
    log_in, live_server, organization, student
):
    AchievementFactory(
        organization=organization,
        name="Forty points",
        criteria_type="points",
        lab=None,
        points=0,
        points_threshold=40,
    )
    for points in (20, 10):
        AchievementCompletionFactory(
            student=student,
            achievement=AchievementFactory(organization=organization, points=points),
        )
    page = log_in(student)
    page.get_by_role("link", name="My Badges").click()

    progress = page.get_by_test_id("student-progress")
    expect(progress).to_contain_text("Forty points")
    expect(progress).to_contain_text("30 of 40 points")
    expect(page.get_by_role("progressbar", name="Forty points: 30 of 40 points")).to_have_attribute(
        "value", "30"
    )
    assert_no_serious_axe_violations(page, "student-progress")
