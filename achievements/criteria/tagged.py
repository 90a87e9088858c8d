"""Complete at least N courses with a tag: met at the first completion of the N-th distinct one.

The tagged courses are read when the query runs, so a course tagged later counts too.
"""

from __future__ import annotations

from .completions import CourseCompletionQuery
from .tables import COURSE_TAGS
from .values import Scope, Type


class TaggedCoursesQuery(CourseCompletionQuery):
    criteria_type = Type.TAGGED_COURSES

    def course_filter(self, column: str) -> tuple[str, list]:
        return (
            f"{column} IN (SELECT ct.course_id FROM {COURSE_TAGS} ct WHERE ct.tag_id = %s)",
            [self.criteria.tag_id],
        )

    @property
    def progress_goal(self) -> int:
        return self.criteria.min_courses or 0

    def met_students(self, scope: Scope) -> tuple[str, list]:
        per_course, params = self.first_course_completions(scope)
        return (
            "SELECT r.student_id, r.first_done AS first_met_at FROM ("
            "SELECT t.student_id, t.first_done, ROW_NUMBER() OVER "
            "(PARTITION BY t.student_id ORDER BY t.first_done) AS position "
            f"FROM ({per_course}) t) r WHERE r.position = %s",
            [*params, self.criteria.min_courses],
        )
