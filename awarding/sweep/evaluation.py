"""One achievement evaluated in one transaction: its new completions recorded, its mapped badges
issued and its watermark moved.

Watermarks and concurrency: a record written by a transaction still open when the sweep looks is
invisible to it. On PostgreSQL the watermark is therefore the start of the oldest transaction still
open at that moment (never later than now); planning.py looks at records from the watermark less
SWEEP_OVERLAP_SECONDS. A watermark is written in the same transaction as the completions it covers:
a sweep killed half-way leaves every finished achievement done and every other one to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from achievements.criteria import (
    COMPLETIONS,
    EVERYONE,
    Criteria,
    Scope,
    met_again_sql,
    met_students_sql,
)
from achievements.models import AchievementWatermark
from badges.models import Badge
from badges.services.issuance import (
    badge_issue_for_achievements,
    badge_issue_with_completions,
    badge_renew_for_achievement,
)
from common.sql import db_datetime

from .planning import Plan

logger = logging.getLogger(__name__)


@dataclass
class SweepTotals:
    """What a sweep, or the re-evaluation of a few students, did."""

    achievements_evaluated: int = 0
    achievements_evaluated_in_full: int = 0
    achievements_completed: int = 0
    badges_issued: int = 0
    achievements_skipped: int = 0
    errors: list[str] = field(default_factory=list)


def evaluation_floor(*, in_evaluation: bool = False) -> tuple[datetime, datetime]:
    """(floor, stamp). `stamp` is the current transaction's timestamp, for the completions it
    writes. `floor` is the watermark that is safe to store: no later than the start of any
    transaction still open in this database, whose records this evaluation cannot see yet.

    In an evaluation's transaction, its commit also stops waiting for the disk: whatever a crash
    could lose of it (completions, issuances and watermark together) the next sweep redoes."""
    if connection.vendor != "postgresql":
        now = timezone.now()
        return now, now
    relaxed = "set_config('synchronous_commit', 'off', true), " if in_evaluation else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {relaxed}now(), (SELECT MIN(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend')"
        )
        *_, stamp, oldest_open = cursor.fetchone()
    return (min(stamp, oldest_open) if oldest_open else stamp), stamp


def evaluate_safely(plan: Plan) -> tuple[int | Exception, int]:
    """evaluate(plan), or the error in place of its count."""
    try:
        return evaluate(plan)
    except Exception as error:  # one broken achievement must not stop the others
        logger.exception("Sweep of achievement %s failed.", plan.achievement.pk)
        return error, 0


def evaluate(plan: Plan) -> tuple[int, int]:
    """Record the new completions of one achievement, issue its badges and move its watermark,
    all in one transaction. Returns (completions recorded, badges issued)."""
    achievement = plan.achievement
    with transaction.atomic():
        floor, stamp = evaluation_floor(in_evaluation=True)
        scope = (
            EVERYONE
            if plan.full
            else Scope(records_since=plan.records_since, completions_since=plan.completions_since)
        )
        badges = list(Badge.objects.filter(achievement_id=achievement.pk, is_active=True))
        expiring = [badge for badge in badges if badge.expiry != Badge.Expiry.NEVER]
        completed, issued = record_completions(
            criteria=plan.criteria,
            scope=scope,
            stamp=stamp,
            issuing=Issuing(full=plan.full, badges=badges, expiring=expiring),
        )
        if plan.renewals_since is not None and expiring:
            issued += badge_renew_for_achievement(
                achievement_id=achievement.pk,
                floor=plan.renewals_since,
                candidates=lambda since: met_again_sql(plan.criteria, EVERYONE, since),
                expiring=expiring,
            )
        AchievementWatermark.objects.bulk_create(
            [
                AchievementWatermark(
                    achievement=achievement,
                    evaluated_through=floor,
                    criteria_version=achievement.criteria_changed_at,
                )
            ],
            update_conflicts=True,
            unique_fields=["achievement"],
            update_fields=["evaluated_through", "criteria_version"],
        )
    return completed, issued


@dataclass(frozen=True)
class Issuing:
    """The badges to issue with the completions recorded: those mapped to the achievement
    (active), to the students it recorded, and with `full` also to those who completed it
    before."""

    full: bool
    badges: list[Badge]
    expiring: list[Badge]

    @property
    def in_one_statement(self) -> bool:
        """Completions and issuances in one statement (PostgreSQL), unless a badge notifies
        only completions from a date: the award e-mail's writer then reads the completion's
        first_met_at from its table, where a row written by the same statement is not visible."""
        return connection.vendor == "postgresql" and not any(
            badge.notify_completions_from for badge in self.badges
        )


def record_completions(
    *, criteria: Criteria, scope: Scope, stamp: datetime | None, issuing: Issuing | None = None
) -> tuple[int, int]:
    """INSERT the students in scope who meet the criteria and have not completed it yet, and
    with `issuing` issue the mapped badges (in the same statement where it can). Returns
    (completions recorded, badges issued)."""
    met, params = met_students_sql(criteria, scope)
    if stamp is None:
        recorded_at, recorded_params = "now()", []
    else:
        recorded_at, recorded_params = "%s", [db_datetime(stamp)]
    sql = (
        f"INSERT INTO {COMPLETIONS} (achievement_id, student_id, first_met_at, recorded_at) "
        f"SELECT %s, m.student_id, m.first_met_at, {recorded_at} FROM ({met}) m "
        f"WHERE NOT EXISTS (SELECT 1 FROM {COMPLETIONS} done "
        "WHERE done.achievement_id = %s AND done.student_id = m.student_id) "
        "ORDER BY m.student_id "
        "ON CONFLICT (achievement_id, student_id) DO NOTHING"
    )
    params = [criteria.achievement_id, *recorded_params, *params, criteria.achievement_id]
    if issuing is not None and issuing.badges and issuing.in_one_statement:
        return badge_issue_with_completions(
            achievement_id=criteria.achievement_id,
            recording=(sql, params),
            full=issuing.full,
            expiring=issuing.expiring,
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        completed = cursor.rowcount
    issued = 0
    if issuing is not None and issuing.badges and (issuing.full or completed):
        issued = badge_issue_for_achievements(
            achievement_ids=[criteria.achievement_id],
            completed_since=None if issuing.full else stamp,
            expiring=issuing.expiring,
        )
    return completed, issued
