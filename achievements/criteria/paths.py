"""Complete a learning path and pass its exam: met at the later of "every course of the path" and
"first passing attempt at its exam". A path without courses asks for the exam alone.

A passing attempt recorded since the watermark makes a student a candidate too, as a completion
does.
"""

from __future__ import annotations

from datetime import datetime

from common.sql import SqlBuilder, db_datetime, later_of

from .completions import CourseCompletionQuery
from .tables import EXAM_ATTEMPTS
from .values import Scope, Type


class LearningPathQuery(CourseCompletionQuery):
    criteria_type = Type.LEARNING_PATH

    def met_students(self, scope: Scope) -> tuple[str, list]:
        students, student_params = self.student_filter(scope, "x.student_id")
        passed = (
            "SELECT x.student_id, MIN(x.attempted_at) AS passed_at "
            f"FROM {EXAM_ATTEMPTS} x WHERE x.exam_id = %s AND x.passed {students} "
            "GROUP BY x.student_id"
        )
        passed_params = [self.criteria.exam_id, *student_params]
        if not self.criteria.course_ids:
            return (
                f"SELECT px.student_id, px.passed_at AS first_met_at FROM ({passed}) px",
                passed_params,
            )
        courses, course_params = self.every_course(scope)
        return (
            f"SELECT pc.student_id, {later_of('pc.first_met_at', 'px.passed_at')} AS first_met_at "
            f"FROM ({courses}) pc JOIN ({passed}) px ON px.student_id = pc.student_id",
            [*course_params, *passed_params],
        )

    progress_unit = "step"

    def progress(self, scope: Scope) -> tuple[str, list]:
        """Each course of the path completed is a step, and so is passing its exam."""
        students, student_params = self.student_filter(scope, "x.student_id")
        sql = SqlBuilder()
        sql.add("SELECT s.student_id, SUM(s.done) AS done FROM (")
        if self.criteria.course_ids:
            courses, course_params = super().progress(scope)
            sql.add(f"{courses} UNION ALL", *course_params)
        sql.add(
            f"SELECT x.student_id, 1 AS done FROM {EXAM_ATTEMPTS} x "
            f"WHERE x.exam_id = %s AND x.passed {students} GROUP BY x.student_id",
            self.criteria.exam_id,
            *student_params,
        )
        sql.add(") s GROUP BY s.student_id")
        return sql.build()

    @property
    def progress_goal(self) -> int:
        return len(self.criteria.course_ids) + 1

    def recorded_since(self, since: datetime) -> tuple[str, list]:
        completed, params = super().recorded_since(since)
        return (
            SqlBuilder()
            .add(completed, *params)
            .add(
                f"UNION SELECT rx.student_id FROM {EXAM_ATTEMPTS} rx "
                "WHERE rx.recorded_at >= %s AND rx.exam_id = %s AND rx.passed",
                db_datetime(since),
                self.criteria.exam_id,
            )
            .build()
        )
