"""Draining Credly rows against the local Credly stand-in (tests/tools/credly_standin.py), with
the production client: success, 401, 422, 429 with Retry-After, 500, a timeout whose badge was
made (one Credly badge all the same), the last attempt failed, and a revocation pushed."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from badges.models import BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.revocation import badge_issuance_reinstate, badge_issuance_revoke
from deliveries.models import Delivery
from deliveries.services.resend import delivery_resend
from tests.deliveries.helpers import (
    connect_standin,
    drain,
    make_due,
    unpaced,  # noqa: F401 - a fixture
)
from tests.factories import BadgeFactory

pytestmark = pytest.mark.usefixtures("unpaced")
S = Delivery.Status
CREDLY = Delivery.Channel.CREDLY


@pytest.fixture
def issued(credly_standin, instructor, course_class, student, organization):
    """A student issued a badge with a Credly template, the organization connected to the
    stand-in."""
    connect_standin(organization, credly_standin)
    badge = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, credly_template_id="tpl-net"
    )
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])
    return BadgeIssuance.objects.select_related("badge", "recipient").get()


def credly_row(action=Delivery.Action.ISSUE) -> Delivery:
    return Delivery.objects.get(channel=CREDLY, action=action)


def test_an_issuance_reaches_credly_with_the_award_date_and_the_issuance_uuid(
    credly_standin, issued
):
    drain()

    [badge] = credly_standin.issued()
    row = credly_row()
    assert row.status in {S.SENT, S.ACCEPTED}
    assert (row.external_id, row.external_state) == (badge["id"], "pending")
    assert badge["issuer_earner_id"] == str(issued.uuid)
    assert badge["badge_template"]["id"] == "tpl-net"
    assert badge["recipient_email"] == issued.recipient.email
    assert badge["issued_to_first_name"] == issued.recipient.first_name
    assert badge["issued_at_date"] == issued.issued_at.astimezone(UTC).strftime("%Y-%m-%d")


def test_a_wrong_token_401_fails_without_retry(credly_standin, issued):
    credly_standin.fail_next(401, endpoint="issue", message="Unauthorized")

    drain()

    row = credly_row()
    assert row.status == S.FAILED
    assert "401" in row.last_error
    assert credly_standin.issued() == []


def test_an_unknown_template_422_fails_with_credlys_message(credly_standin, issued):
    credly_standin.templates = {"another-template"}

    drain()

    row = credly_row()
    assert row.status == S.FAILED
    assert "Invalid or missing Badge Template ID" in row.last_error


def test_429_waits_at_least_retry_after_then_succeeds(credly_standin, issued):
    credly_standin.fail_next(429, endpoint="issue", retry_after="120")

    before = timezone.now()
    drain()

    row = credly_row()
    assert (row.status, row.attempts) == (S.PENDING, 1)
    assert row.next_attempt_at >= before + timedelta(seconds=120)
    assert "429" in row.last_error

    make_due()
    drain()

    assert credly_row().status in {S.SENT, S.ACCEPTED}
    assert len(credly_standin.issued()) == 1


def test_500_is_retried(credly_standin, issued):
    credly_standin.fail_next(500, endpoint="issue", times=2)

    for _ in range(3):
        drain()
        make_due()

    assert credly_row().status in {S.SENT, S.ACCEPTED}
    assert credly_row().attempts == 3


def test_a_timeout_after_credly_made_the_badge_leaves_one_credly_badge(credly_standin, issued):
    credly_standin.time_out_next(2, endpoint="issue", process=True)

    drain()
    assert credly_row().status == S.PENDING
    assert "timed out" in credly_row().last_error.lower() or credly_row().last_error

    make_due()
    drain()

    row = credly_row()
    assert row.status in {S.SENT, S.ACCEPTED}
    [badge] = credly_standin.issued(issuer_earner_id=str(issued.uuid))
    assert row.external_id == badge["id"]
    assert len(credly_standin.requests_to("issue")) == 1  # found, not issued again


def test_after_the_last_attempt_the_delivery_stays_failed(settings, credly_standin, issued):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    credly_standin.fail_next(500, endpoint="issue", message="Down for maintenance", times=10)

    for _ in range(4):
        drain()
        make_due()

    row = credly_row()
    assert (row.status, row.attempts) == (S.FAILED, 3)
    assert "Down for maintenance" in row.last_error


def test_a_revocation_is_pushed_to_credly_with_its_reason(credly_standin, issued, administrator):
    drain()
    badge_issuance_revoke(actor=administrator, issuance=issued, reason="Exam copied")

    drain()

    [badge] = credly_standin.issued()
    assert badge["state"] == "revoked"
    assert badge["revocation_reason"] == "Exam copied"
    assert credly_row(Delivery.Action.REVOKE).status == S.SENT


def test_a_badge_revoked_before_it_reached_credly_is_never_sent(
    credly_standin, issued, administrator
):
    badge_issuance_revoke(actor=administrator, issuance=issued, reason="Mistake")

    for _ in range(3):
        drain()
        make_due()

    assert credly_standin.issued() == []
    assert credly_row().status == S.SKIPPED
    assert credly_row(Delivery.Action.REVOKE).status == S.SKIPPED


def test_resending_after_a_reinstatement_issues_a_new_credly_badge(
    credly_standin, issued, administrator
):
    drain()
    badge_issuance_revoke(actor=administrator, issuance=issued, reason="Mistake")
    drain()
    badge_issuance_reinstate(actor=administrator, issuance=issued, reason="It was not")

    delivery_resend(actor=administrator, delivery=credly_row())
    drain()

    states = sorted(badge["state"] for badge in credly_standin.issued())
    assert states == ["pending", "revoked"]
    assert credly_row().external_id == next(
        b["id"] for b in credly_standin.issued() if b["state"] == "pending"
    )
