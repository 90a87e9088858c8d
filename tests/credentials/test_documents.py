"""The Open Badges 2.0 documents and the public verification page: what anyone with a link sees,
and what they never see (the e-mail address, the database key)."""

import hashlib
import json
import uuid
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from achievements.models import AchievementCompletion
from badges.models import BadgeIssuance
from badges.services.revocation import badge_issuance_revoke
from credentials.models import IssuerProfile
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    LabFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/ld+json, application/json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SITE = "https://badges.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def issuance(manual_badge, student, course_class, instructor):
    return BadgeIssuanceFactory(
        badge=manual_badge,
        recipient=student,
        issued_by=instructor,
        source_class=course_class,
        source=BadgeIssuance.Source.ROSTER,
    )


def _assertion(client, issuance, **headers):
    return client.get(reverse("credentials:assertion", args=[issuance.uuid]), **(headers or JSON))


def test_assertion_is_public_json_ld_readable_from_any_origin(client, issuance):
    response = _assertion(client, issuance)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response["Vary"]
    document = json.loads(response.content)
    assert document["@context"] == "https://w3id.org/openbadges/v2"
    assert document["type"] == "Assertion"
    assert document["id"] == f"{SITE}/public/assertions/{issuance.uuid}"
    assert document["badge"] == f"{SITE}/public/badges/{issuance.badge_id}"
    assert document["verification"] == {"type": "HostedBadge"}
    assert document["issuedOn"].endswith("Z")
    assert "expires" not in document
    assert "revoked" not in document


def test_recipient_is_a_salted_hash_of_the_email_never_the_address(client, issuance, student):
    body = _assertion(client, issuance).content.decode()
    recipient = json.loads(body)["recipient"]

    assert student.email not in body
    assert recipient["type"] == "email"
    assert recipient["hashed"] is True
    assert recipient["salt"] == issuance.recipient_salt
    assert len(recipient["salt"]) == 32
    expected = hashlib.sha256((student.email.lower() + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${expected}"


def test_each_issuance_has_its_own_unguessable_id_and_salt(manual_badge, organization):
    first, second = (
        BadgeIssuanceFactory(
            badge=manual_badge, recipient=StudentFactory(organization=organization)
        )
        for _ in range(2)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert isinstance(first.uuid, uuid.UUID)
    assert first.uuid.version == 4
    assert first.uuid != second.uuid
    assert first.recipient_salt != second.recipient_salt


def test_the_database_key_is_no_assertion_url(client, issuance):
    response = client.get(f"/public/assertions/{issuance.pk}", **JSON)
    assert response.status_code == 404
    assert client.get(f"/public/assertions/{uuid.uuid4()}", **JSON).status_code == 404


def test_evidence_of_a_manual_issuance_says_who_issued_it_and_from_which_class(
    client, issuance, instructor, course_class
):
    evidence = json.loads(_assertion(client, issuance).content)["evidence"]
    narrative = evidence[0]["narrative"]
    assert narrative.startswith(f"Issued by hand by {instructor.display_name}")
    assert f"the class “{course_class.name}”" in narrative


def test_evidence_of_an_automatic_badge_names_the_achievement_and_when_it_was_met(
    client, organization, student
):
    achievement = AchievementFactory(
        organization=organization, name="Cloud lab", criteria_type="lab", lab=LabFactory()
    )
    badge = BadgeFactory(organization=organization, achievement=achievement)
    met = timezone.now() - timedelta(days=40)
    AchievementCompletion.objects.create(
        achievement=achievement, student=student, first_met_at=met, recorded_at=met
    )
    issuance = BadgeIssuanceFactory(
        badge=badge,
        recipient=student,
        method=BadgeIssuance.Method.AUTOMATIC,
        source=BadgeIssuance.Source.ACHIEVEMENT,
        source_achievement=achievement,
    )

    narrative = json.loads(_assertion(client, issuance).content)["evidence"][0]["narrative"]

    assert narrative == f"Met the achievement “Cloud lab” on {met:%-d %B %Y}."


def test_an_expiring_badge_says_when_it_expires(client, issuance):
    expires = timezone.now() + timedelta(days=30)
    BadgeIssuance.objects.filter(pk=issuance.pk).update(expires_at=expires)

    document = json.loads(_assertion(client, issuance).content)

    assert document["expires"] == expires.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_revoked_assertion_answers_410_with_revoked_and_its_reason(
    client, issuance, administrator
):
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Issued by mistake")

    response = _assertion(client, issuance)

    assert response.status_code == 410
    assert response["Cache-Control"] == "no-cache"
    document = json.loads(response.content)
    assert document["revoked"] is True
    assert document["revocationReason"] == "Issued by mistake"
    assert document["id"].endswith(str(issuance.uuid))


def test_issuer_uses_the_organization_profile(client, organization):
    IssuerProfile.objects.create(
        organization=organization,
        name="Northwind Academy",
        url="https://northwind.example",
        email="badges@northwind.example",
        description="Training since 1999.",
    )

    document = json.loads(
        client.get(reverse("credentials:issuer", args=[organization.pk]), **JSON).content
    )

    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": f"{SITE}/public/issuers/{organization.pk}",
        "name": "Northwind Academy",
        "url": "https://northwind.example",
        "email": "badges@northwind.example",
        "description": "Training since 1999.",
    }


def test_issuer_without_a_profile_is_the_organization_by_name(client, organization):
    document = json.loads(
        client.get(reverse("credentials:issuer", args=[organization.pk]), **JSON).content
    )
    assert document["name"] == organization.name
    assert document["url"] == f"{SITE}/"


def test_badge_class_criteria_joins_the_achievement_criteria_and_the_administrators_text(
    client, organization
):
    lab = LabFactory(title="Deploy a VM")
    achievement = AchievementFactory(organization=organization, criteria_type="lab", lab=lab)
    badge = BadgeFactory(
        organization=organization,
        achievement=achievement,
        description="For deploying.",
        criteria_narrative="Also present your work to the class.",
    )

    document = json.loads(
        client.get(reverse("credentials:badge_class", args=[badge.pk]), **JSON).content
    )

    assert document["type"] == "BadgeClass"
    assert document["issuer"] == f"{SITE}/public/issuers/{organization.pk}"
    assert document["image"] == f"{SITE}/public/badges/{badge.pk}/image"
    assert document["criteria"]["id"] == f"{SITE}/public/badges/{badge.pk}/criteria"
    narrative = document["criteria"]["narrative"]
    assert "Complete the lab Deploy a VM." in narrative
    assert narrative.endswith("Also present your work to the class.")


def test_badge_image_is_served_publicly_even_without_an_upload(client, manual_badge):
    response = client.get(reverse("credentials:badge_image", args=[manual_badge.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_browser_gets_the_verification_page_at_the_assertion_url(client, issuance, student):
    response = _assertion(client, issuance, **BROWSER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert issuance.badge.name in page
    assert 'data-testid="verification-status"' in page
    assert "<strong>Valid</strong>" in page
    assert student.display_name not in page
    assert student.email not in page
    # The JSON stays one click away.
    assert f"/public/assertions/{issuance.uuid}?format=json" in page


def test_format_json_forces_the_document_in_a_browser(client, issuance):
    response = client.get(
        reverse("credentials:assertion", args=[issuance.uuid]), {"format": "json"}, **BROWSER
    )
    assert response["Content-Type"].startswith("application/ld+json")


def test_verification_page_says_expired_and_revoked(client, issuance, administrator):
    BadgeIssuance.objects.filter(pk=issuance.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert "<strong>Expired</strong>" in _assertion(client, issuance, **BROWSER).content.decode()

    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Cheated on the exam")
    page = _assertion(client, issuance, **BROWSER).content.decode()
    assert "<strong>Revoked</strong>" in page
    assert "Cheated on the exam" in page


def test_the_recipient_name_appears_only_if_the_student_chose_so(client, issuance, student):
    assert student.display_name not in _assertion(client, issuance, **BROWSER).content.decode()

    client.force_login(student)
    response = client.post(reverse("public_name"), {"show_name": "on"})
    assert response.status_code == 302
    client.logout()
    page = _assertion(client, issuance, **BROWSER).content.decode()
    assert 'data-testid="recipient-name"' in page
    assert student.display_name in page

    client.force_login(student)
    client.post(reverse("public_name"), {})
    client.logout()
    assert student.display_name not in _assertion(client, issuance, **BROWSER).content.decode()


def test_the_student_page_offers_share_linkedin_and_download_to_the_student_only(
    client, issuance, student, administrator
):
    client.force_login(student)
    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    assert 'data-testid="share-button"' in page
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f"certId={issuance.uuid}" in page
    assert reverse("credentials:baked_image", args=[issuance.uuid]) in page
    assert 'data-testid="public-name-form"' in page

    client.force_login(administrator)
    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    assert 'data-testid="share-button"' not in page
    assert 'data-testid="public-name-form"' not in page
    assert 'data-testid="verify-link"' in page


def test_administrator_edits_the_issuer_profile_on_the_organization_page(
    client, administrator, organization
):
    client.force_login(administrator)
    assert client.get(reverse("organization")).status_code == 200

    response = client.post(
        reverse("organization"),
        {
            "name": "Northwind Academy",
            "url": "https://northwind.example",
            "email": "",
            "description": "",
        },
    )

    assert response.status_code == 302
    profile = IssuerProfile.objects.get(organization=organization)
    assert (profile.name, profile.url) == ("Northwind Academy", "https://northwind.example")


def test_a_bad_issuer_profile_is_refused_and_changes_nothing(client, administrator, organization):
    client.force_login(administrator)
    response = client.post(
        reverse("organization"), {"name": "x" * 201, "url": "not a url", "email": "nope"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "url", "email"}
    assert not IssuerProfile.objects.exclude(name="").exists()


def test_a_revoked_badge_is_downloaded_no_more(client, issuance, administrator):
    url = reverse("credentials:baked_image", args=[issuance.uuid])
    assert client.get(url).status_code == 200
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Fraud")

    assert client.get(url).status_code == 410
    page = _assertion(client, issuance, **BROWSER).content.decode()
    assert 'data-testid="download-baked"' not in page


def test_on_the_students_own_page_a_badge_name_leads_to_its_public_page(client, issuance, student):
    client.force_login(student)
    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    assert f'href="{SITE}/public/assertions/{issuance.uuid}">{issuance.badge.name}</a>' in page
