"""Journey: "Batch Issuance" from the class Roster, as the help article tells it."""

import pytest
from playwright.sync_api import expect

from badges.models import BadgeIssuance
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeFactory, BadgeIssuanceFactory, EnrollmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_instructor_runs_a_batch_with_one_already_earned_pair(
    log_in, live_server, instructor, course_class, student, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Quick Learner")
    BadgeFactory(organization=organization, name="Cloud Champion")
    other = EnrollmentFactory(
        course_class=course_class, student__first_name="Zoe", student__last_name="Quist"
    ).student
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    page = log_in(instructor)
    page.goto(f"{live_server.url}/classes/{course_class.pk}/")
    page.get_by_role("navigation", name="Quick launch").get_by_role(
        "link", name="Issue Badges"
    ).click()
    expect(page.get_by_role("heading", name="Issue Badges", level=1)).to_be_visible()
    dialog = page.locator("#portal-dialog")
    badges = page.get_by_test_id("batch-badges")
    students = page.get_by_test_id("batch-students")

    # Badges: Add Badges, choose three in Choose Badges, then remove one from the page's list.
    page.get_by_role("button", name="Add Badges").click()
    expect(dialog.get_by_role("heading", name="Choose Badges")).to_be_visible()
    for name in ["Star Participant", "Quick Learner", "Cloud Champion"]:
        dialog.get_by_label(name).check()
    dialog.get_by_role("button", name="Select a Badge").click()
    expect(dialog).to_be_hidden()
    expect(badges.get_by_role("listitem")).to_have_count(3)
    badges.get_by_role("button", name="Remove Cloud Champion").click()
    expect(badges.get_by_role("listitem")).to_have_count(2)
    expect(badges).not_to_contain_text("Cloud Champion")

    # Students: search narrows Choose Student(s), select all takes the students shown, and a
    # second visit starts from the students already chosen.
    page.get_by_role("button", name="Add Students").click()
    expect(dialog.get_by_role("heading", name="Choose Student(s)")).to_be_visible()
    dialog.get_by_placeholder("Search by name or email").press_sequentially("quist")
    expect(dialog.get_by_label(student.display_name)).to_have_count(0)
    dialog.get_by_label("Select all").check()
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    expect(students.get_by_role("listitem")).to_have_count(1)
    page.get_by_role("button", name="Add Students").click()
    expect(dialog.get_by_label("Zoe Quist")).to_be_checked()
    dialog.get_by_label(student.display_name).check()
    dialog.get_by_role("button", name="OK").click()
    expect(students.get_by_role("listitem")).to_have_count(2)
    expect(badges.get_by_role("listitem")).to_have_count(2)

    assert_no_serious_axe_violations(page, "batch-before-issuing")
    page.get_by_role("button", name="Issue Badges").click()

    results = page.get_by_test_id("batch-results")
    expect(results).to_contain_text("The following badges were successfully issued:")
    issued = page.get_by_test_id("issued-list")
    expect(issued).to_contain_text("Zoe Quist: Quick Learner, Star Participant")
    expect(issued).to_contain_text(f"{student.display_name}: Quick Learner")
    expect(page.get_by_test_id("batch-warning")).to_have_text(
        "Warning: Not all badges were successfully issued. See the Failed Badge list for details."
    )
    expect(results).to_contain_text("The following badge issuances failed:")
    failed = page.get_by_test_id("failed-list").locator("tbody tr")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Star Participant")
    expect(failed).to_contain_text(student.display_name)
    expect(failed).to_contain_text("Already earned on")
    assert BadgeIssuance.objects.filter(source=BadgeIssuance.Source.BATCH).count() == 3
    assert_no_serious_axe_violations(page, "batch-results")

    page.get_by_role("link", name="Start a new batch").click()
    expect(page.get_by_test_id("batch-badges")).to_contain_text("No badges chosen yet.")
    expect(page.get_by_test_id("batch-students")).to_contain_text("No students chosen yet.")
    expect(page.get_by_test_id("batch-results")).to_have_count(0)
    assert set(
        BadgeIssuance.objects.filter(recipient=other).values_list("badge__name", flat=True)
    ) == {"Star Participant", "Quick Learner"}


def test_a_batch_shows_that_it_is_working_until_the_page_comes_back(
    log_in, live_server, instructor, course_class, student, manual_badge
):
    page = log_in(instructor)
    page.goto(f"{live_server.url}/classes/{course_class.pk}/issue-badges/")
    dialog = page.locator("#portal-dialog")
    page.get_by_role("button", name="Add Badges").click()
    dialog.get_by_label("Star Participant").check()
    dialog.get_by_role("button", name="Select a Badge").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Add Students").click()
    dialog.get_by_label(student.display_name).check()
    dialog.get_by_role("button", name="OK").click()
    expect(dialog).to_be_hidden()
    # The answer never comes (204: the browser stays on the page), as with a slow large batch.
    page.route("**/issue-badges/", lambda route: route.fulfill(status=204))

    page.get_by_role("button", name="Issue Badges").click()

    working = page.get_by_role("button", name="Issuing 1 badge to 1 student…")
    expect(working).to_be_disabled()
    expect(working).to_have_attribute("aria-busy", "true")
    expect(page.get_by_role("status").filter(has_text="Issuing 1 badge")).to_have_count(1)
    assert_no_serious_axe_violations(page, "batch-working")
    assert not BadgeIssuance.objects.exists()
