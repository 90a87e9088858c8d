"""The criteria of an achievement as one SQL query: which students meet it, and since when.

`met_students_sql` returns a `SELECT student_id, first_met_at` over the completion records; the
sweep wraps it in `INSERT … SELECT … ON CONFLICT DO NOTHING` and the preview in `SELECT COUNT(*)`,
so the page shows exactly what the next sweep will do. `first_met_at` is the moment the requirement
was first met: the first completion of a lab or course, the moment the last course of a set was
first completed, the N-th distinct tagged course, the later of "every course of the path" and
"first passing attempt at its exam", or the completion that brought the points to the threshold.

Criteria look at completion records of every student, whatever their organization (a student
"who has at any time completed the requirements" earns the badge); points add up the achievements
of the achievement's own organization.

A `Scope` narrows the students looked at: everyone (a full evaluation), the students with records
recorded since a watermark (the sweep's incremental evaluation), or a few named students (the
re-evaluation after a completion is recorded through the portal).

As Moodle's `award_criteria` classes, each criteria type has its class (`base.CriteriaQuery`),
in a module of its own, owning the SQL that finds the students who meet it; `met_students_sql`
looks the class up by the criteria type. A new criteria type is a new class added to `QUERIES`.
"""

from __future__ import annotations

from datetime import datetime

from accounts.models import Availability
from accounts.tree import descendants_sql
from common.sql import db_datetime, in_list

from .base import CriteriaQuery
from .courses import CourseQuery, CourseSetQuery
from .labs import LabQuery
from .paths import LearningPathQuery
from .points import PointsQuery
from .tables import (
    ACHIEVEMENTS,
    ASSIGNMENTS,
    CLASSES,
    COMPLETIONS,
    COURSE_TAGS,
    ENROLLMENTS,
    EXAM_ATTEMPTS,
    LAB_COMPLETIONS,
    USERS,
)
from .tagged import TaggedCoursesQuery
from .values import EVERYONE, Criteria, Scope

__all__ = [
    "ACHIEVEMENTS",
    "ASSIGNMENTS",
    "CLASSES",
    "COMPLETIONS",
    "COURSE_TAGS",
    "ENROLLMENTS",
    "EVERYONE",
    "EXAM_ATTEMPTS",
    "LAB_COMPLETIONS",
    "QUERIES",
    "USERS",
    "Criteria",
    "CriteriaQuery",
    "Scope",
    "db_datetime",
    "in_list",
    "met_students_sql",
]

# The query class of each criteria type, by type.
QUERIES: dict[str, type[CriteriaQuery]] = {
    query.criteria_type: query
    for query in (
        LabQuery,
        CourseQuery,
        CourseSetQuery,
        TaggedCoursesQuery,
        LearningPathQuery,
        PointsQuery,
    )
}


def audience_sql(criteria: Criteria, column: str) -> tuple[str, list]:
    """`column` (a student's organization) is one the achievement counts: its own, and with its
    Availability its child organizations (the whole subtree, one recursive query) or the
    chosen ones."""
    if criteria.availability == Availability.CHILDREN:
        return f"{column} IN ({descendants_sql()})", [criteria.organization_id]
    if criteria.availability == Availability.CHOSEN and criteria.available_to:
        return in_list(column, [criteria.organization_id, *criteria.available_to])
    return f"{column} = %s", [criteria.organization_id]


def met_students_sql(criteria: Criteria, scope: Scope = EVERYONE) -> tuple[str, list]:
    """`SELECT student_id, first_met_at` of the students in scope who meet the criteria: of the
    organizations it counts (its Availability), taking part in achievements (Participate in
    Achievements)."""
    try:
        query = QUERIES[criteria.criteria_type]
    except KeyError:
        raise ValueError(f"Unknown criteria type {criteria.criteria_type!r}") from None
    met, params = query(criteria).met_students(scope)
    audience, audience_params = audience_sql(criteria, "p.organization_id")
    return (
        f"SELECT m.student_id, m.first_met_at FROM ({met}) m "
        f"JOIN {USERS} p ON p.id = m.student_id "
        f"WHERE p.participates_in_achievements AND {audience}",
        [*params, *audience_params],
    )


def met_again_sql(criteria: Criteria, scope: Scope, since: datetime) -> tuple[str, list]:
    """`SELECT student_id` of the students in scope who meet the criteria and have a record it
    counts made at or after `since`: those who met it again (after a badge of it expired)."""
    query = QUERIES[criteria.criteria_type](criteria)
    met, met_params = met_students_sql(criteria, scope)
    recent, recent_params = query.recorded_since(since)
    return (
        f"SELECT m.student_id FROM ({met}) m WHERE m.student_id IN ({recent})",
        [*met_params, *recent_params],
    )
