"""Journeys of an Open Badges 3.0 credential: the student downloads their badge as a signed
credential (JSON, and a PNG with it baked in) from their Achievements/Badges page; anyone with
the link does the same from the verification page."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from credentials import documents, ob3_documents
from credentials.baking import OB3_BAKING_KEYWORD, extract_assertion
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeIssuanceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issuance(settings, live_server, manual_badge, student):
    settings.SITE_URL = live_server.url
    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save(update_fields=["first_name", "last_name"])
    issuance = BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    issuance.refresh_from_db()
    return issuance


def _download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _assert_signed_credential_of(credential: dict, issuance) -> None:
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == ob3_documents.credential_url(issuance)
    assert credential["issuer"]["id"] == ob3_documents.issuer_did(issuance.badge.organization_id)
    assert credential["credentialSubject"]["achievement"]["name"] == "Star Participant"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_the_student_downloads_their_badge_as_an_open_badges_3_credential(
    page, log_in, issuance, student
):
    log_in(student)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My Badges"
    ).click()
    share = page.get_by_test_id(f"share-{issuance.pk}")
    json_link = share.get_by_role("link", name="Open Badges 3.0 (JSON) of Star Participant")
    png_link = share.get_by_role("link", name="Open Badges 3.0 (PNG) of Star Participant")
    expect(json_link).to_be_visible()
    expect(png_link).to_be_visible()
    assert_no_serious_axe_violations(page, "student own badges with Open Badges 3.0 downloads")

    name, content = _download(page, json_link)
    assert name == "star-participant-credential.json"
    credential = json.loads(content)
    _assert_signed_credential_of(credential, issuance)

    name, png = _download(page, png_link)
    assert name == "star-participant-credential.png"
    assert json.loads(extract_assertion(png, keyword=OB3_BAKING_KEYWORD)) == credential


def test_a_visitor_downloads_the_credential_from_the_verification_page(visitor, issuance):
    response = visitor.goto(documents.assertion_url(issuance))
    assert response.status == 200
    card = visitor.get_by_test_id("verification")
    expect(card).to_be_visible()
    json_link = card.get_by_role("link", name="Open Badges 3.0 credential (JSON)")
    png_link = card.get_by_role("link", name="Open Badges 3.0 credential (PNG)")
    expect(json_link).to_have_attribute(
        "href", reverse("credentials:credential", args=[issuance.uuid]) + "?download"
    )
    assert_no_serious_axe_violations(visitor, "public verification with Open Badges 3.0")

    _, content = _download(visitor, json_link)
    credential = json.loads(content)
    _assert_signed_credential_of(credential, issuance)
    _, png = _download(visitor, png_link)
    assert json.loads(extract_assertion(png, keyword=OB3_BAKING_KEYWORD)) == credential
