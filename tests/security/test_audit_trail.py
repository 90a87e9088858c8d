"""The audit trail: every issuance, revocation and badge change says who, when, what and from
where, and nothing in the portal or the administration site edits it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from awarding.sweep.runs import sweep_run
from awarding.sweep.students import achievements_evaluate_students
from badges.models import BadgeChange, BadgeIssuance, IssuanceEvent
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.revocation import badge_issuance_revoke
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    LabCompletionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(organization=None, is_staff=True, is_superuser=True, username="platform")


@pytest.fixture
def issuance(manual_badge, student, administrator):
    return BadgeIssuanceFactory(badge=manual_badge, recipient=student, issued_by=administrator)


def test_admin_issuance_records_who_and_from_where(client, staff, manual_badge, student):
    client.force_login(staff)
    response = client.post(
        reverse("admin:badges_badgeissuance_add"),
        {"badge": manual_badge.pk, "recipients": [student.pk]},
    )
    assert response.status_code == 302
    issuance = BadgeIssuance.objects.get(badge=manual_badge, recipient=student)
    assert issuance.issued_by == staff
    assert issuance.source == BadgeIssuance.Source.ADMIN
    assert issuance.origin == "POST /admin/badges/badgeissuance/add/ from 127.0.0.1"


def test_service_call_outside_a_request_names_its_source(staff, manual_badge, student):
    badge_issue_many(
        context=IssueContext.for_admin(actor=staff), pairs=[(manual_badge.pk, student.pk)]
    )
    assert BadgeIssuance.objects.get().origin == "admin"


def test_sweep_and_reevaluation_issuances_say_so(organization, student):
    achievement = AchievementFactory(organization=organization)
    badge = BadgeFactory(organization=organization, achievement=achievement)
    LabCompletionFactory(student=student, lab=achievement.lab)
    sweep_run()
    assert BadgeIssuance.objects.get(badge=badge).origin == "sweep"

    other = BadgeFactory(organization=organization, achievement=achievement, name="Second")
    BadgeIssuance.objects.filter(badge=badge).delete()
    achievements_evaluate_students(student_ids=[student.pk])
    assert set(BadgeIssuance.objects.values_list("badge_id", "origin")) == {
        (badge.pk, "re-evaluation"),
        (other.pk, "re-evaluation"),
    }


def test_badge_change_records_who_when_and_from_where(client, administrator, manual_badge):
    client.force_login(administrator)
    response = client.post(
        reverse("badges:edit", args=[manual_badge.pk]),
        {"name": "Renamed", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    change = BadgeChange.objects.get(badge=manual_badge, action=BadgeChange.Action.UPDATED)
    assert change.actor == administrator
    assert change.origin == f"POST /badges/{manual_badge.pk}/edit/ from 127.0.0.1"
    assert {"field": "Name", "old": "Star Participant", "new": "Renamed"} in change.changes


def test_administrator_revokes_with_reason_and_the_revocation_is_recorded(
    client, administrator, issuance, student
):
    client.force_login(administrator)
    page = client.get(reverse("badges:student", args=[student.pk]))
    assert reverse("badges:revoke", args=[issuance.pk]) in page.content.decode()

    response = client.post(
        reverse("badges:revoke", args=[issuance.pk]),
        {"reason": "Issued to the wrong student"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302
    assert response.url == reverse("badges:student", args=[student.pk])
    # The issuance stays, marked revoked: its facts are kept where they were.
    revoked = BadgeIssuance.objects.get(pk=issuance.pk)
    assert revoked.status == BadgeIssuance.Status.REVOKED
    assert revoked.issued_at == issuance.issued_at
    assert revoked.issued_by == administrator
    assert revoked.method == BadgeIssuance.Method.MANUAL
    assert revoked.revoked_by == administrator
    assert revoked.revocation_reason == "Issued to the wrong student"
    origin = f"POST /badges/issued/{issuance.pk}/revoke/ from 198.51.100.4"
    assert revoked.revoked_from == origin
    event = IssuanceEvent.objects.get()
    assert (event.kind, event.actor, event.reason, event.origin) == (
        IssuanceEvent.Kind.REVOKED,
        administrator,
        "Issued to the wrong student",
        origin,
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [f"Badge “Star Participant” revoked from {student.display_name}."]

    # Nothing issues a revoked badge again, not even a manual issuance: it says why.
    outcomes = badge_issue_many(
        context=IssueContext.for_admin(actor=UserFactory(is_staff=True, organization=None)),
        pairs=[(issuance.badge_id, student.pk)],
    )
    assert not outcomes[0].issued
    when = date_format(timezone.localtime(revoked.revoked_at), "j F Y")
    assert outcomes[0].reason == f"revoked on {when}: Issued to the wrong student"
    assert BadgeIssuance.objects.filter(badge=issuance.badge, recipient=student).count() == 1


def test_revoking_twice_says_it_is_done_already(client, administrator, issuance):
    client.force_login(administrator)
    url = reverse("badges:revoke", args=[issuance.pk])
    client.post(url, {"reason": "Duplicate"})
    response = client.post(url, {"reason": "Duplicate"})
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages][-1] == (
        "This badge was revoked already."
    )
    assert IssuanceEvent.objects.count() == 1


def test_a_revocation_needs_a_reason(client, administrator, issuance):
    client.force_login(administrator)
    response = client.post(reverse("badges:revoke", args=[issuance.pk]), {"reason": "   "})
    assert response.status_code == 302
    assert BadgeIssuance.objects.get(pk=issuance.pk).is_valid
    assert not IssuanceEvent.objects.exists()
    assert [str(m) for m in response.wsgi_request._messages] == ["Say why the badge is revoked."]


@pytest.mark.parametrize("reason", ["x" * 501, "a\x00b"], ids=["too-long", "null-character"])
def test_a_reason_the_database_cannot_take_is_refused(administrator, issuance, reason):
    """Found by the hostile-input test: a NUL in the reason was a 500 on PostgreSQL."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        badge_issuance_revoke(actor=administrator, issuance=issuance, reason=reason)
    assert BadgeIssuance.objects.get(pk=issuance.pk).is_valid


@pytest.mark.parametrize("who", ["instructor", "contractor"])
def test_instructors_see_the_issuance_but_may_not_revoke_it(client, request, who, issuance):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("badges:student", args=[issuance.recipient_id]))
    assert page.status_code == 200
    assert "revoke-form" not in page.content.decode()
    response = client.post(reverse("badges:revoke", args=[issuance.pk]), {"reason": "No"})
    assert response.status_code == 403
    assert BadgeIssuance.objects.get(pk=issuance.pk).is_valid
    assert not IssuanceEvent.objects.exists()


def test_administrator_of_another_organization_gets_a_404(client, other_organization, issuance):
    client.force_login(AdministratorFactory(organization=other_organization))
    response = client.post(reverse("badges:revoke", args=[issuance.pk]), {"reason": "No"})
    assert response.status_code == 404
    assert BadgeIssuance.objects.filter(pk=issuance.pk).exists()


def test_student_may_not_revoke_their_own_badge(client, student, issuance):
    client.force_login(student)
    response = client.post(reverse("badges:revoke", args=[issuance.pk]), {"reason": "No"})
    assert response.status_code == 404
    assert BadgeIssuance.objects.filter(pk=issuance.pk).exists()


def test_revocation_is_post_only(client, administrator, issuance):
    client.force_login(administrator)
    assert client.get(reverse("badges:revoke", args=[issuance.pk])).status_code == 405


@pytest.mark.parametrize("model_name", ["badgeissuance", "badgechange", "issuanceevent"], ids=str)
def test_the_administration_site_cannot_edit_or_delete_the_trail(
    client, staff, administrator, issuance, manual_badge, model_name
):
    badge_issuance_revoke(
        actor=administrator,
        issuance=BadgeIssuanceFactory(badge=manual_badge),
        reason="Test",
    )
    BadgeChange.objects.create(
        badge=manual_badge, organization=manual_badge.organization, badge_name="x", action="created"
    )
    model = {
        "badgeissuance": BadgeIssuance,
        "badgechange": BadgeChange,
        "issuanceevent": IssuanceEvent,
    }[model_name]
    record = model.objects.first()
    client.force_login(staff)
    change_url = reverse(f"admin:badges_{model_name}_change", args=[record.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    before = model.objects.filter(pk=record.pk).values().get()
    client.post(change_url, {"reason": "edited", "badge_name": "edited", "origin": "edited"})
    assert (
        client.post(
            reverse(f"admin:badges_{model_name}_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    changelist = reverse(f"admin:badges_{model_name}_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [record.pk]})
    assert model.objects.filter(pk=record.pk).values().get() == before
    if model is not BadgeIssuance:
        assert client.get(reverse(f"admin:badges_{model_name}_add")).status_code == 403
