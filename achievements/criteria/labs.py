"""Complete a lab: met at the student's first completion of it."""

from __future__ import annotations

from datetime import datetime

from common.sql import db_datetime

from .base import CriteriaQuery
from .tables import LAB_COMPLETIONS
from .values import Scope, Type


class LabQuery(CriteriaQuery):
    criteria_type = Type.LAB

    def met_students(self, scope: Scope) -> tuple[str, list]:
        students, params = self.student_filter(scope, "l.student_id")
        return (
            "SELECT l.student_id, MIN(l.completed_at) AS first_met_at "
            f"FROM {LAB_COMPLETIONS} l WHERE l.lab_id = %s {students} GROUP BY l.student_id",
            [self.criteria.lab_id, *params],
        )

    progress_unit = "lab"

    def progress(self, scope: Scope) -> tuple[str, list]:
        students, params = self.student_filter(scope, "l.student_id")
        return (
            f"SELECT l.student_id, 1 AS done FROM {LAB_COMPLETIONS} l "
            f"WHERE l.lab_id = %s {students} GROUP BY l.student_id",
            [self.criteria.lab_id, *params],
        )

    def recorded_since(self, since: datetime) -> tuple[str, list]:
        return (
            f"SELECT rl.student_id FROM {LAB_COMPLETIONS} rl "
            "WHERE rl.recorded_at >= %s AND rl.lab_id = %s",
            [db_datetime(since), self.criteria.lab_id],
        )
