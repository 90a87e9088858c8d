"""Writes of Open Badges 3.0: issuers' signing keys, the signed credential of an issuance (kept
once signed, signed again only when what it says changed), and the organization's revocation
status list, whose bits follow revocations inside the revoking transaction.

Signing is lazy: the first request for a credential signs it. Nothing here runs inside the
sweep's statements, so issuing 600,000 badges costs no signature until someone asks for one.

Locks: signing and a revocation both lock the issuance's row, then the organization's StatusList
row, in that order (no deadlock), before they look at each other's rows: a credential is never
given its index after its issuance was revoked without its bit being set."""

from __future__ import annotations

import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import Organization
from badges.models import BadgeIssuance
from common.crypto import configured_keys, decrypt_secret, encrypt_secret
from credentials import ob3_documents, signing
from credentials.models import IssuerKey, SignedCredential, StatusList


class CredentialRevoked(Exception):
    """A revoked issuance is not signed (its earlier signature, if any, is revoked by status)."""


def _new_key_row(*, organization_id: int) -> IssuerKey:
    # Without the key-encryption key, fail before a key exists: an error report (Sentry keeps
    # the local variables of a traceback's frames) then holds nothing secret.
    configured_keys()
    private_key = Ed25519PrivateKey.generate()
    return IssuerKey(
        organization_id=organization_id,
        public_key_multibase=signing.public_key_multibase(private_key.public_key()),
        private_key=encrypt_secret(
            private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        ),
    )


def issuer_key_current(*, organization_id: int) -> IssuerKey:
    """The key the organization signs with now, made the first time it is needed."""
    key = IssuerKey.objects.filter(organization_id=organization_id, retired_at__isnull=True).first()
    if key is not None:
        return key
    row = _new_key_row(organization_id=organization_id)
    try:
        with transaction.atomic():
            row.save()
        return row
    except IntegrityError:  # another request made it first
        return IssuerKey.objects.get(organization_id=organization_id, retired_at__isnull=True)


@transaction.atomic
def issuer_key_rotate(*, organization: Organization) -> IssuerKey:
    """A new current key; the old one signs nothing new but stays in the DID document, so every
    credential it signed still verifies."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    IssuerKey.objects.filter(organization=organization, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    row = _new_key_row(organization_id=organization.pk)
    row.save()
    return row


def _signer(key: IssuerKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(decrypt_secret(key.private_key))


def _sign(document: dict, *, key: IssuerKey, organization_id: int) -> dict:
    return signing.sign(
        document,
        private_key=_signer(key),
        verification_method=ob3_documents.verification_method_id(
            organization_id, key.public_key_multibase
        ),
        created=timezone.now(),
    )


def status_list_for(*, organization_id: int) -> StatusList:
    status_list = StatusList.objects.filter(organization_id=organization_id).first()
    if status_list is not None:
        return status_list
    return _new_status_list(organization_id=organization_id)


def _new_status_list(*, organization_id: int) -> StatusList:
    try:
        with transaction.atomic():
            return StatusList.objects.create(
                organization_id=organization_id, bits=bytes(StatusList.MIN_BYTES)
            )
    except IntegrityError:
        return StatusList.objects.get(organization_id=organization_id)


def _locked_status_list(*, organization_id: int, with_bits: bool = True) -> StatusList:
    """The organization's status list, its row locked until the transaction ends; without its
    bits (16 KB and more) when only the next index is wanted."""
    if not StatusList.objects.filter(organization_id=organization_id).exists():
        _new_status_list(organization_id=organization_id)
    rows = StatusList.objects.select_for_update().filter(organization_id=organization_id)
    if not with_bits:
        rows = rows.defer("bits", "signed_document").annotate(capacity=Length("bits") * 8)
    return rows.get()


def _content_hash(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def signed_credential_for(*, issuance: BadgeIssuance) -> dict:
    """The issuance's signed OpenBadgeCredential: the kept one while it still says what the
    portal says now, otherwise signed (again) and kept. The status index is given once, at the
    first signing, and never changes or returns to another issuance."""
    stored = SignedCredential.objects.filter(issuance=issuance).first()
    if stored is not None:
        unsigned = ob3_documents.open_badge_credential(issuance, status_index=stored.status_index)
        if _content_hash(unsigned) == stored.content_hash:
            return stored.document
    organization_id = issuance.badge.organization_id
    key = issuer_key_current(organization_id=organization_id)
    status_list_for(organization_id=organization_id)  # made and committed before any lock
    with transaction.atomic():
        # The issuance, then the status list: the order in which a revocation locks them.
        revoked_at = (
            BadgeIssuance.objects.select_for_update(no_key=True)
            .filter(pk=issuance.pk)
            .values_list("revoked_at", flat=True)
            .get()
        )
        if revoked_at is not None:
            raise CredentialRevoked(f"Issuance {issuance.uuid} is revoked.")
        status_list = _locked_status_list(organization_id=organization_id, with_bits=False)
        stored = SignedCredential.objects.filter(issuance=issuance).first()
        if stored is None:
            index = status_list.next_index
            status_list.next_index = index + 1
            if index < status_list.capacity:
                status_list.save(update_fields=["next_index"])
            else:  # a full list grows by the minimum length
                status_list.bits = bytes(status_list.bits) + bytes(StatusList.MIN_BYTES)
                status_list.version += 1
                status_list.save(update_fields=["next_index", "bits", "version"])
        else:
            index = stored.status_index
        unsigned = ob3_documents.open_badge_credential(issuance, status_index=index)
        content_hash = _content_hash(unsigned)
        if stored is not None and stored.content_hash == content_hash:
            return stored.document  # signed meanwhile by another request
        document = _sign(unsigned, key=key, organization_id=organization_id)
        if stored is None:
            SignedCredential.objects.create(
                issuance=issuance,
                status_list=status_list,
                status_index=index,
                key=key,
                content_hash=content_hash,
                document=document,
            )
        else:
            stored.key, stored.content_hash, stored.document = key, content_hash, document
            stored.signed_at = timezone.now()
            stored.save(update_fields=["key", "content_hash", "document", "signed_at"])
    return document


def _set_status_bit(*, issuance: BadgeIssuance, revoked: bool) -> None:
    organization_id = issuance.badge.organization_id
    status_list = _locked_status_list(organization_id=organization_id)
    index = (
        SignedCredential.objects.filter(issuance_id=issuance.pk)
        .values_list("status_index", flat=True)
        .first()
    )
    if index is None:  # never signed: there is no bit to set
        return
    bits = bytearray(status_list.bits)
    mask = 0x80 >> (index % 8)  # bit 0 is the leftmost bit of the first byte
    if revoked:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF
    status_list.bits = bytes(bits)
    status_list.version += 1
    status_list.save(update_fields=["bits", "version"])


def on_issuance_revoked(*, issuance: BadgeIssuance, reason: str) -> None:
    """badges.events listener, inside the revoking transaction: the bit commits with it."""
    _set_status_bit(issuance=issuance, revoked=True)


def on_issuance_reinstated(*, issuance: BadgeIssuance, reason: str) -> None:
    _set_status_bit(issuance=issuance, revoked=False)


def status_list_credential_for(*, organization: Organization) -> dict:
    """The signed status list credential, kept for its version and signed again after a bit
    changed."""
    status_list = status_list_for(organization_id=organization.pk)
    if status_list.signed_version == status_list.version and status_list.signed_document:
        return status_list.signed_document
    key = issuer_key_current(organization_id=organization.pk)
    unsigned = ob3_documents.status_list_credential(
        organization, bits=bytes(status_list.bits), valid_from=timezone.now()
    )
    document = _sign(unsigned, key=key, organization_id=organization.pk)
    StatusList.objects.filter(pk=status_list.pk, version=status_list.version).update(
        signed_document=document, signed_version=status_list.version
    )
    return document
