"""Journey: an administrator maps a badge to an achievement from the badge's Automatic Issuance
tab and sees, before saving, who the next sweep would issue it to; the achievement form has no
raw "---------" choice."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import AchievementFactory, LabCompletionFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_automatic_issuance_tab_previews_the_retroactive_issuance(
    log_in, live_server, administrator, organization, manual_badge
):
    achievement = AchievementFactory(organization=organization, name="Deployed a VM")
    for student in StudentFactory.create_batch(2, organization=organization):
        LabCompletionFactory(student=student, lab=achievement.lab)
    page = log_in(administrator)
    page.goto(f"{live_server.url}/badges/{manual_badge.pk}/edit/")

    page.get_by_role("tab", name="Automatic Issuance").click()
    page.get_by_label("Achievement").select_option(label="Deployed a VM")

    preview = page.get_by_test_id("automatic-preview")
    expect(preview).to_contain_text("2 students would receive this badge on the next sweep")
    assert_no_serious_axe_violations(page, "badge-edit-automatic-preview")


def test_achievement_form_has_no_dashes_placeholder(log_in, live_server, administrator):
    page = log_in(administrator)
    page.goto(f"{live_server.url}/achievements/new/")

    expect(page.locator("option", has_text="---------")).to_have_count(0)
    expect(page.get_by_label("Criteria")).to_have_value("")
    page.get_by_label("Criteria").select_option(label="Complete a lab")
    expect(page.get_by_label("Lab", exact=True).locator("option").first).to_have_text(
        "Choose a lab"
    )
    assert_no_serious_axe_violations(page, "achievement-form")
