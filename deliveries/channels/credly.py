"""The Credly channel: a batch of Credly rows (issue and revoke) through one HTTP client per
batch, with the production client (deliveries/credly.py). A row claimed before (attempts > 0) is
issued with `is_retry`, which looks the badge up by its issuer_earner_id (the issuance's UUID)
first: a retry never makes a second Credly badge."""

from __future__ import annotations

from deliveries.credly import (
    credly_account_for,
    credly_delivery_status,
    credly_find_badge,
    credly_http_client,
    credly_issue_badge,
    credly_revoke_badge,
)
from deliveries.models import CredlyConnection, Delivery
from deliveries.ratelimit import ChannelPace
from deliveries.retry import PermanentDeliveryError, RetryableDeliveryError
from deliveries.services.outbox import REVOKED_BEFORE, Failed, Outcome, Retry, Sent, Skipped

NOT_CONNECTED = "The organization has no enabled Credly connection."
NO_TEMPLATE = "The badge has no Credly badge template ID."
NEVER_DELIVERED = "The badge never reached Credly: nothing to revoke."
WAITING_FOR_ISSUE = "Waiting for the badge to reach Credly before revoking it."
REINSTATED = "Reinstated before the revocation reached Credly."


def credly_send_batch(deliveries: list[Delivery], pace: ChannelPace | None = None) -> dict:
    pace = pace or ChannelPace(Delivery.Channel.CREDLY)
    connections = {
        connection.organization_id: connection
        for connection in CredlyConnection.objects.filter(
            organization_id__in={d.issuance.badge.organization_id for d in deliveries}
        )
    }
    revoking = [d.issuance_id for d in deliveries if d.action == Delivery.Action.REVOKE]
    issued = (
        {
            row.issuance_id: row
            for row in Delivery.objects.filter(
                issuance_id__in=revoking,
                channel=Delivery.Channel.CREDLY,
                action=Delivery.Action.ISSUE,
            ).only("issuance_id", "status", "external_id")
        }
        if revoking
        else {}
    )
    outcomes: dict[int, Outcome] = {}
    with credly_http_client() as client:
        for delivery in deliveries:
            connection = connections.get(delivery.issuance.badge.organization_id)
            if connection is None or not connection.is_enabled:
                outcomes[delivery.pk] = Skipped(NOT_CONNECTED)
                continue
            pace.take()
            try:
                if delivery.action == Delivery.Action.ISSUE:
                    outcomes[delivery.pk] = _issue(delivery, connection, client)
                else:
                    outcomes[delivery.pk] = _revoke(
                        delivery, connection, client, issued.get(delivery.issuance_id)
                    )
            except RetryableDeliveryError as error:
                outcomes[delivery.pk] = Retry(error.message, error.retry_after)
            except PermanentDeliveryError as error:
                outcomes[delivery.pk] = Failed(error.message)
    return outcomes


def _issue(delivery: Delivery, connection: CredlyConnection, client) -> Outcome:
    issuance = delivery.issuance
    if issuance.revoked_at is not None:
        return Skipped(REVOKED_BEFORE)
    template_id = issuance.badge.credly_template_id.strip()
    if not template_id:
        return Skipped(NO_TEMPLATE)
    recipient = issuance.recipient
    badge = credly_issue_badge(
        account=credly_account_for(connection),
        template_id=template_id,
        recipient_email=recipient.email,
        first_name=recipient.first_name,
        last_name=recipient.last_name,
        # When the student earned it (a renewal: when this period began), not when the template
        # was made.
        issued_at=issuance.issued_at,
        issuer_earner_id=str(issuance.uuid),
        expires_at=issuance.expires_at,
        client=client,
        is_retry=delivery.attempts > 0 or bool(delivery.external_id),
    )
    accepted = credly_delivery_status(badge) == Delivery.Status.ACCEPTED
    return Sent(external_id=badge.id, external_state=badge.state, accepted=accepted)


def _revoke(delivery: Delivery, connection, client, issue_row: Delivery | None) -> Outcome:
    issuance = delivery.issuance
    if issuance.revoked_at is None:
        return Skipped(REINSTATED)
    account = credly_account_for(connection)
    badge_id = issue_row.external_id if issue_row else ""
    if not badge_id:
        if issue_row is not None and issue_row.status == Delivery.Status.PENDING:
            return Retry(WAITING_FOR_ISSUE)
        found = credly_find_badge(
            account=account, issuer_earner_id=str(issuance.uuid), client=client
        )
        if found is None:
            return Skipped(NEVER_DELIVERED)
        badge_id = found.id
    badge = credly_revoke_badge(
        account=account,
        badge_id=badge_id,
        reason=issuance.revocation_reason,
        client=client,
    )
    return Sent(external_id=badge.id, external_state=badge.state)
