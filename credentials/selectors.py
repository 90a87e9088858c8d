"""Reads of the public credential pages: anyone may read them, so they select by the public
identifiers only (an issuance's UUID, never its database key)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from accounts.models import Organization
from badges.models import Badge, BadgeIssuance
from credentials.models import IssuerKey, StatusList


def public_issuance(*, public_id: uuid.UUID) -> BadgeIssuance | None:
    return (
        BadgeIssuance.objects.select_related(
            "badge",
            "badge__organization",
            "badge__organization__issuer_profile",
            "badge__achievement",
            "recipient",
            "issued_by",
            "source_achievement",
            "source_class",
            "source_assignment__course",
        )
        .filter(uuid=public_id)
        .first()
    )


def public_badges() -> QuerySet[Badge]:
    """Badges have public documents once issued or issuable: every badge but a draft that was
    never issued would do, and a badge's name and criteria are public in Open Badges anyway."""
    return Badge.objects.select_related("organization", "achievement")


def public_organizations() -> QuerySet[Organization]:
    return Organization.objects.select_related("issuer_profile")


def issuer_public_keys(*, organization_id: int) -> list[str]:
    """Every public key the organization ever signed with, oldest first (retired ones too)."""
    return list(
        IssuerKey.objects.filter(organization_id=organization_id)
        .order_by("created_at", "pk")
        .values_list("public_key_multibase", flat=True)
    )


def status_bit(*, organization_id: int, index: int) -> bool:
    """The revocation bit at `index` of the organization's status list (bit 0 leftmost)."""
    status_list = StatusList.objects.get(organization_id=organization_id)
    return bool(bytes(status_list.bits)[index // 8] & (0x80 >> (index % 8)))
