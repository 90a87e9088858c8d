"""Journey: an administrator issues a badge from a course assignment, as the help article tells
it, and sees it listed on the assignment (beyond the original, which showed nothing)."""

import pytest
from playwright.sync_api import expect

from badges.models import BadgeIssuance
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_roster_issue import see_success_then_closed
from tests.factories import BadgeFactory, CourseAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assignment(organization):
    return CourseAssignmentFactory(
        organization=organization,
        course__title="Incident Response",
        student__first_name="Maya",
        student__last_name="Okafor",
    )


def open_assignment(page, assignment):
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Course Assignments"
    ).click()
    page.get_by_label("Student").fill("okafor")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Incident Response for Maya Okafor").click()
    expect(page.get_by_role("heading", name="Incident Response")).to_be_visible()


def test_administrator_issues_from_course_assignment(
    log_in, administrator, assignment, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Quick Learner")
    page = log_in(administrator)
    open_assignment(page, assignment)
    issued = page.get_by_test_id("assignment-issuances")
    expect(issued).to_contain_text("No badge has been issued from this assignment yet.")

    page.get_by_role("navigation", name="Quick access").get_by_role(
        "link", name="Issue a Badge"
    ).click()
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_role("heading", name="Choose Badge")).to_be_visible()
    assert_no_serious_axe_violations(page, "assignment-choose-badge-dialog")
    dialog.get_by_label("Star Participant").check()
    dialog.get_by_role("button", name="Select a Badge").click()

    see_success_then_closed(page)
    expect(issued).to_contain_text("Star Participant")
    issuance = BadgeIssuance.objects.get()
    assert issuance.recipient == assignment.student
    assert issuance.source_assignment == assignment


def test_administrator_marks_a_course_assignment_complete(log_in, administrator, assignment):
    page = log_in(administrator)
    open_assignment(page, assignment)

    page.get_by_role("button", name="Mark complete").click()

    expect(page.get_by_role("alert")).to_contain_text("The course assignment is marked complete.")
    expect(page.get_by_test_id("assignment-status")).to_have_text("Completed")
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)
