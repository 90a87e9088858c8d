"""The portal's Open Badges 2.0 documents, judged by an independent verifier: the 1EdTech
validator (`openbadges` on PyPI, the reference implementation), run in its own virtualenv
(`.venv-ob2`, made by `make install`) against a live test server, offline (see
tests/tools/ob2_validator/run.py).

Its verdicts: a valid issuance is valid; an expired one fails only on its expiry, as it should; a
revoked hosted assertion it reports as valid — it never looks at `revoked` in a hosted assertion
(only at the revocation lists of signed badges) — so for that case the test asserts what the
portal answers itself: 410 Gone, `revoked: true` and the reason."""

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from badges.models import BadgeIssuance
from badges.services.revocation import badge_issuance_revoke
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

VALIDATOR = Path(
    os.environ.get(
        "OB2_VALIDATOR_PYTHON", django_settings.BASE_DIR / ".venv-ob2" / "bin" / "python"
    )
)
RUNNER = Path(__file__).resolve().parents[1] / "tools" / "ob2_validator" / "run.py"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def validate():
    if not VALIDATOR.exists():
        message = f"the Open Badges validator is not installed at {VALIDATOR}: run `make install`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(*urls: str) -> dict[str, dict]:
        completed = subprocess.run(  # noqa: S603 - our own runner, our own URLs
            [str(VALIDATOR), str(RUNNER), *urls],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        reports = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
        return {report["input"]: report for report in reports}

    return run


@pytest.fixture
def issued(live_server, settings):
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

    def issuance(**fields):
        return BadgeIssuanceFactory(
            badge=badge, recipient=StudentFactory(organization=organization), **fields
        )

    valid = issuance(expires_at=timezone.now() + timedelta(days=365))
    expired = issuance(
        issued_at=timezone.now() - timedelta(days=400),
        expires_at=timezone.now() - timedelta(days=35),
    )
    revoked = issuance()
    badge_issuance_revoke(
        actor=AdministratorFactory(organization=organization),
        issuance=revoked,
        reason="Issued to the wrong student",
    )

    def url(name, *args):
        return live_server.url + reverse(name, args=args)

    return {
        "issuer": url("credentials:issuer", organization.pk),
        "badge_class": url("credentials:badge_class", badge.pk),
        "valid": url("credentials:assertion", valid.uuid),
        "expired": url("credentials:assertion", expired.uuid),
        "revoked": url("credentials:assertion", revoked.uuid),
        "expired_issuance": expired,
    }


def _errors(report):
    return [m for m in report["messages"] if m["messageLevel"] == "ERROR" and not m["success"]]


def test_the_validator_finds_issuer_badge_class_and_valid_assertion_valid(issued, validate):
    reports = validate(issued["issuer"], issued["badge_class"], issued["valid"])

    for url in (issued["issuer"], issued["badge_class"], issued["valid"]):
        assert _errors(reports[url]) == [], url
        assert reports[url]["valid"] is True, url
    graph = {node["id"]: node for node in reports[issued["valid"]]["graph"]}
    assert graph[issued["valid"]]["type"] == "Assertion"
    assert graph[issued["badge_class"]]["type"] == "BadgeClass"
    assert graph[issued["issuer"]]["type"] == "Issuer"
    assert graph[issued["issuer"]]["email"] == "badges@northwind.example"


def test_the_validator_refuses_an_expired_assertion_for_its_expiry_only(issued, validate):
    report = validate(issued["expired"])[issued["expired"]]

    assert report["valid"] is False
    (error,) = _errors(report)
    assert error["name"] == "ASSERTION_TIMESTAMP_CHECKS"
    assert "expired on" in error["result"]


def test_a_revoked_assertion_says_so_where_the_validator_cannot(issued, validate):
    report = validate(issued["revoked"])[issued["revoked"]]
    # The validator's blind spot, asserted so that a fixed validator is noticed here.
    assert report["valid"] is True

    response = httpx.get(issued["revoked"], headers={"Accept": "application/ld+json"})
    assert response.status_code == 410
    document = response.json()
    assert document["revoked"] is True
    assert document["revocationReason"] == "Issued to the wrong student"
    page = httpx.get(issued["revoked"], headers={"Accept": "text/html"}).text
    assert "<strong>Revoked</strong>" in page


def test_every_issuance_of_the_demo_data_is_a_valid_assertion(live_server, settings, validate):
    from django.core.management import call_command

    settings.SITE_URL = live_server.url
    call_command("seed_demo", verbosity=0)
    urls = [
        live_server.url + reverse("credentials:assertion", args=[public_id])
        for public_id in BadgeIssuance.objects.filter(revoked_at__isnull=True)
        .exclude(expires_at__lte=timezone.now())
        .values_list("uuid", flat=True)
    ]
    assert urls
    reports = validate(*urls)
    assert {url: _errors(report) for url, report in reports.items() if _errors(report)} == {}
    assert len(reports) == len(urls)
