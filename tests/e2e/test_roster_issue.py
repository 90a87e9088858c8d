"""Journey: "Individual User Issuance" from the class Roster, as the help article tells it."""

import pytest
from playwright.sync_api import expect

from badges.models import BadgeIssuance
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import TEST_PASSWORD, BadgeFactory, BadgeIssuanceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# "Successfully Issued Badge" shows for a moment only: watch for it on every animation frame, as
# the retries of expect() grow to a second apart.
SUCCESS_SHOWN = """() => {
  const dialog = document.getElementById("portal-dialog");
  return dialog.open && [...dialog.querySelectorAll("button")].some(
    (button) => button.textContent.trim() === "Successfully Issued Badge");
}"""


def see_success_then_closed(page):
    page.wait_for_function(SUCCESS_SHOWN, polling="raf")
    expect(page.locator("#portal-dialog")).to_be_hidden()


def open_roster(page, course_class, classes_link="My Classes"):
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=classes_link, exact=True
    ).click()
    page.get_by_role("link", name=course_class.name).click()
    expect(page.get_by_role("heading", name=course_class.name)).to_be_visible()
    # The heading shows before htmx has set the page up (its script is deferred); a key pressed
    # on a link before then follows the link instead of opening the dialog.
    page.wait_for_load_state("load")


def test_instructor_issues_one_badge_from_roster(
    log_in, instructor, course_class, student, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Cloud Champion")
    page = log_in(instructor)
    open_roster(page, course_class)
    row = page.locator(f"#roster-row-{student.pk}")
    expect(row.get_by_test_id("earned-badges")).to_have_text("None yet")
    assert_no_serious_axe_violations(page, "roster-journey")

    row.get_by_role("link", name=f"Issue a Badge to {student.display_name}").click()
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_role("heading", name="Choose Badge")).to_be_visible()
    assert_no_serious_axe_violations(page, "roster-choose-badge-dialog")
    expect(dialog.get_by_label("Cloud Champion")).to_be_visible()
    dialog.get_by_placeholder("Search badges").press_sequentially("star")
    expect(dialog.get_by_label("Cloud Champion")).to_have_count(0)
    dialog.get_by_label("Star Participant").check()
    dialog.get_by_role("button", name="Select a Badge").click()

    see_success_then_closed(page)
    expect(row.get_by_test_id("earned-badges")).to_contain_text("Star Participant")
    issuance = BadgeIssuance.objects.get()
    assert (issuance.badge, issuance.recipient, issuance.source) == (
        manual_badge,
        student,
        BadgeIssuance.Source.ROSTER,
    )


def test_choose_badge_dialog_works_with_the_keyboard(
    log_in, instructor, course_class, student, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Cloud Champion")
    page = log_in(instructor)
    open_roster(page, course_class)

    page.get_by_role("link", name=f"Issue a Badge to {student.display_name}").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_placeholder("Search badges")).to_be_focused()
    page.keyboard.type("star")
    expect(dialog.get_by_label("Cloud Champion")).to_have_count(0)
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Star Participant")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Select a Badge")).to_be_focused()
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    assert BadgeIssuance.objects.filter(badge=manual_badge, recipient=student).exists()


def test_dialog_says_why_when_someone_else_issued_the_badge_a_second_ago(
    log_in, instructor, course_class, student, manual_badge
):
    page = log_in(instructor)
    open_roster(page, course_class)
    page.get_by_role("link", name=f"Issue a Badge to {student.display_name}").click()
    dialog = page.locator("#portal-dialog")
    dialog.get_by_label("Star Participant").check()
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)

    dialog.get_by_role("button", name="Select a Badge").click()

    expect(dialog.get_by_role("alert")).to_contain_text(
        f"Star Participant was not issued to {student.display_name}: already earned on"
    )
    expect(dialog).to_be_visible()
    assert BadgeIssuance.objects.count() == 1


def test_choose_badge_works_without_javascript(
    browser, live_server, instructor, course_class, student, manual_badge
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/classes/{course_class.pk}/")

    page.get_by_role("link", name=f"Issue a Badge to {student.display_name}").click()
    expect(page.get_by_role("heading", name="Choose Badge")).to_be_visible()
    page.get_by_label("Star Participant").check()
    page.get_by_role("button", name="Select a Badge").click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"Star Participant was issued to {student.display_name}."
    )
    expect(page.locator(f"#roster-row-{student.pk}")).to_contain_text("Star Participant")
    context.close()


def test_instructor_marks_selected_enrollments_complete(log_in, instructor, course_class, student):
    page = log_in(instructor)
    open_roster(page, course_class)

    page.get_by_label(f"Select {student.display_name}").check()
    page.get_by_role("button", name="Mark selected complete").click()

    expect(page.get_by_role("alert")).to_contain_text("Marked 1 enrollment complete.")
    expect(page.locator(f"#roster-row-{student.pk}")).to_contain_text("Completed")
