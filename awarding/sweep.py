"""The completion sweep: record who completed each achievement and issue the mapped badges.

Per achievement, a few set-based statements in one transaction: `INSERT … SELECT … ON CONFLICT DO
NOTHING` of the students who meet it (criteria.py), the issuance of its mapped badges through
`badges.services.badge_issue_for_achievements`, and the achievement's watermark. Nothing is looped
over students and no rows are loaded into Python.

What makes a sweep with nothing new cheap: each achievement keeps a watermark (models.
AchievementWatermark). An achievement whose criteria and badges did not change since is evaluated
only for the students with completion records recorded since its watermark, and one query tells
whether any table has such records at all; if none has, the sweep does no per-achievement work.
A new or changed achievement, or one whose mapped badges changed, is evaluated over all history.

Watermarks and concurrency: a record written by a transaction still open when the sweep looks is
invisible to it. On PostgreSQL the watermark is therefore the start of the oldest transaction still
open at that moment (never later than now), and records are looked at from the watermark less
SWEEP_OVERLAP_SECONDS, which covers clocks of different machines and the instant between a record's
timestamp and its insert. A watermark is written in the same transaction as the completions it
covers: a sweep killed half-way leaves every finished achievement done and every other one to do.

Only one sweep runs at a time: a PostgreSQL advisory lock (a file lock on SQLite, where everything
runs on one machine). A second sweep skips and records that it did. The re-evaluation of a few
students (after a completion is recorded in the portal) takes no lock: the unique constraints make
it safe next to a sweep, and it never moves a watermark.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from achievements.criteria import (
    ACHIEVEMENTS,
    ASSIGNMENTS,
    COMPLETIONS,
    ENROLLMENTS,
    EVERYONE,
    EXAM_ATTEMPTS,
    LAB_COMPLETIONS,
    Criteria,
    Scope,
    met_students_sql,
)
from achievements.models import Achievement, AchievementWatermark, SweepRun
from badges.models import Badge
from badges.services import badge_issue_for_achievements
from catalog.models import LearningPathCourse
from common.sql import db_datetime

logger = logging.getLogger(__name__)

# pg_advisory_lock key: "achievements sweep", any fixed 64-bit number unique in this database.
SWEEP_LOCK_KEY = 0x4143_4845_5357_5045

Type = Achievement.CriteriaType


@dataclass
class SweepTotals:
    achievements_evaluated: int = 0
    achievements_evaluated_in_full: int = 0
    achievements_completed: int = 0
    badges_issued: int = 0
    errors: list[str] = field(default_factory=list)


def achievements_for_sweep() -> list[Achievement]:
    """The enabled achievements in evaluation order: points last (lowest threshold first), so
    that points earned in this sweep count in this sweep. A fixed number of queries."""
    achievements = list(
        Achievement.objects.filter(is_enabled=True)
        .select_related("learning_path", "watermark")
        .prefetch_related(
            "course_set",
            Prefetch(
                "learning_path__steps",
                queryset=LearningPathCourse.objects.only("id", "learning_path_id", "course_id"),
            ),
        )
        .order_by("pk")
    )
    return sorted(
        achievements,
        key=lambda a: (a.criteria_type == Type.POINTS, a.points_threshold or 0, a.pk),
    )


def sweep_run(*, trigger: str = SweepRun.Trigger.COMMAND) -> SweepRun:
    """Run the sweep now, unless another one is running; return the recorded run."""
    started_at = timezone.now()
    with sweep_lock() as acquired:
        if not acquired:
            finished_at = timezone.now()
            logger.info("Another sweep is running: this one skips.")
            return SweepRun.objects.create(
                started_at=started_at,
                finished_at=finished_at,
                duration=finished_at - started_at,
                trigger=trigger,
                status=SweepRun.Status.SKIPPED,
            )
        # Holding the lock, no other sweep runs: a "running" one was killed before it finished.
        SweepRun.objects.filter(status=SweepRun.Status.RUNNING).update(
            status=SweepRun.Status.INTERRUPTED,
            error="Stopped before it finished (worker killed or restarted). "
            "A later sweep finished its work.",
        )
        run = SweepRun.objects.create(started_at=started_at, trigger=trigger)
        totals = SweepTotals()
        try:
            _sweep(totals)
        except Exception as error:  # recorded on the run for administrators to see
            logger.exception("The achievements sweep failed.")
            totals.errors.append(f"{type(error).__name__}: {error}")
        finished_at = timezone.now()
        run.finished_at = finished_at
        run.duration = finished_at - started_at
        run.achievements_evaluated = totals.achievements_evaluated
        run.achievements_evaluated_in_full = totals.achievements_evaluated_in_full
        run.achievements_completed = totals.achievements_completed
        run.badges_issued = totals.badges_issued
        run.status = SweepRun.Status.FAILED if totals.errors else SweepRun.Status.SUCCEEDED
        run.error = "\n".join(totals.errors)
        run.save()
    logger.info(
        "Sweep %s: %s achievements evaluated (%s in full), %s completed, %s badges issued in %s.",
        run.status,
        run.achievements_evaluated,
        run.achievements_evaluated_in_full,
        run.achievements_completed,
        run.badges_issued,
        run.duration,
    )
    return run


@dataclass(frozen=True)
class _Plan:
    achievement: Achievement
    criteria: Criteria
    full: bool
    records_since: datetime | None = None
    completions_since: datetime | None = None


def _sweep(totals: SweepTotals) -> None:
    achievements = achievements_for_sweep()
    if not achievements:
        return
    plans = _plans(achievements)
    floor, _ = _evaluation_floor()
    recent = _recent_records(plans)
    quiet = [
        plan.achievement.pk
        for plan in plans
        if not plan.full and not plan.criteria.is_points and not _has_news(plan, recent, False)
    ]
    tasks = [
        plan for plan in plans if not plan.criteria.is_points and plan.achievement.pk not in quiet
    ]
    outcomes = _evaluate_all(tasks)
    points_earned = any(
        completed > 0 and plan.achievement.points > 0
        for plan, (completed, _) in zip(tasks, outcomes, strict=True)
        if not isinstance(completed, Exception)
    )
    # Points come last, in order, so that points earned in this sweep count in this sweep.
    for plan in plans:
        if not plan.criteria.is_points:
            continue
        if not plan.full and not _has_news(plan, recent, points_earned):
            quiet.append(plan.achievement.pk)
            continue
        tasks.append(plan)
        [outcome] = _evaluate_all([plan])
        outcomes.append(outcome)
    for plan, (completed, issued) in zip(tasks, outcomes, strict=True):
        achievement = plan.achievement
        if isinstance(completed, Exception):
            totals.errors.append(
                f"Achievement {achievement.pk} ({achievement.name}): "
                f"{type(completed).__name__}: {completed}"
            )
            continue
        totals.achievements_evaluated += 1
        totals.achievements_evaluated_in_full += plan.full
        totals.achievements_completed += completed
        totals.badges_issued += issued
    if quiet:
        # Nothing was recorded for them since their watermark, up to `floor`.
        AchievementWatermark.objects.filter(pk__in=quiet).update(evaluated_through=floor)


def _evaluate_all(plans: Sequence[_Plan]) -> list[tuple[int | Exception, int]]:
    """Evaluate each plan, on SWEEP_CONNECTIONS database connections at once where that helps:
    the achievements are independent (different completion rows, different badges). One broken
    achievement does not stop the others; its error is returned in place of its count."""
    workers = settings.SWEEP_CONNECTIONS
    # Inside an outer transaction (tests) other connections would not see its rows; SQLite has
    # one writer at a time anyway.
    if (
        workers <= 1
        or len(plans) <= 1
        or connection.in_atomic_block
        or (connection.vendor != "postgresql")
    ):
        return [_evaluate_safely(plan) for plan in plans]
    outcomes: list = [None] * len(plans)
    pending = iter(enumerate(plans))
    taking = threading.Lock()

    def work() -> None:
        try:
            while True:
                with taking:
                    item = next(pending, None)
                if item is None:
                    return
                index, plan = item
                outcomes[index] = _evaluate_safely(plan)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, name=f"sweep-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _evaluate_safely(plan: _Plan) -> tuple[int | Exception, int]:
    try:
        return _evaluate(plan)
    except Exception as error:  # one broken achievement must not stop the others
        logger.exception("Sweep of achievement %s failed.", plan.achievement.pk)
        return error, 0


def _plans(achievements: Sequence[Achievement]) -> list[_Plan]:
    margin = timedelta(seconds=settings.SWEEP_OVERLAP_SECONDS)
    # Completions are written by this code with the database's clock, inside the transactions
    # the floor accounts for, so on PostgreSQL they need no margin.
    completions_margin = timedelta(0) if connection.vendor == "postgresql" else margin
    badge_changes = dict(
        Badge.objects.filter(achievement__in=achievements)
        .order_by()
        .values_list("achievement_id")
        .annotate(last_change=Max("updated_at"))
    )
    plans = []
    for achievement in achievements:
        criteria = Criteria.of(achievement)
        try:
            watermark = achievement.watermark
        except ObjectDoesNotExist:
            watermark = None
        changed = (
            watermark is None
            or watermark.criteria_version != achievement.criteria_changed_at
            or (
                achievement.pk in badge_changes
                and badge_changes[achievement.pk] >= watermark.evaluated_through - margin
            )
        )
        if changed:
            plans.append(_Plan(achievement=achievement, criteria=criteria, full=True))
        else:
            plans.append(
                _Plan(
                    achievement=achievement,
                    criteria=criteria,
                    full=False,
                    records_since=watermark.evaluated_through - margin,
                    completions_since=watermark.evaluated_through - completions_margin,
                )
            )
    return plans


def _recent_records(plans: Sequence[_Plan]) -> dict[str, bool]:
    """Which tables have records recorded since the oldest watermark: one query."""
    incremental = [plan for plan in plans if not plan.full]
    if not incremental:
        return {}
    records_since = db_datetime(min(plan.records_since for plan in incremental))
    # Completions matter only to points achievements.
    completions_since = db_datetime(
        min(
            (plan.completions_since for plan in incremental if plan.criteria.is_points),
            default=timezone.now(),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            f"EXISTS (SELECT 1 FROM {LAB_COMPLETIONS} WHERE recorded_at >= %s), "
            f"EXISTS (SELECT 1 FROM {EXAM_ATTEMPTS} WHERE recorded_at >= %s), "
            f"EXISTS (SELECT 1 FROM {ENROLLMENTS} WHERE completion_recorded_at >= %s), "
            f"EXISTS (SELECT 1 FROM {ASSIGNMENTS} WHERE completion_recorded_at >= %s), "
            # Only completions that carry points change a points total.
            f"EXISTS (SELECT 1 FROM {ACHIEVEMENTS} a WHERE a.is_enabled AND a.points > 0 "
            f"AND EXISTS (SELECT 1 FROM {COMPLETIONS} c "
            "WHERE c.achievement_id = a.id AND c.recorded_at >= %s))",
            [records_since] * 4 + [completions_since],
        )
        lab, exam, enrollment, assignment, completion = cursor.fetchone()
    return {
        "lab": bool(lab),
        "exam": bool(exam),
        "course": bool(enrollment or assignment),
        "completion": bool(completion),
    }


def _has_news(plan: _Plan, recent: dict[str, bool], points_earned: bool) -> bool:
    kind = plan.criteria.criteria_type
    if kind == Type.LAB:
        return recent["lab"]
    if kind == Type.LEARNING_PATH:
        return recent["course"] or recent["exam"]
    if kind == Type.POINTS:
        return recent["completion"] or points_earned
    return recent["course"]


def _evaluation_floor(*, in_evaluation: bool = False) -> tuple[datetime, datetime]:
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


def _evaluate(plan: _Plan) -> tuple[int, int]:
    """Record the new completions of one achievement, issue its badges and move its watermark,
    all in one transaction. Returns (completions recorded, badges issued)."""
    achievement = plan.achievement
    with transaction.atomic():
        floor, stamp = _evaluation_floor(in_evaluation=True)
        scope = (
            EVERYONE
            if plan.full
            else Scope(records_since=plan.records_since, completions_since=plan.completions_since)
        )
        completed = _record_completions(criteria=plan.criteria, scope=scope, stamp=stamp)
        issued = 0
        if plan.full or completed:
            issued = badge_issue_for_achievements(
                achievement_ids=[achievement.pk],
                completed_since=None if plan.full else stamp,
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


def _record_completions(*, criteria: Criteria, scope: Scope, stamp: datetime | None) -> int:
    """INSERT the students in scope who meet the criteria and have not completed it yet."""
    met, params = met_students_sql(criteria, scope)
    if stamp is None:
        recorded_at, recorded_params = "now()", []
    else:
        recorded_at, recorded_params = "%s", [db_datetime(stamp)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {COMPLETIONS} (achievement_id, student_id, first_met_at, recorded_at) "
            f"SELECT %s, m.student_id, m.first_met_at, {recorded_at} FROM ({met}) m "
            f"WHERE NOT EXISTS (SELECT 1 FROM {COMPLETIONS} done "
            "WHERE done.achievement_id = %s AND done.student_id = m.student_id) "
            "ORDER BY m.student_id "
            "ON CONFLICT (achievement_id, student_id) DO NOTHING",
            [criteria.achievement_id, *recorded_params, *params, criteria.achievement_id],
        )
        return cursor.rowcount


def achievements_evaluate_students(*, student_ids: Sequence[int]) -> SweepTotals:
    """Evaluate every enabled achievement for these students only, over all their history, and
    issue the mapped badges they are due: what the sweep would do for them, right now."""
    totals = SweepTotals()
    student_ids = tuple(sorted({int(pk) for pk in student_ids}))
    if not student_ids:
        return totals
    scope = Scope(student_ids=student_ids)
    for achievement in achievements_for_sweep():
        with transaction.atomic():
            completed = _record_completions(
                criteria=Criteria.of(achievement),
                scope=scope,
                # PostgreSQL stamps with the transaction's start, as the sweep's floor expects.
                stamp=None if connection.vendor == "postgresql" else timezone.now(),
            )
            issued = badge_issue_for_achievements(
                achievement_ids=[achievement.pk], student_ids=student_ids
            )
        totals.achievements_evaluated += 1
        totals.achievements_completed += completed
        totals.badges_issued += issued
    return totals


@contextmanager
def sweep_lock() -> Iterator[bool]:
    """Yield whether this process holds the one sweep lock; release it on exit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])
                except DatabaseError:
                    # The connection is gone, and its session lock with it.
                    logger.warning("Could not release the sweep lock; the connection was lost.")
        return
    path = Path(settings.SWEEP_LOCK_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
