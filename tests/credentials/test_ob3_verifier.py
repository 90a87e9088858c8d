"""The portal's Open Badges 3.0 credentials, judged by code nobody here wrote: Digital Bazaar's
@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, did:web resolution and the Bitstring
Status List (tests/tools/vc_verifier/verify.mjs), run under Node.js against a live test server.
Its document loader serves the contexts from the npm packages and everything else only from the
live server: nothing leaves 127.0.0.1."""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from badges.services.revocation import badge_issuance_reinstate, badge_issuance_revoke
from credentials.models import IssuerProfile
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    LabFactory,
    OrganizationFactory,
    StudentFactory,
)

ROOT = Path(django_settings.BASE_DIR)
VERIFIER = ROOT / "tests" / "tools" / "vc_verifier" / "verify.mjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def verify(live_server, tmp_path):
    missing = None
    if NODE is None:
        missing = "Node.js is not installed (apt-get install nodejs npm)"
    elif not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists():
        missing = "the npm verifier packages are not installed: run `make install` (npm ci)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)

    def run(*credentials: dict, now: str | None = None, server: str = "") -> list[dict]:
        paths = []
        for number, credential in enumerate(credentials):
            path = tmp_path / f"credential-{number}.json"
            path.write_text(json.dumps(credential), encoding="utf-8")
            paths.append(str(path))
        command = [NODE, str(VERIFIER), "--server", server or live_server.url, *paths]
        if now:
            command[3:3] = ["--now", now]
        completed = subprocess.run(  # noqa: S603 - our own runner, our own files
            command, capture_output=True, text=True, timeout=120, check=True, cwd=ROOT
        )
        return [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]

    return run


@pytest.fixture
def issue(live_server, settings):
    settings.SITE_URL = live_server.url
    organization = OrganizationFactory(name="Northwind Academy")
    IssuerProfile.objects.create(
        organization=organization,
        url="https://northwind.example",
        email="badges@northwind.example",
        description="Cloud training.",
    )
    achievement = AchievementFactory(
        organization=organization, criteria_type="lab", lab=LabFactory(title="Deploy a VM")
    )
    badge = BadgeFactory(
        organization=organization,
        name="Cloud Explorer",
        description="Deployed a virtual machine.",
        achievement=achievement,
        manual_issuance_enabled=True,
        criteria_narrative="Show the running VM to an instructor.",
    )

    def make(**fields):
        issuance = BadgeIssuanceFactory(
            badge=badge, recipient=StudentFactory(organization=organization), **fields
        )
        issuance.refresh_from_db()
        return issuance

    make.organization = organization
    return make


def fetch_credential(live_server, issuance) -> dict:
    response = httpx.get(live_server.url + reverse("credentials:credential", args=[issuance.uuid]))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_valid_credential_verifies(issue, live_server, verify):
    credential = fetch_credential(live_server, issue(expires_at=timezone.now() + timedelta(days=9)))

    (report,) = verify(credential)

    assert report["errors"] == []
    assert report["verified"] is True
    assert report["revoked"] is False


def test_one_character_changed_in_the_achievement_name_fails(issue, live_server, verify):
    credential = fetch_credential(live_server, issue())
    credential["credentialSubject"]["achievement"]["name"] = "Cloud Explorar"

    (report,) = verify(credential)

    assert report["verified"] is False
    assert report["verifiedIgnoringStatus"] is False
    assert any("Invalid signature" in error for error in report["errors"]), report


def test_a_revoked_credential_reports_revoked_and_verifies_again_after_reinstate(
    issue, live_server, verify
):
    issuance = issue()
    credential = fetch_credential(live_server, issuance)
    administrator = AdministratorFactory(organization=issue.organization)
    (before,) = verify(credential)
    assert before["verified"] is True

    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Wrong student")
    (revoked,) = verify(credential)

    assert revoked["verifiedIgnoringStatus"] is True  # the signature is still good ...
    assert revoked["revoked"] is True  # ... and the status list says it is revoked
    assert revoked["verified"] is False

    issuance.refresh_from_db()
    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Cleared")
    (reinstated,) = verify(credential)

    assert reinstated["errors"] == []
    assert reinstated["revoked"] is False
    assert reinstated["verified"] is True


def test_an_expired_credential_reports_its_valid_until(issue, live_server, verify):
    expired = issue(
        issued_at=timezone.now() - timedelta(days=400),
        expires_at=timezone.now() - timedelta(days=35),
    )
    credential = fetch_credential(live_server, expired)

    (report,) = verify(credential)

    assert report["verified"] is False
    assert credential["validUntil"] == report["validUntil"]
    assert any(f'"validUntil" ({credential["validUntil"]})' in e for e in report["errors"]), report


def test_a_credential_signed_before_key_rotation_still_verifies(issue, live_server, verify):
    before = fetch_credential(live_server, issue())

    call_command("rotate_issuer_key", organization=issue.organization.pk, stdout=io.StringIO())
    after = fetch_credential(live_server, issue())

    assert before["proof"]["verificationMethod"] != after["proof"]["verificationMethod"]
    reports = verify(before, after)
    assert [(r["verified"], r["errors"]) for r in reports] == [(True, []), (True, [])]
    did = httpx.get(
        live_server.url + reverse("credentials:did_document", args=[issue.organization.pk])
    ).json()
    assert did["assertionMethod"] == [
        before["proof"]["verificationMethod"],
        after["proof"]["verificationMethod"],
    ]


def test_a_baked_credential_verifies(issue, live_server, verify):
    from credentials.baking import OB3_BAKING_KEYWORD, extract_assertion

    issuance = issue()
    png = httpx.get(live_server.url + reverse("credentials:credential_image", args=[issuance.uuid]))
    assert png.headers["content-type"] == "image/png"
    credential = json.loads(extract_assertion(png.content, keyword=OB3_BAKING_KEYWORD))

    (report,) = verify(credential)

    assert report["verified"] is True
    assert credential == fetch_credential(live_server, issuance)


def test_the_verifier_fetches_from_no_host_but_the_one_it_is_given(issue, live_server, verify):
    credential = fetch_credential(live_server, issue())

    # The DID names the live server; told to trust only another, the verifier refuses it.
    (report,) = verify(credential, server="http://127.0.0.2:9")

    assert report["verified"] is False
    assert any("Refused to fetch" in error for error in report["errors"]), report
