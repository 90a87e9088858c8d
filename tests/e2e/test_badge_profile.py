"""Journey (help article, "To set a badge to allow manual issuance"): an administrator opens a
badge's Profile page, clicks Edit, ticks Enable Manual Issuance at the bottom of the Basic
Information tab, clicks Save, and sees it on the Profile page. Also the other tabs, a refused
image and deleting a badge nobody holds."""

import pytest
from playwright.sync_api import expect

from badges.models import Badge
from tests.badges.images import SVG_WITH_SCRIPT
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import AchievementFactory, BadgeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def badge(organization):
    return BadgeFactory(
        organization=organization,
        name="Safety Champion",
        description="Recognised for outstanding safety practice.",
        manual_issuance_enabled=False,
    )


def test_administrator_enables_manual_issuance_as_the_help_article_says(
    log_in, administrator, badge
):
    page = log_in(administrator)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Badges", exact=True
    ).click()

    # 1. Navigate to the badge's Profile page.
    page.get_by_role("link", name="Safety Champion", exact=True).click()
    expect(page.get_by_role("heading", name="Safety Champion")).to_be_visible()
    assert_no_serious_axe_violations(page, "badge-profile")
    expect(page.get_by_test_id("manual-issuance")).to_have_text("No")

    # 2. Click Edit to edit the badge.
    page.get_by_role("link", name="Edit").click()
    basic = page.get_by_role("tabpanel", name="Basic Information")
    expect(page.get_by_role("tab", name="Basic Information")).to_have_attribute(
        "aria-selected", "true"
    )

    # 3. At the bottom of the Basic Information tab, check Enable Manual Issuance.
    checkbox = basic.get_by_label("Enable Manual Issuance")
    fields = basic.locator("input, textarea, select")
    expect(fields.last).to_have_attribute("name", "manual_issuance_enabled")
    checkbox.check()

    # 4. Click Save.
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").filter(has_text="Badge saved.")).to_be_visible()
    expect(page.get_by_test_id("manual-issuance")).to_have_text("Yes")
    expect(page.get_by_test_id("issuance-mode")).to_have_text("Manual")
    expect(page.get_by_test_id("badge-history")).to_contain_text("Enable Manual Issuance: No → Yes")
    badge.refresh_from_db()
    assert badge.manual_issuance_enabled


def test_save_stores_the_other_tabs_too(log_in, administrator, badge, organization):
    AchievementFactory(organization=organization, name="Fire drill completed")
    page = log_in(administrator)
    page.goto(page.url + f"badges/{badge.pk}/")

    page.get_by_role("link", name="Edit").click()
    page.get_by_role("tabpanel", name="Basic Information").get_by_label("Name").fill("Safety Hero")
    page.get_by_role("tab", name="Automatic Issuance").click()
    page.get_by_label("Achievement").select_option(label="Fire drill completed")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Safety Hero")).to_be_visible()
    expect(page.get_by_test_id("mapped-achievement")).to_contain_text("Fire drill completed")


def test_a_refused_image_opens_the_image_tab_with_its_message(
    log_in, administrator, badge, tmp_path
):
    disguised = tmp_path / "innocent.png"
    disguised.write_bytes(SVG_WITH_SCRIPT)
    page = log_in(administrator)
    page.goto(page.url + f"badges/{badge.pk}/edit/")

    page.get_by_role("tabpanel", name="Basic Information").get_by_label("Name").fill(
        "Typed Before The Error"
    )
    page.get_by_role("tab", name="Image").click()
    page.get_by_label("Badge image").set_input_files(str(disguised))
    page.get_by_role("button", name="Save").click()

    image_tab = page.get_by_role("tabpanel", name="Image")
    expect(image_tab).to_be_visible()
    assert_no_serious_axe_violations(page, "badge-edit-image-error")
    expect(image_tab).to_contain_text("Upload a PNG or JPEG image")
    page.get_by_role("tab", name="Basic Information").click()
    expect(page.get_by_label("Name")).to_have_value("Typed Before The Error")
    badge.refresh_from_db()
    assert badge.name == "Safety Champion"


def test_a_badge_nobody_holds_is_deleted_after_confirming_in_the_dialog(
    log_in, administrator, badge, live_server
):
    page = log_in(administrator)
    page.goto(f"{live_server.url}/badges/{badge.pk}/")

    page.get_by_role("link", name="Delete").click()
    dialog = page.locator("#portal-dialog")
    expect(dialog.get_by_role("heading", name="Delete Badge")).to_be_visible()
    assert_no_serious_axe_violations(page, "badge-delete-dialog")
    dialog.get_by_role("button", name="Delete Badge").click()

    expect(page).to_have_url(f"{live_server.url}/badges/")
    expect(page.get_by_role("alert").filter(has_text="deleted")).to_be_visible()
    assert not Badge.objects.filter(pk=badge.pk).exists()
