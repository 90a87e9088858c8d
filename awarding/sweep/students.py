"""Evaluating a few named students now, after their completions were recorded in the portal
(awarding/services/reevaluation.py queues it). It takes no sweep lock: the unique constraints make
it safe next to a sweep, and it never moves a watermark.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from achievements.criteria import Criteria, Scope
from badges.services.issuance import badge_issue_for_achievements

from .evaluation import SweepTotals, record_completions
from .planning import achievements_for_sweep


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
            completed = record_completions(
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
