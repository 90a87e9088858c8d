"""Taking a badge back, and giving it back. A revocation keeps the issuance, marked revoked with
when, by whom, why and from where, so that its public assertion says so and nothing issues the pair
again by itself; only a reinstatement (with its own reason, recorded) gives it back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import user_administers_organization
from badges.audit import current_origin
from badges.events import issuance_announce
from badges.models import Badge, BadgeIssuance, IssuanceEvent

REVOCATION_REASON_MAX_LENGTH = 500


class AlreadyInThatState(Exception):
    """The issuance was revoked (or reinstated) already, by someone else a moment ago."""


def user_may_revoke(*, user: User, badge: Badge) -> bool:
    """Administrators of the badge's organization, and platform staff: those who may open the
    badge's Profile page. The same people may reinstate."""
    return user.has_perm("badges.change_badge") and user_administers_organization(
        user=user, organization_id=badge.organization_id
    )


def _clean_reason(reason: str | None, *, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason may not contain null characters."})
    if len(reason) > REVOCATION_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason under {REVOCATION_REASON_MAX_LENGTH} characters."}
        )
    return reason


def _locked(issuance: BadgeIssuance) -> BadgeIssuance:
    return (
        BadgeIssuance.objects.select_for_update(of=("self",))
        .select_related("badge", "recipient")
        .get(pk=issuance.pk)
    )


def badge_issuance_revoke(*, actor: User, issuance: BadgeIssuance, reason: str) -> BadgeIssuance:
    """Take a badge back: mark the issuance revoked and record who, when, why and from where.

    Raises PermissionDenied when the actor may not revoke the badge, ValidationError when the
    reason is empty or too long, and AlreadyInThatState when it is revoked already."""
    if not user_may_revoke(user=actor, badge=issuance.badge):
        raise PermissionDenied("You may not revoke this organization's badges.")
    reason = _clean_reason(reason, missing="Say why the badge is revoked.")
    with transaction.atomic():
        current = _locked(issuance)
        if current.revoked_at is not None:
            raise AlreadyInThatState("This badge was revoked already.")
        now = timezone.now()
        origin = current_origin()
        current.revoked_at = now
        current.revoked_by = actor
        current.revocation_reason = reason
        current.revoked_from = origin
        current.updated_at = now
        current.save(
            update_fields=[
                "revoked_at",
                "revoked_by",
                "revocation_reason",
                "revoked_from",
                "updated_at",
            ]
        )
        IssuanceEvent.objects.create(
            issuance=current,
            kind=IssuanceEvent.Kind.REVOKED,
            at=now,
            actor=actor,
            origin=origin,
            reason=reason,
        )
        issuance_announce("revoked", issuance=current, reason=reason)
    return current


def badge_issuance_reinstate(*, actor: User, issuance: BadgeIssuance, reason: str) -> BadgeIssuance:
    """Give a revoked badge back, with a reason, recorded beside the revocation. Its issue and
    expiry dates are those it had."""
    if not user_may_revoke(user=actor, badge=issuance.badge):
        raise PermissionDenied("You may not reinstate this organization's badges.")
    reason = _clean_reason(reason, missing="Say why the badge is reinstated.")
    with transaction.atomic():
        current = _locked(issuance)
        if current.revoked_at is None:
            raise AlreadyInThatState("This badge is not revoked.")
        current.revoked_at = None
        current.revoked_by = None
        current.revocation_reason = ""
        current.revoked_from = ""
        current.updated_at = timezone.now()
        current.save(
            update_fields=[
                "revoked_at",
                "revoked_by",
                "revocation_reason",
                "revoked_from",
                "updated_at",
            ]
        )
        IssuanceEvent.objects.create(
            issuance=current,
            kind=IssuanceEvent.Kind.REINSTATED,
            actor=actor,
            origin=current_origin(),
            reason=reason,
        )
        issuance_announce("reinstated", issuance=current, reason=reason)
    return current
