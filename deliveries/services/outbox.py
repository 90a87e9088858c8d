"""The outbox: the delivery rows written with the issuances (set-based, in the issuing statement
or the next one), claimed by workers in batches, sent outside any transaction and their outcome
recorded.

Claiming is one UPDATE of the due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that workers
take disjoint batches; SQLite writes one statement at a time) that gives them a lease:
`claimed_until`, and `next_attempt_at` moved to the same moment so that no other worker sees them
meanwhile. A worker killed mid-batch leaves its rows leased; when the lease runs out they are due
again, and the next claim counts the lapsed lease as an attempt. So `attempts > 0` on a claimed
row means "this may have been sent already": the Credly channel then looks the badge up by its
issuer_earner_id before issuing it again (never a second Credly badge); an e-mail may be sent
twice (at-least-once).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from achievements.models import AchievementCompletion
from badges.models import Badge, BadgeIssuance
from common.sql import db_datetime
from deliveries.models import CredlyConnection, Delivery, WebhookDelivery
from deliveries.retry import attempts_exhausted, next_attempt_delay

logger = logging.getLogger(__name__)

Status = Delivery.Status
Channel = Delivery.Channel

# Why an award e-mail was not sent, as the Issued Status says it.
NOTIFY_OFF = "Notify recipients is off for this badge."
OPTED_OUT = "The student turned award e-mails off."
NO_ADDRESS = "The student has no e-mail address."
RETROACTIVE = "Awarded retroactively: the administrator chose not to e-mail it."
REVOKED_BEFORE = "Revoked before it was delivered."


# Each outcome may carry `fields`: (column, value) pairs of its table recorded with it (a
# webhook's response status and excerpt).


@dataclass(frozen=True)
class Sent:
    external_id: str = ""
    external_state: str = ""
    accepted: bool = False
    fields: tuple = ()


@dataclass(frozen=True)
class Retry:
    error: str
    retry_after: float | None = None
    fields: tuple = ()


@dataclass(frozen=True)
class Failed:
    """A permanent failure: the provider says the request is wrong; no retry."""

    error: str
    fields: tuple = ()


@dataclass(frozen=True)
class Skipped:
    reason: str
    fields: tuple = ()


Outcome = Sent | Retry | Failed | Skipped


def _now_sql() -> str:
    """The database's now, in the form Django stores datetimes on each backend."""
    if connection.vendor == "postgresql":
        return "CURRENT_TIMESTAMP"
    return "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', 'NOW')"


def _email_skip_reason_sql(*, retroactive: bool) -> tuple[str, list]:
    """SQL over `new`, `b` (its badge) and `u` (its recipient): why its award e-mail is not to
    be sent, or ''."""
    completion = AchievementCompletion._meta.db_table
    cases = [
        ("NOT b.notify_recipients", NOTIFY_OFF),
        ("NOT u.receives_award_emails", OPTED_OUT),
        ("u.email = ''", NO_ADDRESS),
    ]
    if retroactive:
        cases.append(
            (
                "new.source_achievement_id IS NOT NULL AND b.notify_completions_from IS NOT NULL "
                f"AND EXISTS (SELECT 1 FROM {completion} done "
                "WHERE done.achievement_id = new.source_achievement_id "
                "AND done.student_id = new.recipient_id "
                "AND done.first_met_at < b.notify_completions_from)",
                RETROACTIVE,
            )
        )
    sql = "CASE " + " ".join(f"WHEN {when} THEN %s" for when, _ in cases) + " ELSE '' END"
    return sql, [reason for _, reason in cases]


def outbox_rows_for_issued() -> tuple[str, list]:
    """The writer of "issued" (badges.events): for each new issuance an e-mail row (pending, or
    skipped with the reason) and, when its badge has a Credly template and its organization an
    enabled Credly connection, a Credly row. One INSERT … SELECT over `new`."""
    delivery = Delivery._meta.db_table
    badge = Badge._meta.db_table
    user = User._meta.db_table
    credly = CredlyConnection._meta.db_table
    reason, params = _email_skip_reason_sql(retroactive=True)
    sql = (
        f"INSERT INTO {delivery} (issuance_id, channel, action, status, last_error) "
        "SELECT q.id, %s, %s, CASE WHEN q.reason = '' THEN %s ELSE %s END, q.reason "
        f"FROM (SELECT new.id AS id, {reason} AS reason "
        f"FROM new JOIN {badge} b ON b.id = new.badge_id "
        f"JOIN {user} u ON u.id = new.recipient_id) q "
        "UNION ALL "
        "SELECT new.id, %s, %s, %s, '' FROM new "
        # The badges on Credly first, once: the planner takes `new` for a row or two (it cannot
        # know how many the INSERT will write), and joining it to the badges read them again
        # for every new issuance.
        f"WHERE new.badge_id = ANY(ARRAY(SELECT b.id FROM {badge} b "
        f"JOIN {credly} cc ON cc.organization_id = b.organization_id "
        "WHERE b.credly_template_id <> '' AND cc.is_enabled))"
        # The issuances were inserted by this very statement: no delivery row can exist for
        # them, and the speculative insertion of ON CONFLICT costs a quarter of the INSERT. On
        # SQLite, where a deleted issuance's id can come back, the clause stays.
        + (
            ""
            if connection.vendor == "postgresql"
            else " ON CONFLICT (issuance_id, channel, action) DO NOTHING"
        )
    )
    return sql, [
        Channel.EMAIL,
        Delivery.Action.ISSUE,
        Status.PENDING,
        Status.SKIPPED,
        *params,
        Channel.CREDLY,
        Delivery.Action.ISSUE,
        Status.PENDING,
    ]


def outbox_rows_for_renewed() -> tuple[str, list]:
    """The writer of "renewed": the student is told of the new period, so the e-mail row starts
    again (pending, or skipped for the same reasons as a new one, the retroactive choice aside:
    a renewal is news). Credly keeps its badge."""
    delivery = Delivery._meta.db_table
    badge = Badge._meta.db_table
    user = User._meta.db_table
    reason, params = _email_skip_reason_sql(retroactive=False)
    now = _now_sql()
    sql = (
        f"INSERT INTO {delivery} (issuance_id, channel, action, status, last_error) "
        "SELECT q.id, %s, %s, CASE WHEN q.reason = '' THEN %s ELSE %s END, q.reason "
        f"FROM (SELECT new.id AS id, {reason} AS reason "
        f"FROM new JOIN {badge} b ON b.id = new.badge_id "
        f"JOIN {user} u ON u.id = new.recipient_id) q "
        "WHERE true "
        "ON CONFLICT (issuance_id, channel, action) DO UPDATE SET status = excluded.status, "
        f"last_error = excluded.last_error, attempts = 0, next_attempt_at = {now}, "
        f"claimed_until = NULL, sent_at = NULL, updated_at = {now}"
    )
    return sql, [Channel.EMAIL, Delivery.Action.ISSUE, Status.PENDING, Status.SKIPPED, *params]


def outbox_write_revocation(*, issuance: BadgeIssuance) -> int:
    """A Credly revoke row for an issuance that has a Credly row (delivered, or on its way: the
    revoke waits for it). One statement; a second revocation (after a reinstatement) starts the
    row again."""
    delivery = Delivery._meta.db_table
    now = _now_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {delivery} (issuance_id, channel, action, status) "
            f"SELECT issuance_id, channel, %s, %s FROM {delivery} "
            "WHERE issuance_id = %s AND channel = %s AND action = %s AND status <> %s "
            "ON CONFLICT (issuance_id, channel, action) DO UPDATE SET status = excluded.status, "
            f"attempts = 0, last_error = '', next_attempt_at = {now}, claimed_until = NULL, "
            f"sent_at = NULL, updated_at = {now}",
            [
                Delivery.Action.REVOKE,
                Status.PENDING,
                issuance.pk,
                Channel.CREDLY,
                Delivery.Action.ISSUE,
                Status.SKIPPED,
            ],
        )
        return cursor.rowcount


WEBHOOK = "webhook"


@dataclass(frozen=True)
class Queue:
    """A table the workers drain: its rows, the SQL condition that picks this channel's, and
    what each claimed row is read with."""

    model: type
    where: str
    params: tuple
    related: tuple[str, ...]


_ISSUANCE_RELATED = (
    "issuance__badge__organization",
    "issuance__badge__achievement",
    "issuance__recipient",
    "issuance__source_achievement",
)

# Every channel the drain takes rows of: the e-mail and Credly rows of Delivery, and the
# webhook events (deliveries/channels/webhook.py) with their endpoint.
QUEUES = {
    Channel.EMAIL: Queue(Delivery, "channel = %s", (Channel.EMAIL,), _ISSUANCE_RELATED),
    Channel.CREDLY: Queue(Delivery, "channel = %s", (Channel.CREDLY,), _ISSUANCE_RELATED),
    WEBHOOK: Queue(
        WebhookDelivery,
        "1 = 1",
        (),
        ("endpoint", "issuance__badge", "issuance__recipient"),
    ),
}


def deliveries_claim(
    *, channel: str, limit: int, lease_seconds: int, now: datetime | None = None
) -> list:
    """Lease up to `limit` due rows of `channel` (QUEUES) to this worker: one UPDATE (and one
    query that reads them with their issuance, badge and recipient). Each returned row carries
    `lease`, the value its outcome is recorded against."""
    queue = QUEUES[channel]
    now = now or timezone.now()
    lease = now + timedelta(seconds=lease_seconds)
    table = queue.model._meta.db_table
    issuances = BadgeIssuance._meta.db_table
    # The issuance must still exist (the column has no database constraint: models.py).
    due = (
        f"SELECT id FROM {table} WHERE status = %s AND {queue.where} AND next_attempt_at <= %s "
        f"AND EXISTS (SELECT 1 FROM {issuances} i WHERE i.id = {table}.issuance_id) "
        "ORDER BY next_attempt_at, id LIMIT %s"
    )
    sets = (
        "claimed_until = %s, next_attempt_at = %s, updated_at = %s, "
        "attempts = attempts + CASE WHEN claimed_until IS NULL THEN 0 ELSE 1 END"
    )
    due_params = [Status.PENDING, *queue.params, db_datetime(now), limit]
    set_params = [db_datetime(lease), db_datetime(lease), db_datetime(now)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH due AS ({due} FOR UPDATE SKIP LOCKED) "
                f"UPDATE {table} d SET {sets.replace('attempts + ', 'd.attempts + ')} "
                "FROM due WHERE d.id = due.id RETURNING d.id",
                [*due_params, *set_params],
            )
        else:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE id IN ({due}) RETURNING id",
                [*set_params, *due_params],
            )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    rows = list(
        queue.model.objects.filter(pk__in=ids)
        .select_related(*queue.related)
        .order_by("next_attempt_at", "pk")
    )
    for row in rows:
        row.lease = lease
    return rows


def _changes(delivery, outcome: Outcome, *, now: datetime) -> dict:
    attempts = delivery.attempts + 1
    done = {"claimed_until": None, "updated_at": now, "attempts": attempts, **dict(outcome.fields)}
    if isinstance(outcome, Sent):
        sent = {
            **done,
            "status": Status.ACCEPTED if outcome.accepted else Status.SENT,
            "sent_at": now,
            "last_error": "",
        }
        if isinstance(delivery, Delivery):
            sent["external_id"] = outcome.external_id or delivery.external_id
            sent["external_state"] = outcome.external_state
        return sent
    if isinstance(outcome, Skipped):
        return {**done, "status": Status.SKIPPED, "last_error": outcome.reason}
    if isinstance(outcome, Failed) or attempts_exhausted(attempts):
        return {**done, "status": Status.FAILED, "last_error": outcome.error}
    delay = next_attempt_delay(attempt=attempts, retry_after=outcome.retry_after)
    return {
        **done,
        "status": Status.PENDING,
        "last_error": outcome.error,
        "next_attempt_at": now + timedelta(seconds=delay),
    }


def deliveries_record(*, outcomes: dict[int, Outcome], deliveries: Iterable) -> int:
    """Record each outcome on its row (rows of one QUEUES model), if this worker still holds the
    row's lease (one UPDATE per set of equal changes: a batch of sent e-mails is one statement).
    Returns the rows recorded."""
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for delivery in deliveries:
        outcome = outcomes.get(delivery.pk)
        if outcome is None:
            continue
        changes = _changes(delivery, outcome, now=now)
        changes.pop("attempts")
        key = (type(delivery), delivery.lease, tuple(sorted(changes.items())))
        groups[key].append(delivery.pk)
    recorded = 0
    for (model, lease, changes), ids in groups.items():
        recorded += model.objects.filter(pk__in=ids, claimed_until=lease).update(
            attempts=F("attempts") + 1, **dict(changes)
        )
    return recorded


Sender = Callable[[list[Delivery]], dict[int, Outcome]]


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    batches: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, channel: str, outcomes: dict[int, Outcome]) -> None:
        self.batches += 1
        for outcome in outcomes.values():
            self.by_channel[channel] += 1
            if isinstance(outcome, Sent):
                self.sent += 1
            elif isinstance(outcome, Retry):
                self.retried += 1
            elif isinstance(outcome, Failed):
                self.failed += 1
            else:
                self.skipped += 1

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


def deliveries_drain(
    *,
    senders: dict[str, Sender],
    batch_size: int | None = None,
    lease_seconds: int | None = None,
    time_budget: float | None = None,
) -> DrainReport:
    """Claim, send and record batches of every channel in turn until none has due rows or the
    time budget is spent. Sending happens outside any transaction."""
    batch_size = batch_size or settings.DELIVERY_BATCH_SIZE
    lease_seconds = lease_seconds or settings.DELIVERY_LEASE_SECONDS
    deadline = None if time_budget is None else time.monotonic() + time_budget
    report = DrainReport()
    busy = list(senders)
    while busy and (deadline is None or time.monotonic() < deadline):
        for channel in list(busy):
            batch = deliveries_claim(channel=channel, limit=batch_size, lease_seconds=lease_seconds)
            if not batch:
                busy.remove(channel)
                continue
            outcomes = senders[channel](batch)
            deliveries_record(outcomes=outcomes, deliveries=batch)
            report.add(channel, outcomes)
    return report
