import threading
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from badges.models import BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from tests.deliveries.helpers import outbox_statements
from tests.factories import (
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)


def test_instructor_issues_one_badge_from_roster(instructor, course_class, student, manual_badge):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])

    assert outcome.issued
    assert outcome.reason == ""
    issuance = BadgeIssuance.objects.get()
    assert (issuance.badge, issuance.recipient, issuance.issued_by) == (
        manual_badge,
        student,
        instructor,
    )
    assert issuance.method == BadgeIssuance.Method.MANUAL
    assert issuance.source == BadgeIssuance.Source.ROSTER
    assert issuance.source_class == course_class


def test_second_issue_reports_already_earned_with_date(
    instructor, course_class, student, manual_badge
):
    BadgeIssuanceFactory(
        badge=manual_badge,
        recipient=student,
        issued_at=datetime(2026, 3, 12, 10, 0, tzinfo=timezone.get_fixed_timezone(0)),
    )
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])

    assert not outcome.issued
    assert outcome.reason == "already earned on 12 March 2026"
    assert BadgeIssuance.objects.count() == 1


@pytest.mark.parametrize(
    ("badge_kwargs", "reason"),
    [
        ({"manual_issuance_enabled": False}, "badge is not enabled for manual issuance"),
        ({"is_active": False}, "badge is archived"),
        ({"other_org": True}, "badge belongs to another organization"),
    ],
)
def test_badge_rules_refuse_and_write_nothing(
    instructor, course_class, student, other_organization, badge_kwargs, reason
):
    organization = (
        other_organization if badge_kwargs.pop("other_org", False) else course_class.organization
    )
    badge = BadgeFactory(organization=organization, **badge_kwargs)
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    [outcome] = badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])

    assert (outcome.issued, outcome.reason) == (False, reason)
    assert not BadgeIssuance.objects.exists()


def test_unknown_ids_are_reported_not_raised(instructor, course_class, student, manual_badge):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    outcomes = badge_issue_many(
        context=context, pairs=[(999_999, student.pk), (manual_badge.pk, 999_999)]
    )

    assert [o.reason for o in outcomes] == ["badge does not exist", "student does not exist"]
    assert not BadgeIssuance.objects.exists()


def test_student_not_on_roster_is_refused(instructor, course_class, manual_badge, organization):
    outsider = StudentFactory(organization=organization)
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, outsider.pk)])

    assert outcome.reason == "student is not enrolled in this class or not visible to you"
    assert not BadgeIssuance.objects.exists()


def test_organization_instructor_cannot_issue_to_student_of_another_organization(
    instructor, course_class, foreign_student, manual_badge
):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, foreign_student.pk)])

    assert not outcome.issued
    assert not BadgeIssuance.objects.exists()


def test_contract_instructor_issues_to_student_of_another_organization(
    contractor, course_class, foreign_student, manual_badge
):
    context = IssueContext.for_class(actor=contractor, course_class=course_class)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, foreign_student.pk)])

    assert outcome.issued


def test_instructor_of_another_class_may_not_issue(course_class, organization):
    stranger = InstructorFactory(organization=organization)

    with pytest.raises(PermissionDenied):
        IssueContext.for_class(actor=stranger, course_class=course_class)


def test_administrator_issues_from_course_assignment(administrator, organization, manual_badge):
    assignment = CourseAssignmentFactory(organization=organization)
    context = IssueContext.for_assignment(actor=administrator, course_assignment=assignment)

    outcomes = badge_issue_many(
        context=context,
        pairs=[(manual_badge.pk, assignment.student.pk), (manual_badge.pk, administrator.pk)],
    )

    assert [o.issued for o in outcomes] == [True, False]
    issuance = BadgeIssuance.objects.get()
    assert issuance.source == BadgeIssuance.Source.COURSE_ASSIGNMENT
    assert issuance.source_assignment == assignment


def test_administrator_of_another_organization_may_not_issue_from_assignment(
    other_organization, organization
):
    from tests.factories import AdministratorFactory

    assignment = CourseAssignmentFactory(organization=organization)
    outsider = AdministratorFactory(organization=other_organization)

    with pytest.raises(PermissionDenied):
        IssueContext.for_assignment(actor=outsider, course_assignment=assignment)


def test_duplicate_pairs_in_one_request_are_reported_once(
    instructor, course_class, student, manual_badge
):
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)

    outcomes = badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)] * 3)

    assert len(outcomes) == 1
    assert BadgeIssuance.objects.count() == 1


@pytest.mark.parametrize("student_count", [2, 150])
def test_batch_issue_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries, instructor, course_class, organization, student_count
):
    badges = BadgeFactory.create_batch(4, organization=organization)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(student_count)]
    BadgeIssuanceFactory(badge=badges[0], recipient=students[0])
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)
    pairs = [(b.pk, s.pk) for b in badges for s in students]

    # Badges, students (with whether each is on the roster as the instructor sees it), savepoint,
    # insert, release, already-earned dates; on SQLite the deliveries' outbox INSERT.
    with django_assert_max_num_queries(6 + outbox_statements()):
        outcomes = badge_issue_many(context=context, pairs=pairs)

    assert sum(o.issued for o in outcomes) == len(pairs) - 1
    assert BadgeIssuance.objects.count() == len(pairs)


@pytest.mark.postgres
def test_database_refuses_second_issuance_of_same_badge(manual_badge, student):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)

    with pytest.raises(IntegrityError), transaction.atomic():
        BadgeIssuance.objects.create(
            badge=manual_badge, recipient=student, method="manual", source="admin"
        )
    assert BadgeIssuance.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issuers_of_same_pair_get_one_row(
    instructor, course_class, student, manual_badge
):
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def issue():
        try:
            context = IssueContext.for_class(actor=instructor, course_class=course_class)
            barrier.wait(timeout=10)
            outcomes.extend(
                badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])
            )
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(o.issued for o in outcomes) == [False, True]
    assert [o.reason for o in outcomes if not o.issued][0].startswith("already earned on ")
    assert BadgeIssuance.objects.filter(badge=manual_badge, recipient=student).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_concurrent_batches_issue_each_pair_once(
    instructor, course_class, organization
):
    badges = BadgeFactory.create_batch(3, organization=organization)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(40)]
    pairs = [(b.pk, s.pk) for b in badges for s in students]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def issue(chunk):
        try:
            context = IssueContext.for_class(
                actor=instructor, course_class=course_class, batch=True
            )
            barrier.wait(timeout=10)
            results.extend(badge_issue_many(context=context, pairs=chunk))
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    chunks = [pairs, pairs[::-1], pairs[: len(pairs) // 2], pairs[len(pairs) // 3 :]]
    threads = [threading.Thread(target=issue, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert BadgeIssuance.objects.count() == len(pairs)
    assert sum(o.issued for o in results) == len(pairs)
    refused = [o for o in results if not o.issued]
    assert len(refused) == sum(len(c) for c in chunks) - len(pairs)
    assert all(o.reason.startswith("already earned on ") for o in refused)
