"""Journey: people log in and land on the dashboard of their role."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeIssuanceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_anonymous_visitor_is_sent_to_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/badges/")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/badges/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_no_serious_axe_violations(page, "login-page")


def test_administrator_logs_in_and_sees_the_dashboard(log_in, administrator, manual_badge):
    page = log_in(administrator)

    dashboard = page.get_by_test_id("admin-dashboard")
    expect(dashboard).to_be_visible()
    expect(dashboard.get_by_role("link", name="Star Participant")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main navigation")
    for label in ["Badges", "Achievements", "Classes", "Course Assignments"]:
        expect(navigation.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(navigation.get_by_role("button", name="Log out")).to_be_visible()
    assert_no_serious_axe_violations(page, "admin-dashboard-journey")


def test_student_logs_in_and_sees_their_badges(log_in, student, manual_badge):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)

    page = log_in(student)

    expect(page.get_by_test_id("student-dashboard")).to_contain_text("Star Participant")
    page.get_by_role("link", name="My Badges").click()
    expect(page.get_by_test_id("student-badges")).to_contain_text("Star Participant")
    assert_no_serious_axe_violations(page, "student-badges-journey")
    expect(page.get_by_role("link", name="Badges", exact=True)).to_have_count(0)


def test_student_logs_out(log_in, student, live_server):
    page = log_in(student)

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
