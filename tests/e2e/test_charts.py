"""Journey: an administrator looks at the charts (dashboard, a badge's profile, Sweep Runs): each is
drawn by the vendored Chart.js under the Content-Security-Policy, beside a table for screen
readers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from achievements.models import SweepRun
from tests.e2e.axe import assert_no_serious_axe_violations, save_screenshots
from tests.factories import BadgeIssuanceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_drawn(page, testid, rows):
    chart = page.get_by_test_id(testid)
    expect(chart).to_have_attribute("data-chart-drawn", "")
    box = chart.locator("canvas").bounding_box()
    assert box["width"] > 100
    assert box["height"] > 100
    expect(chart.get_by_role("table")).to_have_count(1)
    expect(chart.locator("tbody tr")).to_have_count(rows)


def test_administrator_sees_charts_with_tables_beside_them(
    log_in, live_server, administrator, manual_badge, student
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    now = timezone.now()
    for minutes in (30, 20, 10):
        SweepRun.objects.create(
            started_at=now - timedelta(minutes=minutes),
            finished_at=now - timedelta(minutes=minutes - 1),
            duration=timedelta(seconds=minutes / 10),
            trigger=SweepRun.Trigger.SCHEDULE,
            status=SweepRun.Status.SUCCEEDED,
        )
    page = log_in(administrator)

    expect_drawn(page, "chart-weeks", 12)
    expect_drawn(page, "chart-most-issued", 1)
    expect(page.get_by_test_id("chart-most-issued").get_by_role("table")).to_contain_text(
        "Star Participant"
    )
    assert_no_serious_axe_violations(page, "charts-dashboard")

    page.goto(f"{live_server.url}/badges/{manual_badge.pk}/")
    expect_drawn(page, "chart-badge-issuances", 12)
    assert_no_serious_axe_violations(page, "charts-badge-profile")

    page.goto(f"{live_server.url}/achievements/sweep-runs/")
    expect_drawn(page, "chart-durations", 3)
    expect_drawn(page, "chart-badges", 3)
    assert_no_serious_axe_violations(page, "charts-sweep-runs")
    save_screenshots(page, "charts-sweep-runs")
