"""Journey: "To verify this, you can either look at the Find Issued Badges page or at the
Achievements/Badges page of the student." An administrator searches issued badges, exports the
rows as CSV and opens a student's Achievements/Badges page; an instructor reaches the page from
the navigation too."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from badges.models import BadgeIssuance
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeFactory, BadgeIssuanceFactory, EnrollmentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def issued(organization, course_class, instructor, student):
    star = BadgeFactory(organization=organization, name="Star Participant")
    safety = BadgeFactory(organization=organization, name="Safety Champion")
    classmate = EnrollmentFactory(
        course_class=course_class, student__first_name="Grace", student__last_name="Hopper"
    ).student
    for badge, recipient in [(star, student), (star, classmate), (safety, classmate)]:
        BadgeIssuanceFactory(
            badge=badge,
            recipient=recipient,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.ROSTER,
            source_class=course_class,
            issued_by=instructor,
        )
    return {"star": star, "safety": safety, "classmate": classmate}


def test_administrator_filters_exports_and_opens_a_student(log_in, administrator, issued):
    page = log_in(administrator)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Find Issued Badges"
    ).click()
    expect(page.get_by_test_id("match-count")).to_have_text("3 issued badges match")

    page.get_by_label("Badge", exact=True).select_option(label="Star Participant")
    expect(page.get_by_test_id("match-count")).to_have_text("2 issued badges match")
    expect(page).to_have_url(re.compile(rf"/badges/issued/\?.*badge={issued['star'].pk}"))

    page.get_by_label("Student").fill("hopper")
    expect(page.get_by_test_id("match-count")).to_have_text("1 issued badge matches")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text())))
    assert len(rows) == 2
    assert rows[1][1:4] == ["Star Participant", "Northwind", "Grace Hopper"]

    page.get_by_test_id("issued-badges").get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", name="Achievements/Badges: Grace Hopper")).to_be_visible()
    expect(page.get_by_test_id("student-badges")).to_contain_text("Star Participant")
    expect(page.get_by_test_id("student-badges")).to_contain_text("Safety Champion")
    expect(page.get_by_test_id("student-badges")).to_contain_text("from the roster of")


def test_sorting_by_student_from_the_column_header(log_in, administrator, issued, student):
    page = log_in(administrator)
    page.goto(page.url + "badges/issued/")

    page.get_by_role("link", name="Student").click()

    first_column = page.get_by_test_id("issued-badges").locator("tbody tr td:nth-child(2) a")
    names = first_column.all_inner_texts()
    assert names == sorted(names, key=lambda name: name.split()[-1])
    expect(page.get_by_role("columnheader", name="Student")).to_have_attribute(
        "aria-sort", "ascending"
    )


def test_instructor_finds_the_badges_of_their_class(log_in, instructor, issued):
    page = log_in(instructor)

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Find Issued Badges"
    ).click()

    expect(page.get_by_test_id("match-count")).to_have_text("3 issued badges match")
    expect(
        page.get_by_test_id("issued-badges").get_by_role("link", name="Star Participant")
    ).to_have_count(0)


def test_dates_are_typed_and_shown_in_the_portals_format(log_in, administrator, issued):
    from datetime import datetime

    from django.utils import timezone

    march = datetime(2026, 3, 12, 14, 5, tzinfo=timezone.get_current_timezone())
    BadgeIssuance.objects.filter(recipient=issued["classmate"]).update(issued_at=march)
    page = log_in(administrator)
    page.goto(page.url + "badges/issued/")

    page.get_by_label("Issued from").fill("12 Mar 2026")
    page.get_by_label("Issued until").fill("2026-03-12")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_test_id("match-count")).to_have_text("2 issued badges match")
    expect(page.get_by_test_id("issued-badges").locator("time").first).to_have_text(
        "12 Mar 2026 14:05"
    )
    page.reload()
    # The ISO date typed comes back in the portal's format.
    expect(page.get_by_label("Issued until")).to_have_value("12 Mar 2026")
    assert_no_serious_axe_violations(page, "find-issued-badges-dates")


def test_pagination_has_first_previous_numbers_next_and_last(
    log_in, administrator, organization, live_server
):
    badge = BadgeFactory(organization=organization, name="Plenty")
    BadgeIssuanceFactory.create_batch(60, badge=badge)
    page = log_in(administrator)
    page.goto(f"{live_server.url}/badges/issued/?page_size=10&page=3")
    pages = page.get_by_test_id("pagination")

    for name in ["First page", "Previous page", "Page 1", "Page 2", "Page 4", "Next page"]:
        expect(pages.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(pages.get_by_text("Page 3 of 6")).to_be_visible()
    pages.get_by_role("link", name="Last page").click()

    expect(page).to_have_url(re.compile(r"page_size=10.*page=6|page=6.*page_size=10"))
    expect(page.get_by_test_id("pagination").get_by_role("link", name="Next page")).to_have_count(0)
    assert_no_serious_axe_violations(page, "find-issued-badges-last-page")


def test_export_csv_is_at_the_top_and_follows_the_search(log_in, administrator, issued):
    page = log_in(administrator)
    page.goto(page.url + "badges/issued/")
    export = page.get_by_role("link", name=re.compile("^Export CSV"))
    expect(export).to_be_in_viewport()
    expect(export).to_have_accessible_name(
        re.compile(r"^Export CSV ?: the 3 matching issued badges$")
    )

    page.get_by_label("Student").fill("hopper")

    expect(export).to_have_accessible_name(
        re.compile(r"^Export CSV ?: the 2 matching issued badges$")
    )
    expect(export).to_have_attribute("href", re.compile("student=hopper"))
