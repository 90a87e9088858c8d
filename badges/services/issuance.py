"""Issuing badges. `badge_issue_many` is the one way a badge is issued by hand (Choose Badge, course
assignments, the admin, the demo data; Issue Badges through `badge_issue_batch`, which checks the
ids before pairing them); the sweep uses
`badge_issue_for_achievements`. Both insert and let the unique constraint on (badge, recipient)
decide, so concurrent callers never produce two rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import STUDENT
from achievements.models import AchievementCompletion
from badges.audit import current_origin
from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext, Recipients
from badges.services.outcomes import (
    BatchOutcome,
    IssueOutcome,
    Refusal,
    RefusedChoice,
    already_earned_reason,
)
from common.sql import db_datetime, in_list

# SQLite allows 32,766 bound variables per statement; two per pair leaves room for the constants.
_SQLITE_PAIRS_PER_STATEMENT = 10_000


def _badge_refusal(*, context: IssueContext, badge: Badge | None) -> str | None:
    if badge is None:
        return Refusal.NO_BADGE
    if context.organization_id is not None and badge.organization_id != context.organization_id:
        return Refusal.OTHER_ORGANIZATION
    if not badge.is_active:
        return Refusal.ARCHIVED
    if context.require_manual_enabled and not badge.manual_issuance_enabled:
        return Refusal.NOT_MANUAL
    return None


def _student_refusal(
    *, context: IssueContext, student: User | None, issuable: set[int]
) -> str | None:
    if student is None:
        return Refusal.NO_STUDENT
    if student.pk not in issuable:
        if context.course_assignment is not None:
            return Refusal.NOT_ASSIGNMENT_STUDENT
        return Refusal.NOT_ON_ROSTER
    if not student.is_student:
        return Refusal.NOT_A_STUDENT
    return None


def _insert_pairs(*, pairs: list[tuple[int, int]], context: IssueContext) -> set[tuple[int, int]]:
    """Insert the pairs, skipping those the constraint refuses; return the pairs actually written.

    Pairs are sorted so that two overlapping batches take row locks in the same order and cannot
    deadlock each other.
    """
    if not pairs:
        return set()
    pairs = sorted(set(pairs))
    table = BadgeIssuance._meta.db_table
    constants = [
        timezone.now(),
        context.method,
        context.source,
        context.actor.pk if context.actor else None,
        context.course_class.pk if context.course_class else None,
        context.course_assignment.pk if context.course_assignment else None,
        current_origin(default=context.source),
    ]
    # A manual issuance has no source achievement: the sweep's insert is the one that sets it.
    columns = (
        "badge_id, recipient_id, issued_at, method, source, issued_by_id, "
        "source_class_id, source_assignment_id, origin"
    )
    written: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "SELECT p.badge_id, p.recipient_id, %s, %s, %s, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS p(badge_id, recipient_id) "
                "ON CONFLICT (badge_id, recipient_id) DO NOTHING "
                "RETURNING badge_id, recipient_id",
                [*constants, [b for b, _ in pairs], [s for _, s in pairs]],
            )
            written.update(cursor.fetchall())
        else:
            for start in range(0, len(pairs), _SQLITE_PAIRS_PER_STATEMENT):
                chunk = pairs[start : start + _SQLITE_PAIRS_PER_STATEMENT]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "
                    "SELECT p.column1, p.column2, %s, %s, %s, %s, %s, %s, %s "
                    f"FROM (VALUES {values}) AS p WHERE true "
                    "ON CONFLICT (badge_id, recipient_id) DO NOTHING "
                    "RETURNING badge_id, recipient_id",
                    [*constants, *(value for pair in chunk for value in pair)],
                )
                written.update(cursor.fetchall())
    return written


def badge_issue_many(
    *, context: IssueContext, pairs: Iterable[tuple[int, int]]
) -> list[IssueOutcome]:
    """Issue each (badge id, student id) pair and say, for every pair, what happened.

    A pair is refused with a reason a person can read when a rule of the context forbids it, or
    when the student already holds the badge ("already earned on 12 March 2026"); only students
    receive badges. The work takes a fixed number of statements whatever the number of pairs.
    Duplicate pairs in the input are reported once.
    """
    requested = list(dict.fromkeys((int(b), int(s)) for b, s in pairs))
    if not requested:
        return []
    badges = Badge.objects.in_bulk({b for b, _ in requested})
    recipients = context.recipients(student_ids={s for _, s in requested})
    return _issue(context=context, requested=requested, badges=badges, recipients=recipients)


def badge_issue_batch(
    *, context: IssueContext, badge_ids: Iterable[int], student_ids: Iterable[int]
) -> BatchOutcome:
    """Issue every badge to every student (Issue Badges), checking the ids before pairing them.

    A badge or a student that is refused whatever it is paired with (an unknown id, another
    organization's badge, a student not on the roster) is reported once, not once per pair: only
    the badges and students that may be issued here are paired, so the work and the outcomes grow
    with what in the request is valid, never with the product of what it asked for."""
    badge_ids = list(dict.fromkeys(badge_ids))
    student_ids = list(dict.fromkeys(student_ids))
    badges = Badge.objects.in_bulk(badge_ids) if badge_ids else {}
    refused: list[RefusedChoice] = []
    valid_badges = []
    for pk in badge_ids:
        reason = _badge_refusal(context=context, badge=badges.get(pk))
        if reason:
            refused.append(RefusedChoice(kind="badge", pk=pk, reason=reason, badge=badges.get(pk)))
        else:
            valid_badges.append(pk)
    if not (valid_badges and student_ids):
        return BatchOutcome(
            pairs=[],
            refused=refused,
            valid_badge_ids=valid_badges,
            chosen_student_ids=student_ids,
            badges=badges,
        )
    recipients = context.recipients(student_ids=set(student_ids))
    valid_students = []
    for pk in student_ids:
        student = recipients.found.get(pk)
        reason = _student_refusal(context=context, student=student, issuable=recipients.issuable)
        if reason:
            refused.append(RefusedChoice(kind="student", pk=pk, reason=reason, student=student))
        else:
            valid_students.append(pk)
    requested = [(b, s) for s in valid_students for b in valid_badges]
    return BatchOutcome(
        pairs=_issue(context=context, requested=requested, badges=badges, recipients=recipients),
        refused=refused,
        valid_badge_ids=valid_badges,
        chosen_student_ids=student_ids,
        badges=badges,
    )


def _issue(
    *,
    context: IssueContext,
    requested: list[tuple[int, int]],
    badges: dict[int, Badge],
    recipients: Recipients,
) -> list[IssueOutcome]:
    students = recipients.found
    refusals: dict[tuple[int, int], str] = {}
    for pair in requested:
        reason = _badge_refusal(context=context, badge=badges.get(pair[0])) or _student_refusal(
            context=context, student=students.get(pair[1]), issuable=recipients.issuable
        )
        if reason:
            refusals[pair] = reason
    insertable = [pair for pair in requested if pair not in refusals]

    with transaction.atomic():
        written = _insert_pairs(pairs=insertable, context=context)
    conflicts = [pair for pair in insertable if pair not in written]
    if conflicts:
        existing = {
            (b, s): issued_at
            for b, s, issued_at in BadgeIssuance.objects.filter(
                badge_id__in={b for b, _ in conflicts},
                recipient_id__in={s for _, s in conflicts},
            ).values_list("badge_id", "recipient_id", "issued_at")
        }
        for pair in conflicts:
            refusals[pair] = already_earned_reason(existing.get(pair))

    return [
        IssueOutcome(
            badge_id=b,
            student_id=s,
            issued=(b, s) in written,
            reason=refusals.get((b, s), ""),
            badge=badges.get(b),
            student=students.get(s),
        )
        for b, s in requested
    ]


def badge_issue_for_achievements(
    *,
    achievement_ids: Iterable[int],
    completed_since: datetime | None = None,
    student_ids: Iterable[int] | None = None,
) -> int:
    """Issue, in one statement, every active badge mapped to these achievements to every student
    who has completed the achievement and does not hold the badge yet (only students: anyone
    else's completions earn no badge). Method automatic, source
    the achievement. Returns the number issued.

    `completed_since` narrows to the completions recorded since then (the ones a sweep has just
    written), `student_ids` to those students. Rows are inserted in (badge, recipient) order, the
    order `badge_issue_many` uses, so a sweep and a manual batch on the same pairs wait for each
    other instead of deadlocking; the unique constraint leaves one row per pair either way.
    Each issuance records its origin: the request being answered, else "sweep" or, for named
    students (after their completions were recorded), "re-evaluation"."""

    achievement_ids = list(achievement_ids)
    if not achievement_ids:
        return 0
    issuance = BadgeIssuance._meta.db_table
    badge = Badge._meta.db_table
    completion = AchievementCompletion._meta.db_table
    memberships = User.groups.through._meta.db_table
    group = User.groups.field.related_model._meta.db_table
    params: list = [
        db_datetime(timezone.now()),
        BadgeIssuance.Method.AUTOMATIC,
        BadgeIssuance.Source.ACHIEVEMENT,
        current_origin(default="sweep" if student_ids is None else "re-evaluation"),
    ]
    achievement_filter, achievement_params = in_list("c.achievement_id", achievement_ids)
    params.extend(achievement_params)
    params.append(STUDENT)
    narrowing = ""
    if completed_since is not None:
        narrowing += " AND c.recorded_at >= %s"
        params.append(db_datetime(completed_since))
    if student_ids is not None:
        student_filter, student_params = in_list("c.student_id", sorted(set(student_ids)))
        narrowing += f" AND {student_filter}"
        params.extend(student_params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {issuance} (badge_id, recipient_id, issued_at, method, source, "
            "issued_by_id, source_achievement_id, source_class_id, source_assignment_id, origin) "
            "SELECT b.id, c.student_id, %s, %s, %s, NULL, c.achievement_id, NULL, NULL, %s "
            f"FROM {completion} c JOIN {badge} b ON b.achievement_id = c.achievement_id "
            f"WHERE b.is_active AND {achievement_filter} "
            # Only students receive badges: anyone else's completions earn them nothing.
            f"AND EXISTS (SELECT 1 FROM {memberships} m JOIN {group} g ON g.id = m.group_id "
            "WHERE m.user_id = c.student_id AND g.name = %s)"
            f"{narrowing} "
            f"AND NOT EXISTS (SELECT 1 FROM {issuance} i "
            "WHERE i.badge_id = b.id AND i.recipient_id = c.student_id) "
            "ORDER BY b.id, c.student_id "
            "ON CONFLICT (badge_id, recipient_id) DO NOTHING",
            params,
        )
        return cursor.rowcount
