"""Durable revocation (nothing issues a revoked badge again by itself; only Reinstate does) and
expiry with renewal in place (never a second row for the pair)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from achievements.models import AchievementCompletion, SweepRun
from achievements.services import achievement_update
from awarding.sweep.runs import sweep_run
from awarding.sweep.students import achievements_evaluate_students
from badges.models import Badge, BadgeIssuance, IssuanceEvent
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.profiles import badge_map_to_achievement
from badges.services.revocation import (
    AlreadyInThatState,
    badge_issuance_reinstate,
    badge_issuance_revoke,
)
from catalog.models import LabCompletion
from tests.achievements.scenarios import lab_scenario
from tests.factories import BadgeFactory, LabCompletionFactory, UserFactory

pytestmark = pytest.mark.django_db


def sweep() -> SweepRun:
    run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    return run


def rows(badge, student) -> list[BadgeIssuance]:
    return list(BadgeIssuance.objects.filter(badge=badge, recipient=student))


@pytest.fixture
def automatic(organization, administrator):
    """A lab achievement met by a student, its badge issued by a sweep, then revoked."""
    scenario = lab_scenario(organization)
    sweep()
    (issuance,) = rows(scenario.badge, scenario.meets)
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Shared the answers")
    return scenario


# Revocation --------------------------------------------------------------------------------


def test_a_revoked_automatic_badge_is_not_reissued_by_the_re_evaluation(automatic):
    LabCompletionFactory(student=automatic.meets, lab=automatic.achievement.lab)

    achievements_evaluate_students(student_ids=[automatic.meets.pk])

    (issuance,) = rows(automatic.badge, automatic.meets)
    assert issuance.is_revoked


def test_a_revoked_automatic_badge_is_not_reissued_by_the_sweep(automatic):
    LabCompletionFactory(student=automatic.meets, lab=automatic.achievement.lab)
    sweep()
    (issuance,) = rows(automatic.badge, automatic.meets)
    assert issuance.is_revoked


def test_nor_by_a_change_of_the_criteria_or_the_mapping(automatic, administrator, organization):
    achievement = automatic.achievement
    achievement.description = "Changed"
    achievement.lab = automatic.achievement.lab
    achievement_update(achievement=achievement)
    run = sweep()
    assert run.achievements_evaluated_in_full == 1
    assert rows(automatic.badge, automatic.meets)[0].is_revoked

    badge_map_to_achievement(actor=administrator, badge=automatic.badge, achievement=None)
    badge_map_to_achievement(actor=administrator, badge=automatic.badge, achievement=achievement)
    sweep()
    (issuance,) = rows(automatic.badge, automatic.meets)
    assert issuance.is_revoked


def test_reinstate_gives_it_back_once_with_a_recorded_reason(automatic, administrator):
    (issuance,) = rows(automatic.badge, automatic.meets)

    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Appeal upheld")

    (issuance,) = rows(automatic.badge, automatic.meets)
    assert issuance.is_valid
    assert [(e.kind, e.reason) for e in issuance.events.order_by("at", "pk")] == [
        (IssuanceEvent.Kind.REVOKED, "Shared the answers"),
        (IssuanceEvent.Kind.REINSTATED, "Appeal upheld"),
    ]
    with pytest.raises(AlreadyInThatState):
        badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Again")
    assert IssuanceEvent.objects.filter(kind=IssuanceEvent.Kind.REINSTATED).count() == 1


def test_reinstate_needs_a_reason_and_an_administrator(automatic, administrator, instructor):
    from django.core.exceptions import PermissionDenied, ValidationError

    (issuance,) = rows(automatic.badge, automatic.meets)
    with pytest.raises(ValidationError):
        badge_issuance_reinstate(actor=administrator, issuance=issuance, reason=" ")
    with pytest.raises(PermissionDenied):
        badge_issuance_reinstate(actor=instructor, issuance=issuance, reason="Please")
    assert rows(automatic.badge, automatic.meets)[0].is_revoked


def test_the_reinstate_button_is_on_the_student_page(client, automatic, administrator):
    client.force_login(administrator)
    (issuance,) = rows(automatic.badge, automatic.meets)
    page = client.get(reverse("badges:student", args=[automatic.meets.pk])).content.decode()
    assert reverse("badges:reinstate", args=[issuance.pk]) in page
    assert "Shared the answers" in page

    response = client.post(
        reverse("badges:reinstate", args=[issuance.pk]), {"reason": "Appeal upheld"}
    )

    assert response.status_code == 302
    assert rows(automatic.badge, automatic.meets)[0].is_valid


def test_a_revoked_badge_no_longer_counts_as_held(client, automatic, administrator):
    client.force_login(administrator)
    page = client.get(reverse("badges:list")).context["badges"]
    assert {badge.pk: badge.holder_count for badge in page}[automatic.badge.pk] == 0


def test_find_issued_badges_filters_by_status(client, automatic, administrator, manual_badge):
    valid = badge_issue_many(
        context=IssueContext.for_admin(actor=UserFactory(is_staff=True, organization=None)),
        pairs=[(manual_badge.pk, automatic.meets.pk)],
    )
    assert valid[0].issued
    client.force_login(administrator)

    def shown(status):
        response = client.get(reverse("badges:issued"), {"status": status})
        return {issuance.badge_id for issuance in response.context["issuances"]}

    assert shown("revoked") == {automatic.badge.pk}
    assert shown("valid") == {manual_badge.pk}
    assert shown("expired") == set()
    assert shown("") == {automatic.badge.pk, manual_badge.pk}


# Expiry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "issued", "expected"),
    [
        ({}, datetime(2026, 1, 31, 9, tzinfo=UTC), None),
        (
            {"expiry": "after", "expiry_amount": 10, "expiry_unit": "days"},
            datetime(2026, 1, 31, 9, tzinfo=UTC),
            datetime(2026, 2, 10, 9, tzinfo=UTC),
        ),
        (
            {"expiry": "after", "expiry_amount": 1, "expiry_unit": "months"},
            datetime(2026, 1, 31, 9, tzinfo=UTC),
            datetime(2026, 2, 28, 9, tzinfo=UTC),
        ),
        (
            {"expiry": "after", "expiry_amount": 2, "expiry_unit": "years"},
            datetime(2024, 2, 29, 9, tzinfo=UTC),
            datetime(2026, 2, 28, 9, tzinfo=UTC),
        ),
    ],
    ids=["never", "days", "months-end-of-month", "years-leap-day"],
)
def test_when_a_badge_expires(expiry, issued, expected):
    assert Badge(name="x", **expiry).expiry_for(issued) == expected


def test_a_fixed_date_expires_at_its_start_in_the_portal_time_zone():
    badge = Badge(name="x", expiry="on_date", expires_on=date(2027, 6, 30))
    expires = badge.expiry_for(timezone.now())
    assert timezone.localtime(expires).date() == date(2027, 6, 30)
    assert timezone.localtime(expires).hour == 0


@pytest.fixture
def expiring_badge(organization):
    return BadgeFactory(
        organization=organization,
        manual_issuance_enabled=True,
        expiry="after",
        expiry_amount=30,
        expiry_unit="days",
    )


def admin_issue(badge, student):
    (outcome,) = badge_issue_many(
        context=IssueContext.for_admin(actor=UserFactory(is_staff=True, organization=None)),
        pairs=[(badge.pk, student.pk)],
    )
    return outcome


def test_a_badge_issued_by_hand_gets_its_expiry_and_expires_on_time(expiring_badge, student):
    before = timezone.now()
    assert admin_issue(expiring_badge, student).issued
    (issuance,) = rows(expiring_badge, student)

    assert before + timedelta(days=30) <= issuance.expires_at <= timezone.now() + timedelta(days=30)
    assert issuance.status == BadgeIssuance.Status.VALID
    BadgeIssuance.objects.filter(pk=issuance.pk).update(expires_at=timezone.now())
    issuance.refresh_from_db()
    assert issuance.status == BadgeIssuance.Status.EXPIRED


def test_issuing_an_expired_badge_again_renews_the_same_row(expiring_badge, student):
    admin_issue(expiring_badge, student)
    (first,) = rows(expiring_badge, student)
    long_ago = timezone.now() - timedelta(days=60)
    BadgeIssuance.objects.filter(pk=first.pk).update(
        issued_at=long_ago, expires_at=long_ago + timedelta(days=30)
    )

    outcome = admin_issue(expiring_badge, student)

    assert outcome.issued
    assert outcome.renewed
    (renewed,) = rows(expiring_badge, student)
    assert renewed.pk == first.pk
    assert renewed.uuid == first.uuid
    assert renewed.is_valid
    assert renewed.issued_at > long_ago + timedelta(days=59)
    (event,) = renewed.events.all()
    assert event.kind == IssuanceEvent.Kind.RENEWED
    assert event.period_issued_at == long_ago
    assert event.period_expires_at == long_ago + timedelta(days=30)
    # A valid one is not renewed: already earned.
    again = admin_issue(expiring_badge, student)
    assert not again.issued
    assert again.reason.startswith("already earned on")


def test_an_expired_revoked_badge_is_not_renewed(expiring_badge, student, administrator):
    admin_issue(expiring_badge, student)
    (issuance,) = rows(expiring_badge, student)
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Fraud")
    BadgeIssuance.objects.filter(pk=issuance.pk).update(expires_at=timezone.now())

    outcome = admin_issue(expiring_badge, student)

    assert not outcome.issued
    assert outcome.reason.startswith("revoked on ")
    assert outcome.reason.endswith(": Fraud")


@pytest.fixture
def expired_automatic(organization):
    """A lab achievement whose badge expires after 30 days; the student's badge has expired."""
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(
        expiry="after", expiry_amount=30, expiry_unit="days"
    )
    # Recorded long ago, as they would be: only a record made after the expiry renews.
    LabCompletion.objects.update(recorded_at=timezone.now() - timedelta(days=45))
    sweep()
    (issuance,) = rows(scenario.badge, scenario.meets)
    assert issuance.expires_at is not None
    BadgeIssuance.objects.filter(pk=issuance.pk).update(
        issued_at=timezone.now() - timedelta(days=40),
        expires_at=timezone.now() - timedelta(days=10),
    )
    return scenario


def test_meeting_the_achievement_again_after_expiry_renews_the_badge(expired_automatic):
    scenario = expired_automatic
    LabCompletionFactory(student=scenario.meets, lab=scenario.achievement.lab)

    achievements_evaluate_students(student_ids=[scenario.meets.pk])

    (issuance,) = rows(scenario.badge, scenario.meets)
    assert issuance.is_valid
    assert issuance.issued_at > timezone.now() - timedelta(minutes=1)
    assert issuance.events.get().kind == IssuanceEvent.Kind.RENEWED
    assert AchievementCompletion.objects.filter(student=scenario.meets).count() == 1


def test_the_sweep_renews_from_the_records_made_since_it_last_looked(expired_automatic):
    scenario = expired_automatic
    sweep()  # nothing new: still expired
    assert rows(scenario.badge, scenario.meets)[0].is_expired

    LabCompletionFactory(student=scenario.meets, lab=scenario.achievement.lab)
    sweep()

    assert rows(scenario.badge, scenario.meets)[0].is_valid


def test_an_unrelated_record_renews_nothing(expired_automatic, organization):
    scenario = expired_automatic
    LabCompletionFactory(student=scenario.meets)  # another lab

    achievements_evaluate_students(student_ids=[scenario.meets.pk])
    sweep()

    assert rows(scenario.badge, scenario.meets)[0].is_expired


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_renewals_of_one_pair_make_one(expiring_badge, student):
    admin_issue(expiring_badge, student)
    (issuance,) = rows(expiring_badge, student)
    BadgeIssuance.objects.filter(pk=issuance.pk).update(expires_at=timezone.now())
    barrier = threading.Barrier(6)
    outcomes = []

    def renew():
        try:
            barrier.wait()
            outcomes.append(admin_issue(expiring_badge, student))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=renew) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcome.issued for outcome in outcomes) == 1
    assert len(rows(expiring_badge, student)) == 1
    assert IssuanceEvent.objects.filter(kind=IssuanceEvent.Kind.RENEWED).count() == 1


def test_a_badge_past_its_fixed_expiry_date_is_issued_no_more(organization, student):
    badge = BadgeFactory(
        organization=organization,
        manual_issuance_enabled=True,
        expiry="on_date",
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    outcome = admin_issue(badge, student)
    assert not outcome.issued
    assert outcome.reason.startswith("badge expired on ")
    assert rows(badge, student) == []


def test_the_sweep_issues_no_badge_past_its_fixed_expiry_date(organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(
        expiry="on_date", expires_on=timezone.localdate() - timedelta(days=1)
    )
    sweep()
    assert rows(scenario.badge, scenario.meets) == []


def test_the_roster_leaves_out_revoked_badges_and_marks_expired_ones(
    client, instructor, course_class, student, manual_badge, expiring_badge, administrator
):
    revoked = BadgeIssuance.objects.create(
        badge=manual_badge, recipient=student, method="manual", source="roster"
    )
    badge_issuance_revoke(actor=administrator, issuance=revoked, reason="Mistake")
    BadgeIssuance.objects.create(
        badge=expiring_badge,
        recipient=student,
        method="manual",
        source="roster",
        expires_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(instructor)

    page = client.get(reverse("classes:roster", args=[course_class.pk])).content.decode()

    earned = page.split('data-testid="earned-badges"')[1].split("</td>")[0]
    assert manual_badge.name not in earned
    assert f"{expiring_badge.name} <span" in earned
    assert "(expired)" in earned
