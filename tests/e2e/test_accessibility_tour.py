"""Journey: a first-time administrator, instructor and student tour the demo portal of `make run`.

Every page and every dialog passes axe-core with no serious or critical violation, and each page is
saved as a screenshot at desktop and phone widths (var/screenshots/) for a person to look at.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from achievements.models import Achievement
from assignments.models import CourseAssignment
from badges.models import Badge
from classes.models import CourseClass
from lms_portal.demo import DEMO_PASSWORD
from tests.e2e.axe import (
    PHONE,
    assert_no_serious_axe_violations,
    page_scrolls_sideways,
    save_screenshots,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    with open("/dev/null", "w") as quiet:  # noqa: PTH123
        call_command("seed_demo", stdout=quiet)


def visit(page, url, label):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    check(page, label)


def check(page, label):
    save_screenshots(page, label)
    assert_no_serious_axe_violations(page, label)


def open_dialog(page, trigger, label):
    trigger.click()
    dialog = page.locator("#portal-dialog")
    expect(dialog).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_no_serious_axe_violations(page, label)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(trigger).to_be_focused()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_login_page_is_accessible(page, live_server):
    visit(page, f"{live_server.url}/accounts/login/", "login")


def test_administrator_tours_every_page(page, live_server, demo):
    administrator = User.objects.get(username="admin.northwind")
    badge = Badge.objects.filter(organization=administrator.organization).order_by("pk").first()
    achievement = Achievement.objects.filter(organization=administrator.organization).first()
    course_class = CourseClass.objects.filter(organization=administrator.organization).first()
    assignment = CourseAssignment.objects.filter(organization=administrator.organization).first()
    student = User.objects.get(username="student01")
    base = live_server.url
    log_in(page, live_server, administrator.username)
    check(page, "admin-dashboard")

    visit(page, f"{base}/badges/", "admin-badges")
    visit(page, f"{base}/badges/{badge.pk}/", "admin-badge-profile")
    visit(page, f"{base}/badges/{badge.pk}/edit/", "admin-badge-edit")
    for tab in ["Image", "Automatic Issuance"]:
        page.get_by_role("tab", name=tab).click()
        # Bootstrap fades the old pane out, then the new one in.
        page.wait_for_function(
            "() => { const pane = document.querySelector('.tab-pane.active.show');"
            " return pane && getComputedStyle(pane).opacity === '1'; }"
        )
        assert_no_serious_axe_violations(page, f"admin-badge-edit-{tab}")
    visit(page, f"{base}/badges/new/", "admin-badge-create")
    visit(page, f"{base}/badges/issued/", "admin-find-issued-badges")
    visit(page, f"{base}/badges/students/{student.pk}/", "admin-student-badges")
    visit(page, f"{base}/achievements/", "admin-achievements")
    visit(page, f"{base}/achievements/{achievement.pk}/", "admin-achievement-detail")
    visit(page, f"{base}/achievements/{achievement.pk}/edit/", "admin-achievement-edit")
    visit(page, f"{base}/achievements/new/", "admin-achievement-create")
    visit(page, f"{base}/achievements/sweep-runs/", "admin-sweep-runs")
    visit(page, f"{base}/classes/", "admin-classes")
    visit(page, f"{base}/classes/{course_class.pk}/", "admin-roster")
    visit(page, f"{base}/assignments/", "admin-assignments")
    visit(page, f"{base}/assignments/{assignment.pk}/", "admin-assignment-detail")
    open_dialog(
        page,
        page.get_by_role("link", name="Issue a Badge"),
        "admin-assignment-choose-badge-dialog",
    )

    unheld = Badge.objects.create(organization=administrator.organization, name="Never Issued")
    visit(page, f"{base}/badges/{unheld.pk}/", "admin-badge-profile-unheld")
    open_dialog(page, page.get_by_role("link", name="Delete"), "admin-badge-delete-dialog")


def test_instructor_tours_roster_and_batch_page(page, live_server, demo):
    instructor = User.objects.get(username="instructor.northwind")
    course_class = CourseClass.objects.filter(instructors=instructor).first()
    base = live_server.url
    log_in(page, live_server, instructor.username)
    check(page, "instructor-dashboard")

    visit(page, f"{base}/classes/", "instructor-classes")
    visit(page, f"{base}/classes/{course_class.pk}/", "instructor-roster")
    open_dialog(
        page,
        page.get_by_role("link", name="Issue a Badge to").first,
        "instructor-choose-badge-dialog",
    )
    visit(page, f"{base}/classes/{course_class.pk}/issue-badges/", "instructor-batch")
    open_dialog(
        page, page.get_by_role("button", name="Add Badges"), "instructor-choose-badges-dialog"
    )
    open_dialog(
        page, page.get_by_role("button", name="Add Students"), "instructor-choose-students-dialog"
    )
    visit(page, f"{base}/badges/issued/", "instructor-find-issued-badges")


def test_student_tours_their_pages(page, live_server, demo):
    student = User.objects.get(username="student01")
    log_in(page, live_server, student.username)
    check(page, "student-dashboard")

    visit(page, f"{live_server.url}/badges/students/{student.pk}/", "student-badges")


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("admin.northwind", "/"),
        ("admin.northwind", "/badges/issued/"),
        ("admin.northwind", "/achievements/sweep-runs/"),
        ("instructor.northwind", "/classes/{class_pk}/"),
        ("student01", "/badges/students/{student_pk}/"),
    ],
)
def test_main_pages_do_not_scroll_sideways_on_a_phone(page, live_server, demo, username, path):
    user = User.objects.get(username=username)
    course_class = CourseClass.objects.filter(organization=user.organization).first()
    log_in(page, live_server, username)
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + path.format(class_pk=course_class.pk, student_pk=user.pk))

    assert not page_scrolls_sideways(page)
