"""The outbox is written with the issuances, set-based, by every path that issues (manual, batch,
the sweep, renewals) and by a revocation (Credly revoke): in the issuing statement on PostgreSQL,
the next one on SQLite."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_batch, badge_issue_many
from badges.services.revocation import badge_issuance_revoke
from deliveries.models import Delivery
from deliveries.services import outbox
from tests.achievements.scenarios import lab_scenario
from tests.deliveries.helpers import connect_credly, rows
from tests.factories import BadgeFactory, EnrollmentFactory, StudentFactory

E, C = Delivery.Channel.EMAIL, Delivery.Channel.CREDLY
ISSUE, REVOKE = Delivery.Action.ISSUE, Delivery.Action.REVOKE
S = Delivery.Status


def _sweep():
    run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    return run


def _extra_statements() -> int:
    """What the outbox adds to an issuing statement: nothing on PostgreSQL (a data-modifying
    CTE), one INSERT on SQLite."""
    return 0 if connection.vendor == "postgresql" else 1


def test_manual_issuance_writes_one_email_row(instructor, course_class, student, manual_badge):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])

    issuance = BadgeIssuance.objects.get()
    assert outcome.issued
    assert rows(issuance) == {(E, ISSUE): S.PENDING}


def test_batch_writes_rows_for_every_new_issuance_in_a_fixed_number_of_statements(
    instructor, course_class, organization, django_assert_max_num_queries
):
    badges = BadgeFactory.create_batch(3, organization=organization, manual_issuance_enabled=True)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(40)]
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)

    # The batch's own statements (test_batch_issue_takes_a_fixed_number_of_queries) and the
    # outbox's: none more on PostgreSQL, one on SQLite.
    with django_assert_max_num_queries(6 + _extra_statements()):
        outcome = badge_issue_batch(
            context=context,
            badge_ids=[b.pk for b in badges],
            student_ids=[s.pk for s in students],
        )

    assert sum(pair.issued for pair in outcome.pairs) == 120
    assert Delivery.objects.filter(channel=E, status=S.PENDING).count() == 120


def test_notify_off_and_the_students_opt_out_write_skipped_rows_with_the_reason(
    instructor, course_class, organization
):
    quiet = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, notify_recipients=False
    )
    loud = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    wants = EnrollmentFactory(course_class=course_class).student
    declines = EnrollmentFactory(course_class=course_class).student
    declines.receives_award_emails = False
    declines.save()
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)

    badge_issue_batch(
        context=context, badge_ids=[quiet.pk, loud.pk], student_ids=[wants.pk, declines.pk]
    )

    def row(badge, student):
        return Delivery.objects.get(issuance__badge=badge, issuance__recipient=student)

    assert row(loud, wants).status == S.PENDING
    assert (row(loud, declines).status, row(loud, declines).last_error) == (
        S.SKIPPED,
        outbox.OPTED_OUT,
    )
    assert (row(quiet, wants).status, row(quiet, wants).last_error) == (
        S.SKIPPED,
        outbox.NOTIFY_OFF,
    )


def test_a_credly_row_only_for_a_badge_with_a_template_in_an_organization_connected(
    instructor, course_class, organization, student
):
    connect_credly(organization, api_url="http://127.0.0.1:9")
    with_template = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, credly_template_id="tpl-1"
    )
    without = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    badge_issue_many(
        context=context, pairs=[(with_template.pk, student.pk), (without.pk, student.pk)]
    )

    assert rows(BadgeIssuance.objects.get(badge=with_template)) == {
        (E, ISSUE): S.PENDING,
        (C, ISSUE): S.PENDING,
    }
    assert rows(BadgeIssuance.objects.get(badge=without)) == {(E, ISSUE): S.PENDING}


def test_a_disabled_credly_connection_writes_no_credly_row(
    instructor, course_class, organization, student
):
    connect_credly(organization, api_url="http://127.0.0.1:9", enabled=False)
    badge = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, credly_template_id="t"
    )
    context = IssueContext.for_class(actor=instructor, course_class=course_class)

    badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])

    assert rows(BadgeIssuance.objects.get()) == {(E, ISSUE): S.PENDING}


def test_an_already_earned_pair_writes_nothing(instructor, course_class, student, manual_badge):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])
    Delivery.objects.update(status=S.SENT)

    [outcome] = badge_issue_many(context=context, pairs=[(manual_badge.pk, student.pk)])

    assert not outcome.issued
    assert Delivery.objects.get().status == S.SENT


def test_the_sweep_writes_rows_in_its_issuing_statement(organization):
    scenario = lab_scenario(organization)
    connect_credly(organization, api_url="http://127.0.0.1:9")
    Badge.objects.filter(pk=scenario.badge.pk).update(credly_template_id="tpl")

    _sweep()

    issuance = BadgeIssuance.objects.get(badge=scenario.badge)
    assert issuance.recipient_id == scenario.meets.pk
    assert rows(issuance) == {(E, ISSUE): S.PENDING, (C, ISSUE): S.PENDING}


def test_the_sweep_statement_count_rises_by_the_outbox_statements_only(organization):
    """The sweep's pins (tests/achievements/test_sweep.py) hold with the outbox on: the same
    count on PostgreSQL, one statement more per issuing evaluation on SQLite."""
    lab_scenario(organization)
    with CaptureQueriesContext(connection) as queries:
        run = _sweep()
    deliveries = [q["sql"] for q in queries if "deliveries_delivery" in q["sql"]]

    assert run.badges_issued == 1
    if connection.vendor == "postgresql":
        assert len(deliveries) == 1
        # The sweep's one statement: completions, issuances and the outbox rows together.
        assert deliveries[0].startswith("WITH recorded AS (INSERT INTO")
        assert "new AS (INSERT INTO badges_badgeissuance" in deliveries[0]
    else:
        assert len(deliveries) == 1


def test_the_retroactive_choice_writes_skipped_rows_for_completions_before_the_cut_off(
    organization,
):
    scenario = lab_scenario(organization)
    # The administrator mapped the badge and chose not to e-mail those who had already met it.
    Badge.objects.filter(pk=scenario.badge.pk).update(notify_completions_from=timezone.now())

    _sweep()

    row = Delivery.objects.get(issuance__recipient=scenario.meets)
    assert (row.status, row.last_error) == (S.SKIPPED, outbox.RETROACTIVE)


def test_a_completion_after_the_cut_off_is_emailed(organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(
        notify_completions_from=scenario.first_met_at - timedelta(days=1)
    )

    _sweep()

    assert Delivery.objects.get(issuance__recipient=scenario.meets).status == S.PENDING


def test_a_renewal_starts_the_email_row_again(instructor, course_class, student, organization):
    badge = BadgeFactory(
        organization=organization,
        manual_issuance_enabled=True,
        expiry=Badge.Expiry.AFTER,
        expiry_amount=1,
        expiry_unit=Badge.ExpiryUnit.DAYS,
    )
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])
    BadgeIssuance.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    Delivery.objects.update(status=S.SENT, attempts=1, sent_at=timezone.now())

    [outcome] = badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])

    row = Delivery.objects.get()
    assert outcome.renewed
    assert (row.status, row.attempts, row.sent_at) == (S.PENDING, 0, None)


def test_a_revocation_writes_a_credly_revoke_row_when_the_badge_went_to_credly(
    administrator, instructor, course_class, organization, student
):
    connect_credly(organization, api_url="http://127.0.0.1:9")
    badge = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, credly_template_id="t"
    )
    plain = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    badge_issue_many(context=context, pairs=[(badge.pk, student.pk), (plain.pk, student.pk)])
    Delivery.objects.filter(channel=C).update(status=S.ACCEPTED, external_id="cb-1")

    for issuance in BadgeIssuance.objects.select_related("badge"):
        badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Cheated")

    assert rows(BadgeIssuance.objects.get(badge=badge))[(C, REVOKE)] == S.PENDING
    assert (C, REVOKE) not in rows(BadgeIssuance.objects.get(badge=plain))


def test_rows_are_written_for_many_students_at_once(organization, instructor, course_class):
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(5)]
    StudentFactory(organization=organization)
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)

    badge_issue_batch(context=context, badge_ids=[badge.pk], student_ids=[s.pk for s in students])

    assert Delivery.objects.count() == 5
