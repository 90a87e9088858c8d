"""The Open Badges 2.0 documents of the portal (1EdTech Open Badges 2.0, hosted verification): an
Issuer per organization, a BadgeClass per badge and an Assertion per issuance, each at a stable
absolute URL under `SITE_URL`.

What an Assertion tells anyone who has its link: the badge, the issuer, when it was issued and
until when it is valid, what the student did to earn it (or who issued it by hand, and from
which class or course assignment), and the recipient only as a salted SHA-256 of their e-mail
address — never the address itself, and never the database key."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags

from accounts.models import Organization
from achievements.models import AchievementCompletion
from badges.models import Badge, BadgeIssuance

OPEN_BADGES_V2_CONTEXT = "https://w3id.org/openbadges/v2"


def absolute_url(path: str) -> str:
    """`path` under the portal's public address, `SITE_URL`."""
    return settings.SITE_URL.rstrip("/") + path


def issuer_url(organization_id: int) -> str:
    return absolute_url(reverse("credentials:issuer", args=[organization_id]))


def badge_class_url(badge_id: int) -> str:
    return absolute_url(reverse("credentials:badge_class", args=[badge_id]))


def assertion_url(issuance: BadgeIssuance) -> str:
    return absolute_url(reverse("credentials:assertion", args=[issuance.uuid]))


def baked_image_url(issuance: BadgeIssuance) -> str:
    return absolute_url(reverse("credentials:baked_image", args=[issuance.uuid]))


def _isoformat(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hashed_email(email: str, salt: str) -> str:
    """The recipient's identity as the Assertion states it: `sha256$` and the hex digest of the
    (lower-cased) address followed by the salt. A verifier who knows the address checks it."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def issuer_document(organization: Organization) -> dict:
    profile = getattr(organization, "issuer_profile", None)
    document = {
        "@context": OPEN_BADGES_V2_CONTEXT,
        "type": "Issuer",
        "id": issuer_url(organization.pk),
        "name": (profile.name if profile and profile.name else organization.name),
        "url": (profile.url if profile and profile.url else absolute_url("/")),
    }
    if profile and profile.email:
        document["email"] = profile.email
    if profile and profile.description:
        document["description"] = profile.description
    if profile and profile.image:
        document["image"] = absolute_url(profile.image.url)
    return document


def criteria_narrative(badge: Badge) -> str:
    """What a student does to earn the badge, in words: the criteria of its achievement, then
    the administrator's own text."""
    parts = []
    achievement = badge.achievement
    if achievement is not None:
        rendered = render_to_string(achievement.criteria_template, {"achievement": achievement})
        parts.append(" ".join(strip_tags(rendered).split()))
    if badge.criteria_narrative.strip():
        parts.append(badge.criteria_narrative.strip())
    if not parts:
        parts.append(f"Awarded by {badge.organization} to recognise {badge.name}.")
    return "\n\n".join(parts)


def badge_class_document(badge: Badge) -> dict:
    return {
        "@context": OPEN_BADGES_V2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(badge.pk),
        "name": badge.name,
        "description": badge.description or badge.name,
        "image": absolute_url(reverse("credentials:badge_image", args=[badge.pk])),
        "criteria": {
            "id": absolute_url(reverse("credentials:criteria", args=[badge.pk])),
            "narrative": criteria_narrative(badge),
        },
        "issuer": issuer_url(badge.organization_id),
    }


def evidence_narrative(issuance: BadgeIssuance) -> str:
    """What the student did and when, or who issued the badge by hand and from where."""
    when = date_format(timezone.localtime(issuance.issued_at), "j F Y")
    if issuance.is_automatic and issuance.source_achievement is not None:
        achievement = issuance.source_achievement
        first_met = (
            AchievementCompletion.objects.filter(
                achievement=achievement, student_id=issuance.recipient_id
            )
            .values_list("first_met_at", flat=True)
            .first()
        )
        met = date_format(timezone.localtime(first_met), "j F Y") if first_met else when
        return f"Met the achievement “{achievement.name}” on {met}."
    by = f" by {issuance.issued_by.display_name}" if issuance.issued_by else ""
    where = ""
    if issuance.is_from_class and issuance.source_class is not None:
        where = f" {issuance.how_issued} the class “{issuance.source_class.name}”"
    elif issuance.is_from_course_assignment and issuance.source_assignment is not None:
        where = f" {issuance.how_issued} “{issuance.source_assignment.course}”"
    return f"Issued by hand{by}{where} on {when}."


def assertion_document(issuance: BadgeIssuance) -> dict:
    """The hosted Assertion. A revoked one still answers, with `revoked` and its reason."""
    document = {
        "@context": OPEN_BADGES_V2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(issuance),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": issuance.recipient_salt,
            "identity": hashed_email(issuance.recipient.email, issuance.recipient_salt),
        },
        "badge": badge_class_url(issuance.badge_id),
        "issuedOn": _isoformat(issuance.issued_at),
        "verification": {"type": "HostedBadge"},
        "evidence": [{"narrative": evidence_narrative(issuance)}],
        "image": baked_image_url(issuance),
    }
    if issuance.expires_at is not None:
        document["expires"] = _isoformat(issuance.expires_at)
    if issuance.is_revoked:
        document["revoked"] = True
        document["revocationReason"] = issuance.revocation_reason
    return document
