"""Journeys of delivering badges: an administrator finds the Issued Status of each issuance on
Find Issued Badges, filters the failed e-mails and resends one (it goes out when the resend
commits); a student turns award e-mails off on their own Achievements/Badges page."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from deliveries.models import Delivery
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import BadgeFactory, BadgeIssuanceFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sees_the_issued_status_and_resends_a_failed_email(
    log_in, live_server, administrator, organization, settings
):
    settings.DELIVERY_EMAIL_PER_SECOND = 0
    badge = BadgeFactory(organization=organization, name="Safety Champion")
    delivered = BadgeIssuanceFactory(
        badge=badge,
        recipient=StudentFactory(organization=organization, first_name="Ada", last_name="Ok"),
    )
    bounced = BadgeIssuanceFactory(
        badge=badge,
        recipient=StudentFactory(organization=organization, first_name="Bob", last_name="Bounce"),
    )
    Delivery.objects.create(issuance=delivered, channel="email", status="sent")
    failed = Delivery.objects.create(
        issuance=bounced,
        channel="email",
        status="failed",
        attempts=8,
        last_error="SMTP 421: Service not available",
    )

    page = log_in(administrator)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Find Issued Badges"
    ).click()
    expect(page.get_by_role("columnheader", name="Issued Status")).to_be_visible()
    expect(page.get_by_test_id(f"issued-status-{delivered.pk}")).to_contain_text("Sent")
    bounced_status = page.get_by_test_id(f"issued-status-{bounced.pk}")
    expect(bounced_status).to_contain_text("Failed")
    expect(bounced_status).to_contain_text("SMTP 421: Service not available")
    assert_no_serious_axe_violations(page, "find issued badges with the issued status")

    page.get_by_label("Issued Status").select_option("email:failed")
    expect(page.get_by_test_id("match-count")).to_contain_text("1 issued badge matches")
    expect(page.get_by_test_id(f"issued-status-{delivered.pk}")).to_have_count(0)

    bounced_status.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("alert")).to_contain_text("is sent again")
    # The drain queued on commit ran (eagerly here) and sent it: no failed e-mail is left.
    expect(page.get_by_test_id("match-count")).to_contain_text("0 issued badges match")
    page.get_by_label("Issued Status").select_option("")
    expect(page.get_by_test_id(f"issued-status-{bounced.pk}")).to_contain_text("Sent")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert [message.to for message in mail.outbox] == [[bounced.recipient.email]]
    assert_no_serious_axe_violations(page, "find issued badges after a resend")


def test_a_student_turns_award_emails_off_on_their_own_page(
    log_in, live_server, student, manual_badge
):
    issuance = BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    Delivery.objects.create(issuance=issuance, channel="email", status="sent")

    page = log_in(student)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My Badges"
    ).click()
    expect(page.get_by_test_id(f"issued-status-{issuance.pk}")).to_contain_text("Sent")
    switch = page.get_by_role("switch", name="E-mail me when I receive a badge")
    expect(switch).to_be_checked()
    assert_no_serious_axe_violations(page, "the student's page with the award e-mail switch")

    switch.uncheck()
    page.get_by_test_id("award-emails-form").get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("no longer receive e-mails")
    expect(page.get_by_role("switch", name="E-mail me when I receive a badge")).not_to_be_checked()
    student.refresh_from_db()
    assert student.receives_award_emails is False
    assert_no_serious_axe_violations(page, "the student's page after turning e-mails off")
