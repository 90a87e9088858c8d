"""Resend: an administrator starts a delivery again (one, or every failed one of a badge). The
row goes back to pending with no attempts, due now; a drain is queued when the change commits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Now

from accounts.models import User
from badges.models import Badge
from badges.services.revocation import user_may_revoke
from deliveries.models import Delivery
from deliveries.services.kick import deliveries_drain_on_commit

_AGAIN = {
    "status": Delivery.Status.PENDING,
    "attempts": 0,
    "last_error": "",
    "claimed_until": None,
}


def user_may_resend(*, user: User, badge: Badge) -> bool:
    """The administrators of the badge's organization and platform staff: those who may revoke
    it."""
    return user_may_revoke(user=user, badge=badge)


def delivery_resend(*, actor: User, delivery: Delivery) -> None:
    if not user_may_resend(user=actor, badge=delivery.issuance.badge):
        raise PermissionDenied("You may not resend this organization's badges.")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            **_AGAIN, next_attempt_at=Now(), updated_at=Now()
        )
        deliveries_drain_on_commit()


def deliveries_resend_failed(*, actor: User, badge: Badge) -> int:
    """Every failed delivery of the badge's issuances, in one statement. Returns how many."""
    if not user_may_resend(user=actor, badge=badge):
        raise PermissionDenied("You may not resend this organization's badges.")
    with transaction.atomic():
        count = Delivery.objects.filter(
            issuance__badge=badge, status=Delivery.Status.FAILED
        ).update(**_AGAIN, next_attempt_at=Now(), updated_at=Now())
        if count:
            deliveries_drain_on_commit()
    return count
