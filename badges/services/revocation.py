"""Taking a badge back. A revocation deletes the issuance and keeps, in a `BadgeRevocation`, what it
was and who revoked it, when, why and from where."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.selectors import user_administers_organization
from badges.audit import current_origin
from badges.models import Badge, BadgeIssuance, BadgeRevocation

REVOCATION_REASON_MAX_LENGTH = 500


def user_may_revoke(*, user: User, badge: Badge) -> bool:
    """Administrators of the badge's organization, and platform staff: those who may open the
    badge's Profile page."""
    return user.has_perm("badges.change_badge") and user_administers_organization(
        user=user, organization_id=badge.organization_id
    )


def badge_issuance_revoke(*, actor: User, issuance: BadgeIssuance, reason: str) -> BadgeRevocation:
    """Take a badge back: delete the issuance and record, in the same transaction, what it was and
    who revoked it, when, why and from where. The student may be issued the badge again later.

    Raises PermissionDenied when the actor may not revoke the badge, ValidationError when the
    reason is empty or too long, and BadgeIssuance.DoesNotExist when it was revoked already."""
    if not user_may_revoke(user=actor, badge=issuance.badge):
        raise PermissionDenied("You may not revoke this organization's badges.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the badge is revoked."})
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason may not contain null characters."})
    if len(reason) > REVOCATION_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason under {REVOCATION_REASON_MAX_LENGTH} characters."}
        )
    with transaction.atomic():
        current = (
            BadgeIssuance.objects.select_for_update(of=("self",))
            .select_related("badge", "recipient")
            .get(pk=issuance.pk)
        )
        recipient = current.recipient
        revocation = BadgeRevocation.objects.create(
            badge=current.badge,
            organization_id=current.badge.organization_id,
            badge_name=current.badge.name,
            recipient=recipient,
            recipient_name=f"{recipient.display_name} <{recipient.email}>",
            issued_at=current.issued_at,
            method=current.method,
            source=current.source,
            issued_by_id=current.issued_by_id,
            issued_from=current.origin,
            revoked_by=actor,
            revoked_from=current_origin(),
            reason=reason,
        )
        current.delete()
    return revocation
