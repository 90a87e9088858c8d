"""A sweep run: take the one lock (lock.py), record the run (achievements.models.SweepRun), and do
the work in order: plan (planning.py), pass over the quiet achievements, evaluate the others
(pool.py, evaluation.py), points achievements last, then the watermarks of the quiet ones.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from achievements.models import AchievementWatermark, SweepRun
from badges.audit import SWEEP_ORIGIN, origin_as
from deliveries.services.kick import deliveries_drain_after

from .distributed import Send, sweep_distribute
from .evaluation import SweepTotals, evaluation_floor
from .lock import sweep_lock
from .planning import (
    achievements_with_switch,
    has_news,
    plans_for,
    recent_records,
)
from .pool import evaluate_all

logger = logging.getLogger(__name__)


def sweep_run(*, trigger: str = SweepRun.Trigger.COMMAND, send: Send | None = None) -> SweepRun:
    """Run the sweep now, unless another one is running; return the recorded run. With
    SWEEP_DISTRIBUTED (PostgreSQL) the run is started and its evaluations queued for the workers
    (`send`, Celery's send_task by default): the returned run is still running."""
    started_at = timezone.now()
    distributed = settings.SWEEP_DISTRIBUTED and connection.vendor == "postgresql"
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
        if distributed:
            with transaction.atomic():
                run = SweepRun.objects.create(started_at=started_at, trigger=trigger)
                sweep_distribute(run, send=send)
            logger.info("Sweep run %s: queued for the workers.", run.pk)
            return run
        run = SweepRun.objects.create(started_at=started_at, trigger=trigger)
        totals = SweepTotals()
        try:
            # One drain of the deliveries when the sweep ends, not one per achievement.
            with origin_as(SWEEP_ORIGIN), deliveries_drain_after():
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
        run.achievements_skipped = totals.achievements_skipped
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


def _sweep(totals: SweepTotals) -> None:
    every = achievements_with_switch()
    achievements = [a for a in every if a.organization_achievements_enabled]
    # Their organization has Enable Achievements off: not evaluated, counted on the run.
    totals.achievements_skipped = len(every) - len(achievements)
    if not achievements:
        return
    plans = plans_for(achievements)
    floor, _ = evaluation_floor()
    recent = recent_records(plans)
    quiet = [
        plan.achievement.pk
        for plan in plans
        if not plan.full and not plan.criteria.is_points and not has_news(plan, recent, False)
    ]
    tasks = [
        plan for plan in plans if not plan.criteria.is_points and plan.achievement.pk not in quiet
    ]
    outcomes = evaluate_all(tasks)
    points_earned = any(
        completed > 0 and plan.achievement.points > 0
        for plan, (completed, _) in zip(tasks, outcomes, strict=True)
        if not isinstance(completed, Exception)
    )
    # Points come last, in order, so that points earned in this sweep count in this sweep.
    for plan in plans:
        if not plan.criteria.is_points:
            continue
        if not plan.full and not has_news(plan, recent, points_earned):
            quiet.append(plan.achievement.pk)
            continue
        tasks.append(plan)
        [outcome] = evaluate_all([plan])
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
