"""Journeys: an administrator makes a badge available to a child organization on its
Availability tab and that organization's instructor issues it; an administrator switches Enable
Achievements off; a student switches Participate in Achievements off."""

import pytest
from playwright.sync_api import expect

from badges.models import Badge
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import (
    TEST_PASSWORD,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    OrganizationFactory,
    StudentFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_badge_made_available_on_the_availability_tab_is_issued_by_a_child_organization(
    browser, log_in, live_server, administrator, organization
):
    child = OrganizationFactory(name="Northwind Clinic", slug="clinic", parent=organization)
    OrganizationFactory(name="Sibling Clinic", slug="sibling", parent=organization)
    badge = BadgeFactory(
        organization=organization, name="Care Excellence", manual_issuance_enabled=True
    )

    page = log_in(administrator)
    page.goto(f"{live_server.url}/badges/{badge.pk}/edit/")
    page.get_by_role("tab", name="Availability").click()
    assert_no_serious_axe_violations(page, "badge availability tab")
    page.get_by_label("Chosen child organizations").check()
    page.get_by_label("Northwind Clinic").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    badge.refresh_from_db()
    assert badge.availability == "chosen"
    assert list(badge.available_to.all()) == [child]

    instructor = InstructorFactory(organization=child, username="clinic.teacher")
    course_class = CourseClassFactory(organization=child, instructors=[instructor], name="Triage")
    student = EnrollmentFactory(
        course_class=course_class, student=StudentFactory(organization=child, first_name="Zoe")
    ).student
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher = context.new_page()
    try:
        teacher.goto(f"{live_server.url}/accounts/login/")
        teacher.get_by_label("Username").fill(instructor.username)
        teacher.get_by_label("Password").fill(TEST_PASSWORD)
        teacher.get_by_role("button", name="Log in").click()
        teacher.goto(f"{live_server.url}/classes/{course_class.pk}/")
        teacher.get_by_role("link", name=f"Issue a Badge to {student.display_name}").click()
        dialog = teacher.get_by_role("dialog")
        expect(dialog.get_by_text("Care Excellence")).to_be_visible()
        assert_no_serious_axe_violations(teacher, "choose badge with an available badge")
    finally:
        context.close()
    assert Badge.objects.count() == 1


def test_an_administrator_switches_enable_achievements_off(log_in, live_server, administrator):
    page = log_in(administrator)
    page.goto(f"{live_server.url}/organization/")
    assert_no_serious_axe_violations(page, "organization with enable achievements")
    page.get_by_label("Enable Achievements").uncheck()
    page.get_by_test_id("enable-achievements-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Achievements are off")
    page.goto(f"{live_server.url}/achievements/")
    expect(page.get_by_test_id("achievements-off")).to_contain_text("Achievements are off")
    assert_no_serious_axe_violations(page, "achievements list with achievements off")
    administrator.organization.refresh_from_db()
    assert not administrator.organization.achievements_enabled


def test_a_student_switches_participate_in_achievements_off_and_on(log_in, live_server, student):
    page = log_in(student)
    page.goto(f"{live_server.url}/badges/students/{student.pk}/")
    switch = page.get_by_label("Participate in Achievements")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.get_by_test_id("participation-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("not-participating")).to_be_visible()
    assert_no_serious_axe_violations(page, "student not participating")
    page.get_by_label("Participate in Achievements").check()
    page.get_by_test_id("participation-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("not-participating")).to_have_count(0)
    student.refresh_from_db()
    assert student.participates_in_achievements
