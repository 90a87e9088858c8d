"""Journeys of a shared badge: anyone with the link sees the verification page (and never the
student's name unless they chose so); the student shares the link, adds the badge to LinkedIn and
downloads it baked; an administrator revokes it and reinstates it, and the public page follows."""

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from badges.models import BadgeIssuance, IssuanceEvent
from credentials import documents
from credentials.baking import extract_assertion
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeIssuanceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ISSUED_AT = datetime(2026, 3, 14, 10, 30, tzinfo=UTC)


@pytest.fixture
def site_url(settings, live_server):
    """Assertion URLs that point at the live server, set before any page is loaded."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def ada(student):
    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save(update_fields=["first_name", "last_name"])
    return student


@pytest.fixture
def issuance(site_url, manual_badge, ada, instructor, course_class):
    issuance = BadgeIssuanceFactory(
        badge=manual_badge,
        recipient=ada,
        method=BadgeIssuance.Method.MANUAL,
        source=BadgeIssuance.Source.ROSTER,
        source_class=course_class,
        issued_by=instructor,
        issued_at=ISSUED_AT,
    )
    issuance.refresh_from_db()  # the uuid is made by the database
    return issuance


@pytest.fixture
def assertion_url(issuance, site_url):
    url = documents.assertion_url(issuance)
    assert url == f"{site_url}/public/assertions/{issuance.uuid}"
    return url


def open_verification(page, assertion_url):
    response = page.goto(assertion_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_test_id("verification")).to_be_visible()
    return page


def test_a_visitor_opens_a_shared_link_and_sees_the_badge_verified(
    visitor, issuance, assertion_url, ada
):
    page = open_verification(visitor, assertion_url)

    card = page.get_by_test_id("verification")
    expect(card.get_by_role("heading", level=1)).to_have_text("Star Participant")
    expect(card).to_contain_text("Issued by Northwind")
    expect(card.locator("dt", has_text="Issued on").locator("+ dd")).to_have_text("14 March 2026")
    expect(page.get_by_test_id("verification-status")).to_contain_text("Valid")
    expect(page.get_by_test_id("verification-status")).not_to_contain_text("Revoked")
    # The recipient is not named: neither their name nor their e-mail address.
    expect(page.get_by_test_id("recipient-name")).to_have_count(0)
    content = page.content()
    assert "Lovelace" not in content
    assert ada.email not in content
    assert_no_serious_axe_violations(page, "public verification valid")

    # The same URL answers a verifier with the JSON-LD assertion.
    answer = page.request.get(assertion_url, headers={"Accept": "application/ld+json"})
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/ld+json")
    assert answer.json()["id"] == assertion_url
    assert answer.json()["type"] == "Assertion"


def test_the_student_shares_adds_to_linkedin_downloads_and_shows_their_name(
    page, log_in, visitor, live_server, issuance, assertion_url, ada
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(ada)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My Badges"
    ).click()
    expect(page).to_have_url(f"{live_server.url}{reverse('badges:student', args=[ada.pk])}")
    expect(page.get_by_role("heading", name="Achievements/Badges: Ada Lovelace")).to_be_visible()

    assert_no_serious_axe_violations(page, "student own badges with sharing")
    share = page.get_by_test_id(f"share-{issuance.pk}")
    expect(share.get_by_role("button", name=re.compile("^Share"))).to_be_visible()
    expect(share.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    expect(share.get_by_role("link", name="Download")).to_be_visible()

    # LinkedIn's add-certification link, read and never followed.
    href = share.get_by_test_id("linkedin-link").get_attribute("href")
    assert href.startswith("https://www.linkedin.com/profile/add?")
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = parse_qs(parts.query, strict_parsing=True)
    assert {name: values for name, values in query.items() if name != "startTask"} == {
        "name": ["Star Participant"],
        "organizationName": ["Northwind"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "certUrl": [assertion_url],
        "certId": [str(issuance.uuid)],
    }

    # Share: the public link goes to the clipboard, and the page says so.
    share.get_by_test_id("share-button").click()
    note = share.get_by_role("status")
    expect(note).to_have_text(re.compile(rf"^(Link copied|{re.escape(assertion_url)})$"))
    if note.inner_text() == "Link copied":
        assert page.evaluate("navigator.clipboard.readText()") == assertion_url

    # Download: the badge as a PNG with the assertion baked in.
    with page.expect_download() as download_info:
        share.get_by_test_id("download-link").click()
    download = download_info.value
    assert download.suggested_filename == "star-participant.png"
    png = Path(download.path()).read_bytes()
    assert png[:8] == PNG_SIGNATURE
    assert extract_assertion(png) == assertion_url

    # Off by default: the public page does not name the student.
    open_verification(visitor, assertion_url)
    expect(visitor.get_by_test_id("recipient-name")).to_have_count(0)

    switch = page.get_by_label("Show my name on my public badge pages")
    expect(switch).not_to_be_checked()
    switch.check()
    page.get_by_test_id("public-name-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your name now appears on your public badge pages."
    )
    expect(page.get_by_label("Show my name on my public badge pages")).to_be_checked()

    visitor.reload()
    expect(visitor.get_by_test_id("recipient-name")).to_have_text("Ada Lovelace")
    expect(visitor.get_by_test_id("verification")).to_contain_text(
        "Issued by Northwind to Ada Lovelace"
    )

    page.get_by_label("Show my name on my public badge pages").uncheck()
    page.get_by_test_id("public-name-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Your public badge pages no longer show your name."
    )
    expect(page.get_by_label("Show my name on my public badge pages")).not_to_be_checked()

    visitor.reload()
    expect(visitor.get_by_test_id("verification")).to_be_visible()
    expect(visitor.get_by_test_id("recipient-name")).to_have_count(0)
    assert "Lovelace" not in visitor.content()


def test_the_student_badges_page_title_is_plain_text(page, log_in, issuance, ada):
    """The <title> of the Achievements/Badges page is the student's name, not markup."""
    log_in(ada)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My Badges"
    ).click()
    expect(page.get_by_role("heading", name="Achievements/Badges: Ada Lovelace")).to_be_visible()

    assert "<script" not in page.title()
    expect(page).to_have_title("Achievements/Badges of Ada Lovelace · Badge portal")


def test_an_administrator_revokes_and_reinstates_and_the_public_page_follows(
    page, log_in, visitor, live_server, administrator, issuance, assertion_url
):
    log_in(administrator)
    page.goto(f"{live_server.url}{reverse('badges:student', args=[issuance.recipient_id])}")
    expect(page.get_by_role("heading", name="Achievements/Badges: Ada Lovelace")).to_be_visible()
    open_verification(visitor, assertion_url)
    expect(visitor.get_by_test_id("verification-status")).to_contain_text("Valid")

    revoke = page.get_by_test_id("revoke-form")
    revoke.get_by_label("Reason for revoking Star Participant").fill("Shared the exam answers")
    revoke.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Badge “Star Participant” revoked from Ada Lovelace."
    )
    expect(page.get_by_test_id("issuance-status")).to_have_text("Revoked")

    visitor.reload()
    status = visitor.get_by_test_id("verification-status")
    expect(status).to_contain_text("Revoked")
    expect(status).to_contain_text("Shared the exam answers")
    expect(status).not_to_contain_text("Valid")
    assert_no_serious_axe_violations(visitor, "public verification revoked")
    assert_no_serious_axe_violations(page, "admin student badges with reinstate")
    answer = visitor.request.get(assertion_url, headers={"Accept": "application/ld+json"})
    assert answer.status == 410
    assert answer.json()["revoked"] is True
    assert answer.json()["revocationReason"] == "Shared the exam answers"

    reinstate = page.get_by_test_id("reinstate-form")
    reinstate.get_by_label("Reason for reinstating Star Participant").fill("Cleared on appeal")
    reinstate.get_by_role("button", name="Reinstate").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Badge “Star Participant” reinstated for Ada Lovelace."
    )
    expect(page.get_by_test_id("issuance-status")).to_have_text("Valid")

    visitor.reload()
    status = visitor.get_by_test_id("verification-status")
    expect(status).to_contain_text("Valid")
    expect(status).not_to_contain_text("Revoked")
    expect(visitor.get_by_test_id("verification")).not_to_contain_text("Shared the exam answers")

    issuance.refresh_from_db()
    assert issuance.revoked_at is None
    events = IssuanceEvent.objects.filter(issuance=issuance).order_by("pk")
    assert [(event.kind, event.reason, event.actor_id) for event in events] == [
        (IssuanceEvent.Kind.REVOKED, "Shared the exam answers", administrator.pk),
        (IssuanceEvent.Kind.REINSTATED, "Cleared on appeal", administrator.pk),
    ]


def test_the_organization_and_criteria_pages_pass_axe(
    page, log_in, visitor, live_server, administrator, issuance
):
    log_in(administrator)
    page.goto(f"{live_server.url}{reverse('organization')}")
    expect(page.get_by_test_id("issuer-profile-form")).to_be_visible()
    assert_no_serious_axe_violations(page, "admin organization")
    page.get_by_label("Issuer name").fill("Northwind Academy")
    page.get_by_test_id("issuer-profile-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Issuer profile saved.")

    visitor.goto(f"{live_server.url}{reverse('credentials:criteria', args=[issuance.badge_id])}")
    expect(visitor.get_by_test_id("criteria")).to_contain_text("Issued by Northwind Academy")
    assert_no_serious_axe_violations(visitor, "public criteria")
