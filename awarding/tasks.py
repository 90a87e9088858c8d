"""Celery tasks: thin wrappers that call the sweep and log what it did."""

import logging

from celery import shared_task
from django.conf import settings

from achievements.models import SweepRun

from .sweep.distributed import sweep_evaluate_for_run, sweep_points_for_run
from .sweep.runs import sweep_run
from .sweep.students import achievements_evaluate_students

logger = logging.getLogger(__name__)


@shared_task(
    name="awarding.tasks.sweep_achievements",
    ignore_result=True,
    soft_time_limit=settings.SWEEP_TIME_LIMIT_SECONDS,
    time_limit=settings.SWEEP_TIME_LIMIT_SECONDS + 120,
)
def sweep_achievements() -> None:
    """The scheduled sweep (Celery beat, every SWEEP_INTERVAL_SECONDS)."""
    run = sweep_run(trigger=SweepRun.Trigger.SCHEDULE)
    logger.info("Sweep run %s: %s.", run.pk, run.get_status_display())


@shared_task(
    name="awarding.tasks.evaluate_students",
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
def evaluate_students(student_ids: list[int]) -> None:
    """Re-evaluate a few students right after their completions were recorded."""
    totals = achievements_evaluate_students(student_ids=student_ids)
    logger.info(
        "Re-evaluated %s student(s): %s achievement(s) completed, %s badge(s) issued.",
        len(student_ids),
        totals.achievements_completed,
        totals.badges_issued,
    )


@shared_task(
    name="awarding.tasks.sweep_evaluate",
    ignore_result=True,
    soft_time_limit=settings.SWEEP_TIME_LIMIT_SECONDS,
    time_limit=settings.SWEEP_TIME_LIMIT_SECONDS + 120,
)
def sweep_evaluate(run_id: int, achievement_id: int) -> None:
    """One achievement of a distributed sweep (SWEEP_DISTRIBUTED)."""
    sweep_evaluate_for_run(run_id=run_id, achievement_id=achievement_id)


@shared_task(
    name="awarding.tasks.sweep_points",
    ignore_result=True,
    soft_time_limit=settings.SWEEP_TIME_LIMIT_SECONDS,
    time_limit=settings.SWEEP_TIME_LIMIT_SECONDS + 120,
)
def sweep_points(run_id: int) -> None:
    """The points achievements of a distributed sweep, after the others; finishes its run."""
    sweep_points_for_run(run_id=run_id)
