"""Complete a course, or every course of a set: met when the last of them was first completed.

A course set with no course is met by nobody: an empty query, which reads no completion.
"""

from __future__ import annotations

from .completions import CourseCompletionQuery
from .tables import LAB_COMPLETIONS
from .values import Scope, Type


class CourseQuery(CourseCompletionQuery):
    criteria_type = Type.COURSE

    def met_students(self, scope: Scope) -> tuple[str, list]:
        if not self.criteria.course_ids:
            return (
                "SELECT l.student_id, l.completed_at AS first_met_at "
                f"FROM {LAB_COMPLETIONS} l WHERE 1 = 0",
                [],
            )
        return self.every_course(scope)


class CourseSetQuery(CourseQuery):
    criteria_type = Type.COURSE_SET
