"""Journey: the dialogs, by mouse and by keyboard: a close button, one Escape, focus back on what
opened them, the OK button in view under a long list, Choose Student(s) with organizations and a
count, and a search that reacts to pasted text."""

import pytest
from playwright.sync_api import expect

from badges.models import BadgeIssuance
from tests.e2e.axe import PHONE, assert_no_serious_axe_violations
from tests.factories import BadgeFactory, EnrollmentFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_choose_badge(page, live_server, course_class, student):
    page.goto(f"{live_server.url}/classes/{course_class.pk}/")
    trigger = page.get_by_role("link", name=f"Issue a Badge to {student.display_name}")
    trigger.click()
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_role("heading", name="Choose Badge")).to_be_visible()
    return trigger, dialog


def test_the_close_button_closes_the_dialog_and_focus_returns(
    log_in, live_server, instructor, course_class, student, manual_badge
):
    page = log_in(instructor)
    trigger, dialog = open_choose_badge(page, live_server, course_class, student)
    assert_no_serious_axe_violations(page, "dialog-choose-badge")

    dialog.get_by_role("button", name="Close").click()

    expect(dialog).to_be_hidden()
    expect(trigger).to_be_focused()


def test_one_escape_closes_the_dialog_even_from_a_search_box_with_text(
    log_in, live_server, instructor, course_class, student, manual_badge
):
    page = log_in(instructor)
    trigger, dialog = open_choose_badge(page, live_server, course_class, student)
    expect(dialog.get_by_placeholder("Search badges")).to_be_focused()
    page.keyboard.type("star")
    expect(dialog.get_by_placeholder("Search badges")).to_have_value("star")

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(trigger).to_be_focused()


def test_search_reacts_to_pasted_text_not_only_to_key_presses(
    log_in, live_server, instructor, course_class, student, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Cloud Champion")
    page = log_in(instructor)
    _, dialog = open_choose_badge(page, live_server, course_class, student)

    # fill() sets the value and fires "input" only, as a paste or an autofill does: no key event.
    dialog.get_by_placeholder("Search badges").fill("cloud")

    expect(dialog.get_by_label("Star Participant")).to_have_count(0)
    expect(dialog.get_by_label("Cloud Champion")).to_be_visible()


def test_select_a_badge_stays_in_view_under_a_long_list_on_a_phone(
    log_in, live_server, instructor, course_class, student, organization
):
    for number in range(40):
        BadgeFactory(organization=organization, name=f"Badge number {number:02}")
    page = log_in(instructor)
    page.set_viewport_size(PHONE)
    _, dialog = open_choose_badge(page, live_server, course_class, student)

    expect(dialog.get_by_role("button", name="Select a Badge")).to_be_in_viewport()
    dialog.get_by_label("Badge number 39").check()
    expect(dialog.get_by_role("button", name="Select a Badge")).to_be_in_viewport()
    assert_no_serious_axe_violations(page, "dialog-choose-badge-long-list-phone")
    dialog.get_by_role("button", name="Select a Badge").click()
    expect(dialog).to_be_hidden()
    assert BadgeIssuance.objects.get().badge.name == "Badge number 39"


def test_choose_students_shows_organizations_and_how_many_are_selected(
    log_in, live_server, contractor, course_class, student, foreign_student, organization
):
    for number in range(30):
        EnrollmentFactory(
            course_class=course_class,
            student=StudentFactory(organization=organization, last_name=f"Many{number:02}"),
        )
    page = log_in(contractor)
    page.goto(f"{live_server.url}/classes/{course_class.pk}/issue-badges/")
    add_students = page.get_by_role("button", name="Add Students")
    add_students.click()
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_role("heading", name="Choose Student(s)")).to_be_visible()
    assert_no_serious_axe_violations(page, "dialog-choose-students")

    expect(dialog.locator("label", has_text=foreign_student.display_name)).to_contain_text(
        foreign_student.organization.name
    )
    expect(dialog.locator("label", has_text=student.display_name)).to_contain_text(
        organization.name
    )
    count = dialog.get_by_test_id("selection-count")
    expect(count).to_have_text("0 selected")
    dialog.get_by_label(student.display_name).check()
    dialog.get_by_label(foreign_student.display_name).check()
    expect(count).to_have_text("2 selected")
    # A search hides one of them; it stays selected, and counted.
    dialog.get_by_placeholder("Search by name or email").fill(foreign_student.last_name)
    expect(dialog.get_by_label(student.display_name)).to_have_count(0)
    expect(count).to_have_text("2 selected")
    expect(dialog.get_by_role("button", name="OK")).to_be_in_viewport()

    dialog.get_by_role("button", name="OK").click()

    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("batch-students").get_by_role("listitem")).to_have_count(2)
    # The page was redrawn: focus is on the new Add Students button.
    expect(page.get_by_role("button", name="Add Students")).to_be_focused()


def test_every_dialog_works_with_the_keyboard_alone(
    log_in, live_server, instructor, course_class, student, manual_badge
):
    page = log_in(instructor)
    page.goto(f"{live_server.url}/classes/{course_class.pk}/issue-badges/")
    page.get_by_role("button", name="Add Badges").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_placeholder("Search badges")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Star Participant")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Select a Badge")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("batch-badges")).to_contain_text("Star Participant")
    expect(page.get_by_role("button", name="Add Badges")).to_be_focused()
    # htmx wires the redrawn form up when it settles, 20 ms after the swap: a person is slower.
    page.wait_for_function("() => !document.querySelector('.htmx-settling')")

    page.keyboard.press("Tab")  # Remove Star Participant
    page.keyboard.press("Tab")  # Add Students
    expect(page.get_by_role("button", name="Add Students")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog.get_by_placeholder("Search by name or email")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Add Students")).to_be_focused()
