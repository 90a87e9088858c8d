"""One sweep across Celery workers (SWEEP_DISTRIBUTED): its per-achievement evaluations run as
tasks on any number of workers, under one run record and one lock; points achievements after the
rest, in order, in one task; the result is the one of a sweep in one process.

The lock between processes is the run's lease. A PostgreSQL advisory lock belongs to one session,
so it cannot be held across the workers: the run is started under the advisory lock (lock.py),
which excludes a sweep in one process, and holds `lease_until`; every task renews it. While a
run is `running` with a lease in the future, every other sweep is recorded as skipped (runs.py).
A run whose workers were killed keeps its state and lets its lease run out: the next sweep marks
it interrupted and, since an evaluation moves its achievement's watermark in its own transaction,
does what was left.

Each task counts its evaluation on the run in the transaction that evaluates, under the run's row
lock, and only if its achievement is still `pending`: a task delivered twice (acks_late after a
lost worker) evaluates again to no effect and counts nothing. The task that empties `pending`
queues the points task, which finishes the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from achievements.models import AchievementWatermark, SweepRun
from badges.audit import SWEEP_ORIGIN, origin_as
from deliveries.services.kick import deliveries_drain_after

from .evaluation import evaluate, evaluation_floor
from .planning import Plan, achievements_with_switch, has_news, plans_for, recent_records

logger = logging.getLogger(__name__)

EVALUATE_TASK = "awarding.tasks.sweep_evaluate"
POINTS_TASK = "awarding.tasks.sweep_points"

Send = Callable[..., object]


def _lease() -> datetime:
    return timezone.now() + timedelta(seconds=settings.SWEEP_LEASE_SECONDS)


def _send(name: str, args: list) -> None:
    from celery import current_app

    current_app.send_task(name, args=args)


def _plans(achievement_ids: list[int] | None = None) -> list[Plan]:
    return plans_for(
        [
            a
            for a in achievements_with_switch(pks=achievement_ids)
            if a.organization_achievements_enabled
        ]
    )


def sweep_distribute(run: SweepRun, *, send: Send | None = None) -> None:
    """Plan the run (holding the lock: runs.py), move the watermarks of the quiet achievements,
    and queue a task per other achievement once this commits (points after them)."""
    send = send or _send
    every = achievements_with_switch()
    run.achievements_skipped = sum(not a.organization_achievements_enabled for a in every)
    plans = plans_for([a for a in every if a.organization_achievements_enabled])
    floor, _ = evaluation_floor()
    recent = recent_records(plans)
    quiet = [
        plan.achievement.pk
        for plan in plans
        if not plan.full and not plan.criteria.is_points and not has_news(plan, recent, False)
    ]
    if quiet:
        AchievementWatermark.objects.filter(pk__in=quiet).update(evaluated_through=floor)
    pending = [
        plan.achievement.pk
        for plan in plans
        if not plan.criteria.is_points and plan.achievement.pk not in quiet
    ]
    run.pending = pending
    run.lease_until = _lease()
    run.save(update_fields=["pending", "lease_until", "achievements_skipped"])
    if pending:
        for pk in pending:
            transaction.on_commit(lambda pk=pk: send(EVALUATE_TASK, [run.pk, pk]))
    else:
        transaction.on_commit(lambda: send(POINTS_TASK, [run.pk]))


def sweep_evaluate_for_run(*, run_id: int, achievement_id: int, send: Send | None = None) -> None:
    """One achievement's evaluation for a distributed run, counted on it once."""
    send = send or _send
    SweepRun.objects.filter(pk=run_id, status=SweepRun.Status.RUNNING).update(lease_until=_lease())
    run = SweepRun.objects.filter(pk=run_id, status=SweepRun.Status.RUNNING).first()
    if run is None or achievement_id not in (run.pending or []):
        return  # delivered again, or its run is over: done already
    plans = _plans([achievement_id])
    error = None
    completed = issued = 0
    with origin_as(SWEEP_ORIGIN), deliveries_drain_after(), transaction.atomic():
        if plans:
            try:
                with transaction.atomic():
                    completed, issued = evaluate(plans[0])
            except Exception as failure:  # one broken achievement must not stop the others
                logger.exception("Sweep of achievement %s failed.", achievement_id)
                achievement = plans[0].achievement
                error = (
                    f"Achievement {achievement.pk} ({achievement.name}): "
                    f"{type(failure).__name__}: {failure}"
                )
        run = SweepRun.objects.select_for_update().get(pk=run_id)
        if run.status != SweepRun.Status.RUNNING or achievement_id not in (run.pending or []):
            # Counted by a copy of this task, or the run was given up: undo, count nothing.
            transaction.set_rollback(True)
            return
        run.pending = [pk for pk in (run.pending or []) if pk != achievement_id]
        run.lease_until = _lease()
        if error:
            run.error = "\n".join(filter(None, [run.error, error]))
        elif plans:
            run.achievements_evaluated += 1
            run.achievements_evaluated_in_full += plans[0].full
            run.achievements_completed += completed
            run.badges_issued += issued
        run.save()
        if not run.pending:
            transaction.on_commit(lambda: send(POINTS_TASK, [run_id]))
    logger.info("Sweep run %s: achievement %s evaluated.", run_id, achievement_id)


def sweep_points_for_run(*, run_id: int) -> None:
    """The points achievements of a distributed run, lowest threshold first, so that points
    earned in this sweep count in it; then the run is finished."""
    SweepRun.objects.filter(pk=run_id, status=SweepRun.Status.RUNNING).update(lease_until=_lease())
    plans = [plan for plan in _plans() if plan.criteria.is_points]
    floor, _ = evaluation_floor()
    # Completions recorded by this run's tasks are news to them (recorded since their marks).
    recent = recent_records(plans)
    quiet, errors = [], []
    completed = issued = evaluated = in_full = 0
    with origin_as(SWEEP_ORIGIN), deliveries_drain_after():
        for plan in plans:
            if not plan.full and not has_news(plan, recent, False):
                quiet.append(plan.achievement.pk)
                continue
            try:
                done, given = evaluate(plan)
            except Exception as failure:
                logger.exception("Sweep of achievement %s failed.", plan.achievement.pk)
                errors.append(
                    f"Achievement {plan.achievement.pk} ({plan.achievement.name}): "
                    f"{type(failure).__name__}: {failure}"
                )
                continue
            logger.info("Sweep run %s: achievement %s evaluated.", run_id, plan.achievement.pk)
            evaluated += 1
            in_full += plan.full
            completed += done
            issued += given
    if quiet:
        AchievementWatermark.objects.filter(pk__in=quiet).update(evaluated_through=floor)
    finished_at = timezone.now()
    with transaction.atomic():
        run = SweepRun.objects.select_for_update().get(pk=run_id)
        if run.status != SweepRun.Status.RUNNING:
            return
        run.achievements_evaluated += evaluated
        run.achievements_evaluated_in_full += in_full
        run.achievements_completed += completed
        run.badges_issued += issued
        run.error = "\n".join(filter(None, [run.error, *errors]))
        run.finished_at = finished_at
        run.duration = finished_at - run.started_at
        run.lease_until = None
        run.status = SweepRun.Status.FAILED if run.error else SweepRun.Status.SUCCEEDED
        run.save()
    logger.info(
        "Sweep %s (distributed): %s achievements evaluated, %s badges issued in %s.",
        run.status,
        run.achievements_evaluated,
        run.badges_issued,
        run.duration,
    )
