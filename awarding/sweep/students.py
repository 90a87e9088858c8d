"""Evaluating a few named students now, after their completions were recorded in the portal
(awarding/services/reevaluation.py queues it). It takes no sweep lock: the unique constraints make
it safe next to a sweep, and it never moves a watermark.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from achievements.criteria import Criteria, Scope, met_again_sql
from badges.services.issuance import (
    badge_issue_for_achievements,
    badge_renew_for_achievement,
    expiring_badges,
)

from .evaluation import SweepTotals, record_completions
from .planning import achievements_for_sweep

# How far back a re-evaluation looks for the records that renew an expired badge; older ones
# are the sweep's (it renews from the records since its watermark).
RECENT_RECORDS = timedelta(hours=1)


def achievements_evaluate_students(*, student_ids: Sequence[int]) -> SweepTotals:
    """Evaluate every enabled achievement for these students only, over all their history, and
    issue the mapped badges they are due: what the sweep would do for them, right now."""
    totals = SweepTotals()
    student_ids = tuple(sorted({int(pk) for pk in student_ids}))
    if not student_ids:
        return totals
    scope = Scope(student_ids=student_ids)
    # The records that queued this re-evaluation were made moments ago: an expired badge is
    # renewed only by a record made since then (and after it expired).
    recent = timezone.now() - RECENT_RECORDS
    for achievement in achievements_for_sweep():
        criteria = Criteria.of(achievement)
        with transaction.atomic():
            completed, _ = record_completions(
                criteria=criteria,
                scope=scope,
                # PostgreSQL stamps with the transaction's start, as the sweep's floor expects.
                stamp=None if connection.vendor == "postgresql" else timezone.now(),
            )
            expiring = expiring_badges(achievement_ids=[achievement.pk])
            issued = badge_issue_for_achievements(
                achievement_ids=[achievement.pk], student_ids=student_ids, expiring=expiring
            )
            if expiring:
                issued += badge_renew_for_achievement(
                    achievement_id=achievement.pk,
                    floor=recent,
                    candidates=lambda since, c=criteria: met_again_sql(c, scope, since),
                    student_ids=student_ids,
                    expiring=expiring,
                )
        totals.achievements_evaluated += 1
        totals.achievements_completed += completed
        totals.badges_issued += issued
    return totals
