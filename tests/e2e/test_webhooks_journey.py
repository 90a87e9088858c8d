"""Journey: an administrator registers a webhook endpoint from the Organization page, copies its
secret (shown once), sees a failed delivery in the endpoint's log and redelivers it."""

import pytest
from playwright.sync_api import expect

from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from deliveries.models import WebhookDelivery, WebhookEndpoint
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.tools.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_registers_an_endpoint_sees_the_secret_once_and_redelivers(
    log_in,
    live_server,
    administrator,
    organization,
    instructor,
    course_class,
    student,
    manual_badge,
    settings,
):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    with WebhookReceiver() as receiver:
        page = log_in(administrator)
        page.goto(f"{live_server.url}/organization/")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="Webhooks: Northwind")).to_be_visible()
        assert_no_serious_axe_violations(page, "webhooks, none yet")

        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Description").fill("Lab platform")
        page.get_by_label("issuance.revoked: a badge was revoked").check()
        page.get_by_role("button", name="Register").click()

        secret = page.get_by_test_id("webhook-secret").input_value()
        assert secret.startswith("whsec_")
        expect(page.get_by_test_id("webhook-secret-once")).to_contain_text("not shown again")
        assert_no_serious_axe_violations(page, "webhooks, secret shown once")
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.events == ["issuance.created", "issuance.revoked"]
        receiver.secret = secret

        page.goto(f"{live_server.url}/organization/webhooks/")
        assert secret not in page.content()
        page.get_by_role("link", name=receiver.url).click()
        expect(page.get_by_test_id("webhook-log")).to_contain_text("No event yet")

        # The receiver is down for the first attempt: with one attempt allowed, it fails.
        receiver.fail_next(1, status=503)
        context = IssueContext.for_class(actor=instructor, course_class=course_class)
        badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])
        assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED

        page.reload()
        row = page.get_by_test_id(f"webhook-delivery-{WebhookDelivery.objects.get().pk}")
        expect(row.get_by_test_id("webhook-status")).to_have_text("Failed")
        expect(row).to_contain_text("HTTP 503")
        assert_no_serious_axe_violations(page, "webhook log with a failed delivery")

        row.get_by_role("button", name="Redeliver").click()

        expect(page.get_by_role("alert")).to_contain_text("delivered again")
        expect(row.get_by_test_id("webhook-status")).to_have_text("Sent")
        expect(row.get_by_test_id("webhook-response")).to_have_text("HTTP 200")
        assert [r.status for r in receiver.requests] == [503, 200]
        assert receiver.requests[-1].verdict == "accepted"
