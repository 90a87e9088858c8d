"""Which achievements a sweep evaluates, and from when.

What makes a sweep with nothing new cheap: each achievement keeps a watermark (achievements.models.
AchievementWatermark). An achievement whose criteria and badges did not change since is evaluated
only for the students with completion records recorded since its watermark, and one query tells
whether any table has such records at all; if none has, the sweep does no per-achievement work.
A new or changed achievement, or one whose mapped badges changed, is evaluated over all history.

Records are looked at from the watermark less SWEEP_OVERLAP_SECONDS, which covers clocks of
different machines and the instant between a record's timestamp and its insert (how the watermark
itself is chosen: evaluation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import F, Max, Prefetch
from django.utils import timezone

from achievements.criteria import (
    ACHIEVEMENTS,
    ASSIGNMENTS,
    COMPLETIONS,
    ENROLLMENTS,
    EXAM_ATTEMPTS,
    LAB_COMPLETIONS,
    USERS,
    Criteria,
)
from achievements.models import Achievement
from badges.models import Badge
from catalog.models import LearningPathCourse
from common.sql import db_datetime

Type = Achievement.CriteriaType


@dataclass(frozen=True)
class Plan:
    """One achievement to evaluate: over all history (`full`), or only the records since."""

    achievement: Achievement
    criteria: Criteria
    full: bool
    records_since: datetime | None = None
    completions_since: datetime | None = None
    # The records that may renew an expired badge: those since the last evaluation, also when
    # this one is in full (None: never evaluated, nothing to renew).
    renewals_since: datetime | None = None


def achievements_for_sweep() -> list[Achievement]:
    """The enabled achievements of organizations with Enable Achievements on, in evaluation
    order: points last (lowest threshold first), so that points earned in this sweep count in
    this sweep. A fixed number of queries."""
    return [a for a in achievements_with_switch() if a.organization_achievements_enabled]


def achievements_with_switch(*, pks: Sequence[int] | None = None) -> list[Achievement]:
    """Every enabled achievement (of `pks` if given), each with
    `organization_achievements_enabled` (its organization's Enable Achievements), in evaluation
    order."""
    enabled = Achievement.objects.filter(is_enabled=True)
    if pks is not None:
        enabled = enabled.filter(pk__in=pks)
    achievements = list(
        enabled.annotate(organization_achievements_enabled=F("organization__achievements_enabled"))
        .select_related("learning_path", "watermark")
        .prefetch_related(
            "course_set",
            "available_to",
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


def plans_for(achievements: Sequence[Achievement]) -> list[Plan]:
    """A plan per achievement: in full if it, or its mapped badges, changed since its watermark."""
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
            plans.append(
                Plan(
                    achievement=achievement,
                    criteria=criteria,
                    full=True,
                    renewals_since=watermark.evaluated_through - margin if watermark else None,
                )
            )
        else:
            plans.append(
                Plan(
                    achievement=achievement,
                    criteria=criteria,
                    full=False,
                    records_since=watermark.evaluated_through - margin,
                    completions_since=watermark.evaluated_through - completions_margin,
                    renewals_since=watermark.evaluated_through - margin,
                )
            )
    return plans


def recent_records(plans: Sequence[Plan]) -> dict[str, bool]:
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
            "WHERE c.achievement_id = a.id AND c.recorded_at >= %s)), "
            # A student who takes part in achievements again: their whole history is news.
            f"EXISTS (SELECT 1 FROM {USERS} WHERE participation_changed_at >= %s)",
            [records_since] * 4 + [completions_since, records_since],
        )
        lab, exam, enrollment, assignment, completion, participation = cursor.fetchone()
    return {
        "lab": bool(lab),
        "exam": bool(exam),
        "course": bool(enrollment or assignment),
        "completion": bool(completion),
        "participation": bool(participation),
    }


def has_news(plan: Plan, recent: dict[str, bool], points_earned: bool) -> bool:
    """Whether an incremental plan has records to look at (`recent` from recent_records)."""
    kind = plan.criteria.criteria_type
    if recent["participation"]:
        return True
    if kind == Type.LAB:
        return recent["lab"]
    if kind == Type.LEARNING_PATH:
        return recent["course"] or recent["exam"]
    if kind == Type.POINTS:
        return recent["completion"] or points_earned
    return recent["course"]
