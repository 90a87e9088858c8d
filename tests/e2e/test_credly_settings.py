"""Journey: an administrator configures the organization's Credly account from the Organization
page, sees the stored token only as its last four characters, and sets a badge's Credly badge
template ID on its Delivery tab."""

import uuid

import pytest
from playwright.sync_api import expect

from deliveries.models import CredlyConnection
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "e2e-Credly-token-8f3K2mQ9zW1x7777"
CREDLY_ORGANIZATION_ID = "3b1f0c2d-4e5a-4b6c-8d7e-9f0a1b2c3d4e"


def test_an_administrator_configures_credly_and_a_badges_template(
    log_in, live_server, administrator, organization
):
    badge = BadgeFactory(organization=organization, name="Safe Handling")
    template_id = str(uuid.uuid4())

    page = log_in(administrator)
    page.goto(f"{live_server.url}/organization/")
    page.get_by_role("link", name="Credly settings").click()
    expect(page.get_by_role("heading", name="Credly settings: Northwind")).to_be_visible()
    expect(page.get_by_test_id("credly-status")).to_contain_text("Not configured")
    assert_no_serious_axe_violations(page, "credly settings not configured")

    page.get_by_label("Organization ID").fill(CREDLY_ORGANIZATION_ID)
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_label("API URL").fill("https://sandbox-api.credly.com")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Credly settings saved")
    expect(page.get_by_test_id("credly-token-hint")).to_contain_text("…7777")
    expect(page.get_by_label("API token")).to_have_value("")
    assert TOKEN not in page.content()
    assert_no_serious_axe_violations(page, "credly settings configured")
    connection = CredlyConnection.objects.get(organization=organization)
    assert connection.credly_organization_id == CREDLY_ORGANIZATION_ID
    assert connection.api_url == "https://sandbox-api.credly.com"
    assert TOKEN not in connection.api_token

    page.goto(f"{live_server.url}/badges/{badge.pk}/edit/")
    page.get_by_role("tab", name="Delivery").click()
    page.get_by_label("Credly badge template ID").fill("not a template id")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("tab", name="Delivery")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Enter the template ID as Credly shows it")).to_be_visible()
    assert_no_serious_axe_violations(page, "badge delivery tab with an error")

    page.get_by_label("Credly badge template ID").fill(template_id)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Safe Handling")).to_be_visible()
    badge.refresh_from_db()
    assert badge.credly_template_id == template_id
