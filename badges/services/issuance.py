"""Issuing badges. `badge_issue_many` is the one way a badge is issued by hand (Choose Badge, course
assignments, the admin, the demo data; Issue Badges through `badge_issue_batch`, which checks the
ids before pairing them); the sweep uses
`badge_issue_for_achievements`. Both insert and let the unique constraint on (badge, recipient)
decide, so concurrent callers never produce two rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Min
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from accounts.roles import STUDENT
from achievements.models import AchievementCompletion
from badges.audit import current_origin
from badges.events import NEW_COLUMNS, issuance_announce, issuance_writes
from badges.models import Badge, BadgeIssuance, IssuanceEvent
from badges.selectors import badges_available_in
from badges.services.context import IssueContext, Recipients
from badges.services.outcomes import (
    BatchOutcome,
    IssueOutcome,
    Refusal,
    RefusedChoice,
    already_earned_reason,
    expired_on_date_reason,
    revoked_reason,
)
from common.sql import db_datetime, in_list


def _db_or_none(value: datetime | None):
    return None if value is None else db_datetime(value)


# SQLite allows 32,766 bound variables per statement; two per pair leaves room for the constants.
_SQLITE_PAIRS_PER_STATEMENT = 8_000

_RETURNING_NEW = "RETURNING " + ", ".join(NEW_COLUMNS)


def _insert_and_write(cursor, *, sql: str, params: list, select: str) -> list[tuple]:
    """Run `sql` (an INSERT of issuances, without RETURNING) together with the writers of the
    floors above ("issued", badges.events) and return the rows of `select`, a query over `new`
    (the issuances written). On PostgreSQL the writers ride in the same statement, as
    data-modifying CTEs over the INSERT's RETURNING; on SQLite they follow it over the ids it
    returned. Tells "issued" once, with how many were written."""
    writes = issuance_writes("issued")
    counting = select.startswith("SELECT count(*)")
    if connection.vendor == "postgresql" and writes:
        ctes = "".join(f", w{n} AS ({write})" for n, (write, _) in enumerate(writes))
        cursor.execute(
            f"WITH new AS ({sql} {_RETURNING_NEW}){ctes} {select}",
            [*params, *(value for _, values in writes for value in values)],
        )
        rows = cursor.fetchall()
    elif counting and not writes:
        cursor.execute(sql, params)
        rows = [(cursor.rowcount,)]
    else:
        cursor.execute(f"{sql} {_RETURNING_NEW}", params)
        new = cursor.fetchall()
        if new and writes:
            _write_over_ids(cursor, writes=writes, ids=[row[0] for row in new])
        rows = _select_in_python(select, new)
    count = rows[0][0] if counting else len(rows)
    if count:
        issuance_announce("issued", count=count)
    return rows


def _select_in_python(select: str, new: list[tuple]) -> list[tuple]:
    """`select` over `new` for SQLite, where `new` came back to Python: a count or the pairs."""
    if select.startswith("SELECT count(*)"):
        return [(len(new),)]
    return [(badge_id, recipient_id) for _, badge_id, recipient_id, _ in new]


def _write_over_ids(cursor, *, writes: list[tuple[str, list]], ids: list[int]) -> None:
    """Each writer's statement over the issuances of these ids: one statement per writer, the
    ids in one parameter (an array on PostgreSQL, a JSON list on SQLite)."""
    table = BadgeIssuance._meta.db_table
    if connection.vendor == "postgresql":
        narrowing, value = "id = ANY(%s)", ids
    else:
        narrowing, value = "id IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    for write, params in writes:
        cursor.execute(
            f"WITH new AS (SELECT {', '.join(NEW_COLUMNS)} FROM {table} WHERE {narrowing}) {write}",
            [value, *params],
        )


def _available_elsewhere(*, context: IssueContext, badges: dict[int, Badge]) -> set[int]:
    """Of these badges, those of another organization made available to the context's (its
    Availability): one query, and only when some badge is another organization's."""
    if context.organization_id is None:
        return set()
    foreign = [
        pk for pk, badge in badges.items() if badge.organization_id != context.organization_id
    ]
    if not foreign:
        return set()
    return set(
        Badge.objects.filter(
            badges_available_in(organization_id=context.organization_id), pk__in=foreign
        ).values_list("pk", flat=True)
    )


def _badge_refusal(
    *, context: IssueContext, badge: Badge | None, available: set[int] = frozenset()
) -> str | None:
    if badge is None:
        return Refusal.NO_BADGE
    if (
        context.organization_id is not None
        and badge.organization_id != context.organization_id
        and badge.pk not in available
    ):
        return Refusal.OTHER_ORGANIZATION
    if not badge.is_active:
        return Refusal.ARCHIVED
    if context.require_manual_enabled and not badge.manual_issuance_enabled:
        return Refusal.NOT_MANUAL
    if badge.expiry == Badge.Expiry.ON_DATE and badge.expires_on is not None:
        expiry = badge.expiry_for(timezone.now())
        if expiry is not None and expiry <= timezone.now():
            return expired_on_date_reason(badge.expires_on)
    return None


def _student_refusal(
    *, context: IssueContext, student: User | None, issuable: set[int]
) -> str | None:
    if student is None:
        return Refusal.NO_STUDENT
    if student.pk not in issuable:
        if context.course_assignment is not None:
            return Refusal.NOT_ASSIGNMENT_STUDENT
        if context.source == BadgeIssuance.Source.API:
            return Refusal.NOT_IN_ORGANIZATION
        return Refusal.NOT_ON_ROSTER
    if not student.is_student:
        return Refusal.NOT_A_STUDENT
    return None


def _insert_pairs(
    *,
    pairs: list[tuple[int, int]],
    context: IssueContext,
    now: datetime,
    expiries: dict[int, datetime | None],
) -> set[tuple[int, int]]:
    """Insert the pairs, skipping those the constraint refuses; return the pairs actually written.

    Pairs are sorted so that two overlapping batches take row locks in the same order and cannot
    deadlock each other.
    """
    if not pairs:
        return set()
    pairs = sorted(set(pairs))
    table = BadgeIssuance._meta.db_table
    constants = [
        now,
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
        "source_class_id, source_assignment_id, origin, expires_at"
    )
    written: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = _insert_and_write(
                cursor,
                sql=f"INSERT INTO {table} ({columns}) "
                "SELECT p.badge_id, p.recipient_id, %s, %s, %s, %s, %s, %s, %s, p.expires_at "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[]) "
                "AS p(badge_id, recipient_id, expires_at) "
                "ON CONFLICT (badge_id, recipient_id) DO NOTHING",
                params=[
                    *constants,
                    [b for b, _ in pairs],
                    [s for _, s in pairs],
                    [expiries.get(b) for b, _ in pairs],
                ],
                select="SELECT badge_id, recipient_id FROM new",
            )
            written.update(rows)
        else:
            for start in range(0, len(pairs), _SQLITE_PAIRS_PER_STATEMENT):
                chunk = pairs[start : start + _SQLITE_PAIRS_PER_STATEMENT]
                values = ", ".join(["(%s, %s, %s)"] * len(chunk))
                rows = _insert_and_write(
                    cursor,
                    sql=f"INSERT INTO {table} ({columns}) "
                    "SELECT p.column1, p.column2, %s, %s, %s, %s, %s, %s, %s, p.column3 "
                    f"FROM (VALUES {values}) AS p WHERE true "
                    "ON CONFLICT (badge_id, recipient_id) DO NOTHING",
                    params=[
                        *(db_datetime(c) if isinstance(c, datetime) else c for c in constants),
                        *(
                            value
                            for badge_id, student_id in chunk
                            for value in (badge_id, student_id, _db_or_none(expiries.get(badge_id)))
                        ),
                    ],
                    select="SELECT badge_id, recipient_id FROM new",
                )
                written.update(rows)
    return written


def _renew_expired(
    *,
    pairs: list[tuple[int, int]],
    context: IssueContext,
    now: datetime,
    expiries: dict[int, datetime | None],
) -> tuple[set[tuple[int, int]], dict[tuple[int, int], BadgeIssuance]]:
    """The pairs the constraint refused hold an issuance already: lock those rows, renew in
    place the ones that have expired (and are not revoked) — a new issue and expiry date, the
    period that ended kept as a renewal event — and return (pairs renewed, the other rows).
    Under the lock each row is read as the last commit left it, so two concurrent renewals of
    one pair make one."""
    if not pairs:
        return set(), {}
    wanted = set(pairs)
    held = {
        (issuance.badge_id, issuance.recipient_id): issuance
        for issuance in BadgeIssuance.objects.select_for_update()
        .filter(badge_id__in={b for b, _ in pairs}, recipient_id__in={s for _, s in pairs})
        .only(
            "badge_id",
            "recipient_id",
            "issued_at",
            "expires_at",
            "revoked_at",
            "revocation_reason",
            "method",
            "source",
        )
        .order_by("badge_id", "recipient_id")
    }
    held = {pair: issuance for pair, issuance in held.items() if pair in wanted}
    expired = [
        issuance
        for issuance in held.values()
        if issuance.revoked_at is None
        and issuance.expires_at is not None
        and issuance.expires_at <= now
    ]
    if not expired:
        return set(), held
    renewed = _renew(
        issuances=expired,
        now=now,
        expiries=expiries,
        method=context.method,
        source=context.source,
        issued_by_id=context.actor.pk if context.actor else None,
        source_achievement_id=None,
        source_class_id=context.course_class.pk if context.course_class else None,
        source_assignment_id=context.course_assignment.pk if context.course_assignment else None,
        origin=current_origin(default=context.source),
    )
    return renewed, {pair: row for pair, row in held.items() if pair not in renewed}


def _renew(*, issuances: list[BadgeIssuance], now: datetime, expiries, origin: str, **how):
    """Record the ending period of each (locked) issuance and start a new one."""
    IssuanceEvent.objects.bulk_create(
        IssuanceEvent(
            issuance=issuance,
            kind=IssuanceEvent.Kind.RENEWED,
            at=now,
            actor_id=how["issued_by_id"],
            origin=origin,
            period_issued_at=issuance.issued_at,
            period_expires_at=issuance.expires_at,
            period_method=issuance.method,
            period_source=issuance.source,
        )
        for issuance in issuances
    )
    for issuance in issuances:
        issuance.issued_at = now
        issuance.expires_at = expiries.get(issuance.badge_id)
        issuance.origin = origin
        issuance.updated_at = now
        for name, value in how.items():
            setattr(issuance, name, value)
    BadgeIssuance.objects.bulk_update(
        issuances,
        ["issued_at", "expires_at", "origin", "updated_at", *how.keys()],
        batch_size=1000,
    )
    writes = issuance_writes("renewed")
    if writes:
        with connection.cursor() as cursor:
            _write_over_ids(cursor, writes=writes, ids=[issuance.pk for issuance in issuances])
    issuance_announce("renewed", count=len(issuances))
    return {(issuance.badge_id, issuance.recipient_id) for issuance in issuances}


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
    available = _available_elsewhere(context=context, badges=badges)
    refused: list[RefusedChoice] = []
    valid_badges = []
    for pk in badge_ids:
        reason = _badge_refusal(context=context, badge=badges.get(pk), available=available)
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
        pairs=_issue(
            context=context,
            requested=requested,
            badges=badges,
            recipients=recipients,
            available=available,
        ),
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
    available: set[int] | None = None,
) -> list[IssueOutcome]:
    students = recipients.found
    if available is None:
        available = _available_elsewhere(context=context, badges=badges)
    refusals: dict[tuple[int, int], str] = {}
    for pair in requested:
        reason = _badge_refusal(
            context=context, badge=badges.get(pair[0]), available=available
        ) or _student_refusal(
            context=context, student=students.get(pair[1]), issuable=recipients.issuable
        )
        if reason:
            refusals[pair] = reason
    insertable = [pair for pair in requested if pair not in refusals]

    now = timezone.now()
    expiries = {badge.pk: badge.expiry_for(now) for badge in badges.values()}
    with transaction.atomic():
        written = _insert_pairs(pairs=insertable, context=context, now=now, expiries=expiries)
        renewed, held = _renew_expired(
            pairs=[pair for pair in insertable if pair not in written],
            context=context,
            now=now,
            expiries=expiries,
        )
    written |= renewed
    for pair in insertable:
        if pair in written:
            continue
        issuance = held.get(pair)
        if issuance is not None and issuance.revoked_at is not None:
            refusals[pair] = revoked_reason(issuance.revoked_at, issuance.revocation_reason)
        else:
            refusals[pair] = already_earned_reason(issuance.issued_at if issuance else None)

    return [
        IssueOutcome(
            badge_id=b,
            student_id=s,
            issued=(b, s) in written,
            renewed=(b, s) in renewed,
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
    expiring: list[Badge] | None = None,
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
    sql, params = _achievement_issuance_sql(
        achievement_ids=achievement_ids,
        completions=(AchievementCompletion._meta.db_table, []),
        completed_since=completed_since,
        student_ids=student_ids,
        expiring=expiring,
    )
    with connection.cursor() as cursor:
        [(count,)] = _insert_and_write(
            cursor, sql=sql, params=params, select="SELECT count(*) FROM new"
        )
        return count


def badge_issue_with_completions(
    *,
    achievement_id: int,
    recording: tuple[str, list],
    full: bool,
    expiring: list[Badge] | None = None,
) -> tuple[int, int]:
    """The sweep's evaluation of one achievement as one statement (PostgreSQL): `recording`, an
    `INSERT` of its new completions (achievements) without RETURNING, and the issuance of its
    mapped badges to the students it recorded, all written by one data-modifying `WITH` together
    with the writers of the floors above ("issued", badges.events). The new completions are
    handed to the issuing `INSERT` through the statement (its RETURNING), never read back from
    the table. `full`: also to the students who completed it before, whose completions this
    statement's snapshot sees (and sees only them: the ones it writes are not visible in it).
    Returns (completions recorded, badges issued)."""
    completion = AchievementCompletion._meta.db_table
    recorded_sql, recorded_params = recording
    source = "SELECT achievement_id, student_id, recorded_at FROM recorded"
    source_params: list = []
    if full:
        source += (
            " UNION ALL SELECT achievement_id, student_id, recorded_at "
            f"FROM {completion} WHERE achievement_id = %s"
        )
        source_params.append(achievement_id)
    sql, params = _achievement_issuance_sql(
        achievement_ids=[achievement_id],
        completions=(f"({source})", source_params),
        expiring=expiring,
    )
    writes = issuance_writes("issued")
    ctes = "".join(f", w{n} AS ({write})" for n, (write, _) in enumerate(writes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH recorded AS ({recorded_sql} RETURNING achievement_id, student_id, "
            f"recorded_at), new AS ({sql} {_RETURNING_NEW}){ctes} "
            "SELECT (SELECT count(*) FROM recorded), (SELECT count(*) FROM new)",
            [
                *recorded_params,
                *params,
                *(value for _, values in writes for value in values),
            ],
        )
        completed, issued = cursor.fetchone()
    if issued:
        issuance_announce("issued", count=issued)
    return completed, issued


def _achievement_issuance_sql(
    *,
    achievement_ids: list[int],
    completions: tuple[str, list],
    completed_since: datetime | None = None,
    student_ids: Iterable[int] | None = None,
    expiring: list[Badge] | None = None,
) -> tuple[str, list]:
    """The `INSERT` of badge_issue_for_achievements, from `completions` (a relation with the
    completions' achievement_id, student_id and recorded_at, aliased `c`)."""
    issuance = BadgeIssuance._meta.db_table
    badge = Badge._meta.db_table
    memberships = User.groups.through._meta.db_table
    group = User.groups.field.related_model._meta.db_table
    now = timezone.now()
    if expiring is None:
        expiring = expiring_badges(achievement_ids=achievement_ids)
    expires_at, expiry_params, past_expiry = _expiry_case(expiring=expiring, now=now)
    source, source_params = completions
    params: list = [
        db_datetime(now),
        BadgeIssuance.Method.AUTOMATIC,
        BadgeIssuance.Source.ACHIEVEMENT,
        current_origin(default="sweep" if student_ids is None else "re-evaluation"),
        *expiry_params,
        *source_params,
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
    if past_expiry:
        past_filter, past_params = in_list("b.id", past_expiry)
        narrowing += f" AND NOT ({past_filter})"
        params.extend(past_params)
    sql = (
        f"INSERT INTO {issuance} (badge_id, recipient_id, issued_at, method, source, "
        "issued_by_id, source_achievement_id, source_class_id, source_assignment_id, origin, "
        "expires_at) "
        f"SELECT b.id, c.student_id, %s, %s, %s, NULL, c.achievement_id, NULL, NULL, %s, "
        f"{expires_at} "
        f"FROM {source} c JOIN {badge} b ON b.achievement_id = c.achievement_id "
        f"WHERE b.is_active AND {achievement_filter} "
        # Only students receive badges: anyone else's completions earn them nothing.
        f"AND EXISTS (SELECT 1 FROM {memberships} m JOIN {group} g ON g.id = m.group_id "
        "WHERE m.user_id = c.student_id AND g.name = %s)"
        f"{narrowing} "
        f"AND NOT EXISTS (SELECT 1 FROM {issuance} i "
        "WHERE i.badge_id = b.id AND i.recipient_id = c.student_id) "
        "ORDER BY b.id, c.student_id "
        "ON CONFLICT (badge_id, recipient_id) DO NOTHING"
    )
    return sql, params


def expiring_badges(*, achievement_ids: list[int]) -> list[Badge]:
    """The active badges of these achievements that expire: one query, which an evaluation makes
    once and hands to the issuing and the renewing statements."""
    return list(
        Badge.objects.filter(achievement_id__in=achievement_ids, is_active=True).exclude(
            expiry=Badge.Expiry.NEVER
        )
    )


def _expiry_case(*, expiring: list[Badge], now: datetime) -> tuple[str, list, list[int]]:
    """The expiry of each badge issued at `now`, as SQL over `b.id` (NULL for badges that never
    expire; one small query finds those that do), and the badges whose fixed expiry date has
    passed: nothing issues those any more."""
    expiries, past = [], []
    for badge in expiring:
        expiry = badge.expiry_for(now)
        if expiry is None:
            continue
        (expiries if expiry > now else past).append((badge.pk, expiry))
    if not expiries:
        return "NULL", [], [pk for pk, _ in past]
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    whens = " ".join(f"WHEN %s THEN %s{cast}" for _ in expiries)
    params = [value for pk, expiry in expiries for value in (pk, db_datetime(expiry))]
    return f"CASE b.id {whens} END", params, [pk for pk, _ in past]


def badge_renew_for_achievement(
    *,
    achievement_id: int,
    floor: datetime,
    candidates: Callable[[datetime], tuple[str, list]],
    student_ids: Sequence[int] | None = None,
    expiring: list[Badge] | None = None,
) -> int:
    """Renew the expired issuances of the badges mapped to this achievement for the students who
    met it again after they expired: `candidates(since)` is the SQL of the students who meet the
    achievement with a record it counts made since `since`, which is the later of `floor` (the
    records this evaluation looks at) and the earliest expiry among the badges in question. A
    renewal gives new issue and expiry dates, method automatic, and keeps the period that ended.
    Revoked issuances are never renewed. Returns the number renewed."""
    now = timezone.now()
    if expiring is None:
        expiring = expiring_badges(achievement_ids=[achievement_id])
    badges = {badge.pk: badge for badge in expiring if (badge.expiry_for(now) or now) > now}
    if not badges:
        return 0
    expired = BadgeIssuance.objects.filter(
        badge_id__in=list(badges), revoked_at__isnull=True, expires_at__lte=now
    )
    if student_ids is not None:
        expired = expired.filter(recipient_id__in=list(student_ids))
    earliest = expired.aggregate(earliest=Min("expires_at"))["earliest"]
    if earliest is None:
        return 0
    sql, params = candidates(max(floor, earliest))
    expired = list(
        expired.select_for_update()
        .filter(
            # The SQL of the criteria classes, every value a parameter.
            recipient_id__in=RawSQL(sql, params),  # noqa: S611
        )
        .order_by("badge_id", "recipient_id")
    )
    if not expired:
        return 0
    renewed = _renew(
        issuances=expired,
        now=now,
        expiries={pk: badge.expiry_for(now) for pk, badge in badges.items()},
        method=BadgeIssuance.Method.AUTOMATIC,
        source=BadgeIssuance.Source.ACHIEVEMENT,
        issued_by_id=None,
        source_achievement_id=achievement_id,
        source_class_id=None,
        source_assignment_id=None,
        origin=current_origin(default="sweep"),
    )
    return len(renewed)
