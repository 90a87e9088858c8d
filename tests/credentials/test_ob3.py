"""Open Badges 3.0 in the portal: the credential's content, signing kept and redone, the status
list and its bits, keys and where their private half never appears."""

import base64
import io
import json
import logging
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from badges.models import BadgeIssuance
from badges.services.revocation import badge_issuance_reinstate, badge_issuance_revoke
from common.crypto import EncryptionKeyMissing, SecretUnreadable, decrypt_secret, generate_key
from credentials import ob3_documents, ob3_services, signing
from credentials.jsonld import CONTEXT_FILES, CONTEXTS_DIR, document_loader
from credentials.models import IssuerKey, SignedCredential, StatusList
from credentials.selectors import status_bit
from tests.factories import AdministratorFactory, BadgeIssuanceFactory, UserFactory

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def issuance(db, settings):
    settings.SITE_URL = "https://badges.example:8443"
    issuance = BadgeIssuanceFactory(expires_at=timezone.now() + timedelta(days=30))
    issuance.refresh_from_db()
    return issuance


def _public_key(credential) -> "signing.Ed25519PublicKey":
    multibase = credential["proof"]["verificationMethod"].split("#", 1)[1]
    return signing.public_key_from_multibase(multibase)


def test_the_credential_has_every_field_open_badges_3_requires(issuance):
    """No registry package ships 1EdTech's AchievementCredential JSON schema, so the fields it
    requires are asserted here."""
    credential = ob3_services.signed_credential_for(issuance=issuance)
    org = issuance.badge.organization_id

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == (f"https://badges.example:8443/public/credentials/{issuance.uuid}")
    assert credential["name"] == issuance.badge.name
    issuer = credential["issuer"]
    assert issuer["id"] == f"did:web:badges.example%3A8443:public:issuers:{org}"
    assert issuer["type"] == ["Profile"]
    assert issuer["name"]
    assert issuer["url"]
    assert credential["validFrom"].endswith("Z")
    assert credential["validUntil"] == ob3_documents._timestamp(issuance.expires_at)
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    (identifier,) = subject["identifier"]
    assert identifier["type"] == "IdentityObject"
    assert identifier["identityType"] == "emailAddress"
    assert identifier["hashed"] is True
    assert identifier["identityHash"].startswith("sha256$")
    assert issuance.recipient.email not in json.dumps(credential)
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == f"https://badges.example:8443/public/badges/{issuance.badge_id}"
    assert {"name", "description", "criteria", "image"} <= achievement.keys()
    assert achievement["criteria"]["id"].endswith("/criteria")
    assert achievement["criteria"]["narrative"]
    assert achievement["image"]["type"] == "Image"
    assert credential["evidence"][0]["narrative"]
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == (
        f"https://badges.example:8443/public/issuers/{org}/status-list"
    )
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith(issuer["id"] + "#z6Mk")
    assert signing.verify(credential, public_key=_public_key(credential))


def test_a_changed_character_breaks_our_own_check_too(issuance):
    credential = ob3_services.signed_credential_for(issuance=issuance)
    credential["credentialSubject"]["achievement"]["name"] += "!"

    assert not signing.verify(credential, public_key=_public_key(credential))


def test_the_shipped_contexts_are_those_of_the_npm_packages():
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists():
        pytest.skip("needs Node.js and the npm packages (make install)")
    printed = subprocess.run(  # noqa: S603
        [node, "tests/tools/vc_verifier/verify.mjs", "--print-contexts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    published = json.loads(printed)
    for url, name in CONTEXT_FILES.items():
        shipped = json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
        assert shipped == published[url], url


def test_the_document_loader_refuses_every_other_url():
    assert document_loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]
    with pytest.raises(Exception, match="not shipped"):
        document_loader("https://example.com/context.json")


def test_issuing_signs_nothing_until_the_credential_is_asked_for(issuance, client):
    from badges.services.context import IssueContext
    from badges.services.issuance import badge_issue_many
    from tests.factories import BadgeFactory, StudentFactory

    organization = issuance.badge.organization
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    students = [StudentFactory(organization=organization) for _ in range(3)]
    staff = UserFactory(organization=None, is_staff=True, is_superuser=True)
    outcomes = badge_issue_many(
        context=IssueContext.for_admin(actor=staff), pairs=[(badge.pk, s.pk) for s in students]
    )

    assert all(outcome.issued for outcome in outcomes)
    assert not SignedCredential.objects.exists()
    assert not IssuerKey.objects.exists()
    first = BadgeIssuance.objects.filter(badge=badge).first()
    assert client.get(reverse("credentials:credential", args=[first.uuid])).status_code == 200
    assert SignedCredential.objects.get().issuance == first


def test_signing_is_kept_and_redone_only_when_the_credential_changed(
    issuance, django_assert_max_num_queries
):
    first = ob3_services.signed_credential_for(issuance=issuance)
    with django_assert_max_num_queries(8):
        again = ob3_services.signed_credential_for(issuance=issuance)
    assert again == first

    # A renewal changes the dates of the same row: the credential is signed again, same index.
    renewed_at = timezone.now() + timedelta(days=1)
    BadgeIssuance.objects.filter(pk=issuance.pk).update(
        issued_at=renewed_at, expires_at=renewed_at + timedelta(days=365)
    )
    issuance.refresh_from_db()
    renewed = ob3_services.signed_credential_for(issuance=issuance)

    assert renewed["validFrom"] == ob3_documents._timestamp(renewed_at)
    assert renewed["proof"]["proofValue"] != first["proof"]["proofValue"]
    assert renewed["credentialStatus"] == first["credentialStatus"]
    assert SignedCredential.objects.get().document == renewed


def test_each_issuance_gets_its_own_status_index_once(issuance):
    other = BadgeIssuanceFactory(badge=issuance.badge)
    third = BadgeIssuanceFactory(badge=issuance.badge)
    indexes = [
        ob3_services.signed_credential_for(issuance=i)["credentialStatus"]["statusListIndex"]
        for i in (issuance, other, third, issuance)
    ]

    assert indexes == ["0", "1", "2", "0"]
    assert StatusList.objects.get().next_index == 3


def test_a_full_status_list_grows_by_the_minimum_length(issuance):
    last = StatusList.MIN_BYTES * 8 - 1
    ob3_services.status_list_for(organization_id=issuance.badge.organization_id)
    StatusList.objects.update(next_index=last)
    other = BadgeIssuanceFactory(badge=issuance.badge)

    indexes = [
        ob3_services.signed_credential_for(issuance=i)["credentialStatus"]["statusListIndex"]
        for i in (issuance, other)
    ]

    assert indexes == [str(last), str(last + 1)]
    assert len(StatusList.objects.get().bits) == 2 * StatusList.MIN_BYTES


def test_revoking_sets_the_bit_and_reinstating_clears_it_in_the_same_transaction(issuance):
    administrator = AdministratorFactory(organization=issuance.badge.organization)
    BadgeIssuanceFactory(badge=issuance.badge)
    ob3_services.signed_credential_for(issuance=BadgeIssuance.objects.exclude(pk=issuance.pk)[0])
    index = int(
        ob3_services.signed_credential_for(issuance=issuance)["credentialStatus"]["statusListIndex"]
    )
    org = issuance.badge.organization_id

    seen_inside = []

    def revoke_then_fail():
        with transaction.atomic():
            badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Wrong student")
            seen_inside.append(status_bit(organization_id=org, index=index))
            raise RuntimeError("the revocation rolls back")

    with pytest.raises(RuntimeError):
        revoke_then_fail()
    assert seen_inside == [True]
    assert status_bit(organization_id=org, index=index) is False

    issuance.refresh_from_db()
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Wrong student")
    assert status_bit(organization_id=org, index=index) is True
    assert status_bit(organization_id=org, index=index - 1) is False

    listed = ob3_services.status_list_credential_for(organization=issuance.badge.organization)
    bits = ob3_documents.decode_bits(listed["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    assert bits[index // 8] == 0x80 >> (index % 8)  # left to right: index 1 is 0b0100_0000
    assert listed["credentialSubject"]["encodedList"].startswith("u")
    assert signing.verify(listed, public_key=_public_key(listed))

    issuance.refresh_from_db()
    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Cleared")
    assert status_bit(organization_id=org, index=index) is False
    relisted = ob3_services.status_list_credential_for(organization=issuance.badge.organization)
    assert (
        relisted["credentialSubject"]["encodedList"] != listed["credentialSubject"]["encodedList"]
    )
    assert not any(ob3_documents.decode_bits(relisted["credentialSubject"]["encodedList"]))


def test_a_revoked_issuance_is_not_handed_out(client, issuance):
    administrator = AdministratorFactory(organization=issuance.badge.organization)
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Wrong student")

    for name in ("credentials:credential", "credentials:credential_image"):
        assert client.get(reverse(name, args=[issuance.uuid])).status_code == 410
    assert not SignedCredential.objects.exists()


def test_the_public_documents(client, issuance):
    response = client.get(reverse("credentials:credential", args=[issuance.uuid]) + "?download")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "attachment" in response["Content-Disposition"]
    credential = response.json()
    org = issuance.badge.organization_id

    did = client.get(reverse("credentials:did_document", args=[org])).json()
    assert did["id"] == credential["issuer"]["id"]
    (method,) = did["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == did["id"]
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert did["assertionMethod"] == [credential["proof"]["verificationMethod"]]

    status_list = client.get(reverse("credentials:status_list", args=[org]))
    assert status_list.status_code == 200
    assert status_list.json()["issuer"] == did["id"]


# Keys: the private half never leaves the database unencrypted.


def _private_key_forms(key: IssuerKey) -> list[str]:
    raw = decrypt_secret(key.private_key)
    private = Ed25519PrivateKey.from_private_bytes(raw)
    assert signing.public_key_multibase(private.public_key()) == key.public_key_multibase
    return [
        raw.hex(),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        signing.base58btc_encode(raw),
        key.private_key,  # not even the ciphertext
    ]


def test_the_private_key_is_in_no_response_log_line_or_admin_page(client, issuance, caplog):
    caplog.set_level(logging.DEBUG)
    org = issuance.badge.organization
    pages = [
        client.get(reverse("credentials:credential", args=[issuance.uuid])),
        client.get(reverse("credentials:credential_image", args=[issuance.uuid])),
        client.get(reverse("credentials:did_document", args=[org.pk])),
        client.get(reverse("credentials:status_list", args=[org.pk])),
        client.get(reverse("credentials:assertion", args=[issuance.uuid]), HTTP_ACCEPT="text/html"),
    ]
    key = IssuerKey.objects.get()
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    pages += [
        client.get(reverse("admin:credentials_issuerkey_changelist")),
        client.get(reverse("admin:credentials_issuerkey_change", args=[key.pk])),
    ]
    assert all(page.status_code == 200 for page in pages)
    assert key.public_key_multibase in pages[-1].content.decode()

    seen = b"".join(page.content for page in pages).decode("latin-1")
    logged = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    for form in _private_key_forms(key):
        assert form not in seen
        assert form not in logged
    assert form not in repr(key) + str(key)


def test_a_database_dump_alone_cannot_sign(client, issuance, settings):
    key = ob3_services.issuer_key_current(organization_id=issuance.badge.organization_id)
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    dumped = dump.getvalue()
    assert key.public_key_multibase in dumped
    for form in _private_key_forms(key)[:-1]:  # the ciphertext is there, the key is not
        assert form not in dumped
    assert not any(kek in dumped for kek in settings.ENCRYPTION_KEYS)

    settings.ENCRYPTION_KEYS = []  # the dump, restored where the key-encryption key is not
    settings.DEBUG = False
    with pytest.raises(EncryptionKeyMissing, match="ENCRYPTION_KEYS is not set"):
        ob3_services.signed_credential_for(issuance=issuance)
    response = client.get(reverse("credentials:credential", args=[issuance.uuid]))
    assert response.status_code == 503
    assert "cannot be signed" in response.content.decode()

    settings.ENCRYPTION_KEYS = [generate_key()]  # another deployment's key
    with pytest.raises(SecretUnreadable):
        ob3_services.signed_credential_for(issuance=issuance)
    assert not SignedCredential.objects.exists()


def test_an_error_report_of_a_missing_key_encryption_key_holds_no_key(issuance, settings):
    """Sentry sends the local variables of every frame of a traceback: none holds a key."""
    settings.ENCRYPTION_KEYS = []
    settings.DEBUG = False
    with pytest.raises(EncryptionKeyMissing) as failure:
        ob3_services.signed_credential_for(issuance=issuance)

    values = []
    traceback = failure.value.__traceback__
    while traceback is not None:
        values += traceback.tb_frame.f_locals.values()
        traceback = traceback.tb_next
    assert not any(isinstance(value, Ed25519PrivateKey) for value in values)
    assert not any(isinstance(value, bytes | bytearray) for value in values)


def test_rotation_keeps_the_old_public_key_published(client, issuance):
    org = issuance.badge.organization
    admin_client = type(client)()
    admin_client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    before = ob3_services.signed_credential_for(issuance=issuance)
    old = IssuerKey.objects.get()

    response = admin_client.post(
        reverse("admin:credentials_issuerkey_changelist"),
        {"action": "rotate", "_selected_action": [old.pk]},
        follow=True,
    )
    assert "New signing keys for 1 organization(s)" in response.content.decode()

    old.refresh_from_db()
    assert old.retired_at is not None
    current = IssuerKey.objects.get(retired_at__isnull=True)
    after = ob3_services.signed_credential_for(issuance=BadgeIssuanceFactory(badge=issuance.badge))
    assert after["proof"]["verificationMethod"].endswith(current.public_key_multibase)
    did = client.get(reverse("credentials:did_document", args=[org.pk])).json()
    assert [m["publicKeyMultibase"] for m in did["verificationMethod"]] == [
        old.public_key_multibase,
        current.public_key_multibase,
    ]
    # the kept credential is the one signed before, still by the old key
    assert ob3_services.signed_credential_for(issuance=issuance) == before
