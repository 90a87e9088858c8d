"""Accumulate at least N points: met at the completion that brought the points to the threshold.

Points add up the enabled achievements of the achievement's own organization, not counting the
achievement itself; they are earned by achievement completions, so the watermark of an incremental
evaluation is the one of the completions, not of the completion records.
"""

from __future__ import annotations

from datetime import datetime

from common.sql import db_datetime

from .base import CriteriaQuery
from .tables import ACHIEVEMENTS, COMPLETIONS
from .values import Scope, Type


class PointsQuery(CriteriaQuery):
    criteria_type = Type.POINTS

    def watermark(self, scope: Scope) -> datetime | None:
        return scope.completions_since

    def met_students(self, scope: Scope) -> tuple[str, list]:
        criteria = self.criteria
        students, student_params = self.student_filter(scope, "c.student_id")
        itself, itself_params = ("", [])
        if criteria.achievement_id is not None:
            itself, itself_params = "AND a.id <> %s", [criteria.achievement_id]
        counted = (
            f"FROM {COMPLETIONS} c JOIN {ACHIEVEMENTS} a ON a.id = c.achievement_id "
            f"WHERE a.organization_id = %s AND a.is_enabled AND a.points > 0 {itself} {students}"
        )
        counted_params = [criteria.organization_id, *itself_params, *student_params]
        # Only students whose total reaches the threshold are ordered: the running total, in
        # the order the achievements were first met, reaches it at the completion that first
        # met this achievement.
        return (
            "SELECT r.student_id, MIN(r.first_met_at) AS first_met_at FROM ("
            "SELECT c.student_id, c.first_met_at, SUM(a.points) OVER ("
            "PARTITION BY c.student_id ORDER BY c.first_met_at, c.achievement_id "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_total "
            f"{counted} AND c.student_id IN ("
            f"SELECT c.student_id {counted} GROUP BY c.student_id HAVING SUM(a.points) >= %s)"
            ") r WHERE r.running_total >= %s GROUP BY r.student_id",
            [
                *counted_params,
                *counted_params,
                criteria.points_threshold,
                criteria.points_threshold,
            ],
        )

    progress_unit = "point"

    def progress(self, scope: Scope) -> tuple[str, list]:
        """The points each student has earned toward the threshold."""
        criteria = self.criteria
        students, student_params = self.student_filter(scope, "c.student_id")
        itself, itself_params = ("", [])
        if criteria.achievement_id is not None:
            itself, itself_params = "AND a.id <> %s", [criteria.achievement_id]
        return (
            f"SELECT c.student_id, SUM(a.points) AS done FROM {COMPLETIONS} c "
            f"JOIN {ACHIEVEMENTS} a ON a.id = c.achievement_id "
            f"WHERE a.organization_id = %s AND a.is_enabled AND a.points > 0 {itself} {students} "
            "GROUP BY c.student_id",
            [criteria.organization_id, *itself_params, *student_params],
        )

    @property
    def progress_goal(self) -> int:
        return self.criteria.points_threshold or 0

    def recorded_since(self, since: datetime) -> tuple[str, list]:
        return (
            f"SELECT rc.student_id FROM {COMPLETIONS} rc "
            f"JOIN {ACHIEVEMENTS} ra ON ra.id = rc.achievement_id "
            "WHERE rc.recorded_at >= %s AND ra.organization_id = %s "
            "AND ra.is_enabled AND ra.points > 0",
            [db_datetime(since), self.criteria.organization_id],
        )
