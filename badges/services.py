"""Writes about badges. `badge_issue_many` is the one way a badge is issued by hand; the sweep uses
`badge_issue_for_achievements`. Both insert and let the unique constraint on (badge, recipient)
decide, so concurrent callers never produce two rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User

from .models import Badge, BadgeIssuance

# SQLite allows 32,766 bound variables per statement; two per pair leaves room for the constants.
_SQLITE_PAIRS_PER_STATEMENT = 10_000


@dataclass(frozen=True)
class IssueContext:
    """Where a manual issuance comes from, and so which rules apply to it.

    Built with one of the `for_*` constructors, which check that the actor may issue there.
    """

    actor: User | None
    method: str
    source: str
    organization_id: int | None
    course_class: object | None = None
    course_assignment: object | None = None
    achievement: object | None = None
    require_manual_enabled: bool = True

    @classmethod
    def for_class(cls, *, actor: User, course_class, batch: bool = False) -> IssueContext:
        from classes.selectors import user_may_issue_for_class

        if not user_may_issue_for_class(user=actor, course_class=course_class):
            raise PermissionDenied("You may not issue badges for this class.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.BATCH if batch else BadgeIssuance.Source.ROSTER,
            organization_id=course_class.organization_id,
            course_class=course_class,
        )

    @classmethod
    def for_assignment(cls, *, actor: User, course_assignment) -> IssueContext:
        from accounts.selectors import user_is_org_admin

        allowed = actor.is_staff or (
            actor.has_perm("badges.issue_badge")
            and user_is_org_admin(user=actor)
            and actor.organization_id == course_assignment.organization_id
        )
        if not allowed:
            raise PermissionDenied("You may not issue badges for this course assignment.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
            organization_id=course_assignment.organization_id,
            course_assignment=course_assignment,
        )

    @classmethod
    def for_admin(cls, *, actor: User) -> IssueContext:
        """Platform staff issuing from the Django admin: any organization, any active badge."""
        if not actor.is_staff:
            raise PermissionDenied("Only platform staff issue from the administration site.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.ADMIN,
            organization_id=None,
            require_manual_enabled=False,
        )


@dataclass(frozen=True)
class IssueOutcome:
    badge_id: int
    student_id: int
    issued: bool
    reason: str = ""
    badge: Badge | None = field(default=None, compare=False)
    student: User | None = field(default=None, compare=False)


def _already_earned_reason(issued_at: datetime) -> str:
    return f"already earned on {date_format(timezone.localtime(issued_at), 'j F Y')}"


def _visible_student_ids(*, context: IssueContext, student_ids: set[int]) -> set[int]:
    """The requested students this context may issue to, in one query."""
    if context.course_class is not None:
        from classes.selectors import class_enrollments_visible_to

        return set(
            class_enrollments_visible_to(user=context.actor, course_class=context.course_class)
            .filter(student_id__in=student_ids)
            .values_list("student_id", flat=True)
        )
    if context.course_assignment is not None:
        return {context.course_assignment.student_id} & student_ids
    return student_ids


def _refusal(
    *, context: IssueContext, badge: Badge | None, student: User | None, visible: set[int]
):
    if badge is None:
        return "badge does not exist"
    if student is None:
        return "student does not exist"
    if context.organization_id is not None and badge.organization_id != context.organization_id:
        return "badge belongs to another organization"
    if not badge.is_active:
        return "badge is archived"
    if context.require_manual_enabled and not badge.manual_issuance_enabled:
        return "badge is not enabled for manual issuance"
    if student.pk not in visible:
        if context.course_assignment is not None:
            return "student is not the student of this course assignment"
        return "student is not enrolled in this class or not visible to you"
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
        context.achievement.pk if context.achievement else None,
        context.course_class.pk if context.course_class else None,
        context.course_assignment.pk if context.course_assignment else None,
    ]
    columns = (
        "badge_id, recipient_id, issued_at, method, source, issued_by_id, "
        "source_achievement_id, source_class_id, source_assignment_id"
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
    when the student already holds the badge ("already earned on 12 March 2026"). The work takes a
    fixed number of statements whatever the number of pairs. Duplicate pairs in the input are
    reported once.
    """
    requested = list(dict.fromkeys((int(b), int(s)) for b, s in pairs))
    if not requested:
        return []
    badge_ids = {b for b, _ in requested}
    student_ids = {s for _, s in requested}
    badges = Badge.objects.in_bulk(badge_ids)
    students = User.objects.in_bulk(student_ids)
    visible = _visible_student_ids(context=context, student_ids=set(students))

    refusals: dict[tuple[int, int], str] = {}
    for pair in requested:
        reason = _refusal(
            context=context,
            badge=badges.get(pair[0]),
            student=students.get(pair[1]),
            visible=visible,
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
            issued_at = existing.get(pair)
            refusals[pair] = _already_earned_reason(issued_at) if issued_at else "already earned"

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
    who has completed the achievement and does not hold the badge yet. Method automatic, source
    the achievement. Returns the number issued.

    `completed_since` narrows to the completions recorded since then (the ones a sweep has just
    written), `student_ids` to those students. Rows are inserted in (badge, recipient) order, the
    order `badge_issue_many` uses, so a sweep and a manual batch on the same pairs wait for each
    other instead of deadlocking; the unique constraint leaves one row per pair either way."""
    from achievements.criteria import db_datetime, in_list
    from achievements.models import AchievementCompletion

    achievement_ids = list(achievement_ids)
    if not achievement_ids:
        return 0
    issuance = BadgeIssuance._meta.db_table
    badge = Badge._meta.db_table
    completion = AchievementCompletion._meta.db_table
    params: list = [
        db_datetime(timezone.now()),
        BadgeIssuance.Method.AUTOMATIC,
        BadgeIssuance.Source.ACHIEVEMENT,
    ]
    achievement_filter, achievement_params = in_list("c.achievement_id", achievement_ids)
    params.extend(achievement_params)
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
            "issued_by_id, source_achievement_id, source_class_id, source_assignment_id) "
            "SELECT b.id, c.student_id, %s, %s, %s, NULL, c.achievement_id, NULL, NULL "
            f"FROM {completion} c JOIN {badge} b ON b.achievement_id = c.achievement_id "
            f"WHERE b.is_active AND {achievement_filter}{narrowing} "
            f"AND NOT EXISTS (SELECT 1 FROM {issuance} i "
            "WHERE i.badge_id = b.id AND i.recipient_id = c.student_id) "
            "ORDER BY b.id, c.student_id "
            "ON CONFLICT (badge_id, recipient_id) DO NOTHING",
            params,
        )
        return cursor.rowcount
