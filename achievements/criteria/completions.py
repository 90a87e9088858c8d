"""What the criteria met by completing courses share: a course is completed through a class
enrollment or a course assignment, whichever came first, and a student is a candidate of an
incremental evaluation when either kind of completion was recorded since the watermark.

Which courses count is the one thing the course criteria differ in (`course_filter`): the course
of the achievement, its course set, its learning path's courses, or the courses with its tag.
"""

from __future__ import annotations

from datetime import datetime

from common.sql import SqlBuilder, db_datetime, in_list

from .base import CriteriaQuery
from .tables import ASSIGNMENTS, CLASSES, ENROLLMENTS
from .values import Scope


class CourseCompletionQuery(CriteriaQuery):
    """The base of the criteria met by completing courses."""

    def course_filter(self, column: str) -> tuple[str, list]:
        """`<column>` is a course this criteria counts."""
        return in_list(column, self.criteria.course_ids)

    def recorded_since(self, since: datetime) -> tuple[str, list]:
        sql = SqlBuilder()
        recorded = db_datetime(since)
        class_course, class_params = self.course_filter("rk.course_id")
        assignment_course, assignment_params = self.course_filter("ra.course_id")
        sql.add(
            f"SELECT re.student_id FROM {ENROLLMENTS} re "
            f"JOIN {CLASSES} rk ON rk.id = re.course_class_id "
            "WHERE re.completion_recorded_at >= %s AND re.completed_at IS NOT NULL "
            f"AND {class_course}",
            recorded,
            *class_params,
        )
        sql.add(
            f"UNION SELECT ra.student_id FROM {ASSIGNMENTS} ra "
            f"WHERE ra.completion_recorded_at >= %s AND ra.completed_at IS NOT NULL "
            f"AND {assignment_course}",
            recorded,
            *assignment_params,
        )
        return sql.build()

    def first_course_completions(self, scope: Scope) -> tuple[str, list]:
        """(student_id, course_id, first_done): each student's first completion of each course the
        criteria counts, through a class enrollment or a course assignment."""
        sql = SqlBuilder()
        class_course, class_params = self.course_filter("k.course_id")
        enrolled, enrolled_params = self.student_filter(scope, "e.student_id")
        assignment_course, assignment_params = self.course_filter("a.course_id")
        assigned, assigned_params = self.student_filter(scope, "a.student_id")
        sql.add("SELECT d.student_id, d.course_id, MIN(d.completed_at) AS first_done FROM (")
        sql.add(
            "SELECT e.student_id AS student_id, k.course_id AS course_id, "
            f"e.completed_at AS completed_at FROM {ENROLLMENTS} e "
            f"JOIN {CLASSES} k ON k.id = e.course_class_id "
            f"WHERE e.completed_at IS NOT NULL AND {class_course} {enrolled}",
            *class_params,
            *enrolled_params,
        )
        sql.add(
            "UNION ALL SELECT a.student_id, a.course_id, a.completed_at "
            f"FROM {ASSIGNMENTS} a WHERE a.completed_at IS NOT NULL "
            f"AND {assignment_course} {assigned}",
            *assignment_params,
            *assigned_params,
        )
        sql.add(") d GROUP BY d.student_id, d.course_id")
        return sql.build()

    progress_unit = "course"

    def progress(self, scope: Scope) -> tuple[str, list]:
        """The distinct courses counted that each student has completed."""
        per_course, params = self.first_course_completions(scope)
        return (
            f"SELECT p.student_id, COUNT(*) AS done FROM ({per_course}) p GROUP BY p.student_id",
            params,
        )

    @property
    def progress_goal(self) -> int:
        return len(self.criteria.course_ids)

    def every_course(self, scope: Scope) -> tuple[str, list]:
        """Students who completed every course of `criteria.course_ids`; met when the last one
        was."""
        per_course, params = self.first_course_completions(scope)
        return (
            f"SELECT p.student_id, MAX(p.first_done) AS first_met_at FROM ({per_course}) p "
            "GROUP BY p.student_id HAVING COUNT(*) = %s",
            [*params, len(self.criteria.course_ids)],
        )
