"""What deliveries hears from badges (badges.events), registered in DeliveriesConfig.ready()."""

from django.conf import settings

from badges.events import issuance_listen, issuance_write_with
from deliveries.services.kick import deliveries_drain_on_commit
from deliveries.services.outbox import (
    outbox_rows_for_issued,
    outbox_rows_for_renewed,
    outbox_write_revocation,
)
from deliveries.services.webhooks import (
    Event,
    webhook_rows_for_issued,
    webhook_rows_for_renewed,
    webhook_write_event,
)


def _kick(*, count: int) -> None:
    deliveries_drain_on_commit()


def _revoked(*, issuance, reason: str) -> None:
    if outbox_write_revocation(issuance=issuance):
        deliveries_drain_on_commit()


def _webhook_revoked(*, issuance, reason: str) -> None:
    if webhook_write_event(issuance=issuance, event_type=Event.REVOKED):
        deliveries_drain_on_commit()


def _webhook_reinstated(*, issuance, reason: str) -> None:
    if webhook_write_event(issuance=issuance, event_type=Event.REINSTATED):
        deliveries_drain_on_commit()


def register() -> None:
    if not settings.DELIVERIES_ENABLED:
        return
    issuance_write_with("issued", outbox_rows_for_issued)
    issuance_write_with("renewed", outbox_rows_for_renewed)
    issuance_listen("issued", _kick)
    issuance_listen("renewed", _kick)
    issuance_listen("revoked", _revoked)
    issuance_write_with("issued", webhook_rows_for_issued)
    issuance_write_with("renewed", webhook_rows_for_renewed)
    issuance_listen("revoked", _webhook_revoked)
    issuance_listen("reinstated", _webhook_reinstated)
