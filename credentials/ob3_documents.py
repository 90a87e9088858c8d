"""The Open Badges 3.0 documents of the portal (1EdTech Open Badges 3.0.3 on the W3C Verifiable
Credentials Data Model 2.0): an OpenBadgeCredential per issuance, built from the same data as its
Open Badges 2.0 assertion (credentials/documents.py), the organization's DID document (did:web)
listing its keys, and its Bitstring Status List credential. Signing and keys:
credentials/ob3_services.py.

Each organization is a `did:web` issuer under SITE_URL: `did:web:<host>[%3A<port>]:public:
issuers:<id>`, which a verifier resolves to `<SITE_URL>/public/issuers/<id>/did.json`."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

from accounts.models import Organization
from badges.models import BadgeIssuance
from credentials import documents
from credentials.jsonld import DID_V1_CONTEXT, MULTIKEY_CONTEXT, OB_V3_CONTEXT, VC_V2_CONTEXT

CREDENTIAL_CONTEXT = [VC_V2_CONTEXT, OB_V3_CONTEXT]
STATUS_PURPOSE = "revocation"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_did(organization_id: int) -> str:
    """The organization's did:web, from SITE_URL (its host, port and path) and the Issuer URL."""
    site = urlsplit(settings.SITE_URL)
    authority = quote(site.netloc, safe="")  # a port's ':' is percent-encoded
    path = site.path.rstrip("/") + reverse("credentials:issuer", args=[organization_id])
    segments = [quote(segment, safe="") for segment in path.split("/") if segment]
    return ":".join(["did:web", authority, *segments])


def verification_method_id(organization_id: int, public_key_multibase: str) -> str:
    return f"{issuer_did(organization_id)}#{public_key_multibase}"


def did_document_url(organization_id: int) -> str:
    return documents.absolute_url(reverse("credentials:did_document", args=[organization_id]))


def status_list_url(organization_id: int) -> str:
    return documents.absolute_url(reverse("credentials:status_list", args=[organization_id]))


def credential_url(issuance: BadgeIssuance) -> str:
    return documents.absolute_url(reverse("credentials:credential", args=[issuance.uuid]))


def did_document(organization: Organization, *, public_keys: list[str]) -> dict:
    """Every key the organization ever signed with, oldest first: a rotated key stays, so the
    credentials it signed still verify."""
    did = issuer_did(organization.pk)
    methods = [
        {
            "id": f"{did}#{key}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in public_keys
    ]
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "alsoKnownAs": [documents.issuer_url(organization.pk)],
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def _image(url: str) -> dict:
    return {"id": url, "type": "Image"}


def issuer_profile(organization: Organization) -> dict:
    """The OB 3.0 Profile of the issuer: the same fields as the OB 2.0 Issuer, its id the DID."""
    issuer = documents.issuer_document(organization)
    profile = {
        "id": issuer_did(organization.pk),
        "type": ["Profile"],
        "name": issuer["name"],
        "url": issuer["url"],
    }
    if "email" in issuer:
        profile["email"] = issuer["email"]
    if "description" in issuer:
        profile["description"] = issuer["description"]
    if "image" in issuer:
        profile["image"] = _image(issuer["image"])
    return profile


def open_badge_credential(issuance: BadgeIssuance, *, status_index: int) -> dict:
    """The unsigned OpenBadgeCredential of an issuance."""
    badge_class = documents.badge_class_document(issuance.badge)
    organization_id = issuance.badge.organization_id
    status_list = status_list_url(organization_id)
    credential = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_url(issuance),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge_class["name"],
        "issuer": issuer_profile(issuance.badge.organization),
        "validFrom": _timestamp(issuance.issued_at),
    }
    if issuance.expires_at is not None:
        credential["validUntil"] = _timestamp(issuance.expires_at)
    credential["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": documents.hashed_email(
                    issuance.recipient.email, issuance.recipient_salt
                ),
                "salt": issuance.recipient_salt,
            }
        ],
        "achievement": {
            "id": badge_class["id"],
            "type": ["Achievement"],
            "name": badge_class["name"],
            "description": badge_class["description"],
            "criteria": dict(badge_class["criteria"]),
            "image": _image(badge_class["image"]),
        },
    }
    credential["evidence"] = [
        {"type": ["Evidence"], "narrative": documents.evidence_narrative(issuance)}
    ]
    credential["credentialStatus"] = {
        "id": f"{status_list}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(status_index),
        "statusListCredential": status_list,
    }
    return credential


def encode_bits(bits: bytes) -> str:
    """`encodedList`: multibase base64url (no padding, prefix 'u') of the GZIP of the bits."""
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bits(encoded: str) -> bytes:
    body = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def status_list_credential(organization: Organization, *, bits: bytes, valid_from) -> dict:
    """The unsigned BitstringStatusListCredential: bit i (from the left, most significant bit
    of the first byte first) is 1 when the credential with statusListIndex i is revoked."""
    url = status_list_url(organization.pk)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(organization.pk),
        "validFrom": _timestamp(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bits(bits),
        },
    }
