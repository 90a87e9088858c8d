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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from assignments.models import CourseAssignment
from catalog.models import Course, ExamAttempt, LabCompletion
from classes.models import CourseClass, Enrollment

from .models import Achievement, AchievementCompletion

LAB_COMPLETIONS = LabCompletion._meta.db_table
EXAM_ATTEMPTS = ExamAttempt._meta.db_table
ENROLLMENTS = Enrollment._meta.db_table
CLASSES = CourseClass._meta.db_table
ASSIGNMENTS = CourseAssignment._meta.db_table
COURSE_TAGS = Course.tags.through._meta.db_table
ACHIEVEMENTS = Achievement._meta.db_table
COMPLETIONS = AchievementCompletion._meta.db_table

Type = Achievement.CriteriaType


@dataclass(frozen=True)
class Criteria:
    """What an achievement asks for, saved or not (the preview evaluates an unsaved form)."""

    criteria_type: str
    organization_id: int
    achievement_id: int | None = None
    lab_id: int | None = None
    course_ids: tuple[int, ...] = ()
    tag_id: int | None = None
    min_courses: int | None = None
    exam_id: int | None = None
    points_threshold: int | None = None

    @classmethod
    def of(cls, achievement: Achievement) -> Criteria:
        """The criteria of a saved achievement. Its course set and learning path steps should be
        prefetched (`achievements_for_sweep` does) so that this costs no query."""
        return cls.build(
            criteria_type=achievement.criteria_type,
            organization_id=achievement.organization_id,
            achievement_id=achievement.pk,
            lab_id=achievement.lab_id,
            course_id=achievement.course_id,
            courses=(
                achievement.course_set.all() if achievement.criteria_type == Type.COURSE_SET else ()
            ),
            tag_id=achievement.tag_id,
            min_courses=achievement.min_courses,
            learning_path=achievement.learning_path,
            points_threshold=achievement.points_threshold,
        )

    @classmethod
    def build(
        cls,
        *,
        criteria_type: str,
        organization_id: int,
        achievement_id: int | None = None,
        lab_id: int | None = None,
        course_id: int | None = None,
        courses: Sequence = (),
        tag_id: int | None = None,
        min_courses: int | None = None,
        learning_path=None,
        points_threshold: int | None = None,
    ) -> Criteria:
        kwargs: dict = {}
        if criteria_type == Type.LAB:
            kwargs = {"lab_id": lab_id}
        elif criteria_type == Type.COURSE:
            kwargs = {"course_ids": (course_id,)}
        elif criteria_type == Type.COURSE_SET:
            kwargs = {"course_ids": tuple(sorted({course.pk for course in courses}))}
        elif criteria_type == Type.TAGGED_COURSES:
            kwargs = {"tag_id": tag_id, "min_courses": min_courses}
        elif criteria_type == Type.LEARNING_PATH:
            kwargs = {
                "course_ids": tuple(sorted({step.course_id for step in learning_path.steps.all()})),
                "exam_id": learning_path.exam_id,
            }
        elif criteria_type == Type.POINTS:
            kwargs = {"points_threshold": points_threshold}
        return cls(
            criteria_type=criteria_type,
            organization_id=organization_id,
            achievement_id=achievement_id,
            **kwargs,
        )

    @property
    def is_points(self) -> bool:
        return self.criteria_type == Type.POINTS


@dataclass(frozen=True)
class Scope:
    """Which students to look at. The default, everyone, is a full evaluation."""

    records_since: datetime | None = None
    completions_since: datetime | None = None
    student_ids: tuple[int, ...] | None = field(default=None)

    @property
    def is_full(self) -> bool:
        return (
            self.records_since is None
            and self.completions_since is None
            and self.student_ids is None
        )


EVERYONE = Scope()


class _Sql:
    """A fragment of SQL and its parameters, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql: str, *params) -> _Sql:
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def extend(self, other: tuple[str, list]) -> _Sql:
        self.parts.append(other[0])
        self.params.extend(other[1])
        return self

    def build(self) -> tuple[str, list]:
        return " ".join(self.parts), self.params


def db_datetime(value: datetime):
    """A datetime as the backend stores it, for raw SQL (SQLite compares text)."""
    return connection.ops.adapt_datetimefield_value(value)


def in_list(column: str, values: Sequence[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _later_of(first: str, second: str) -> str:
    return (
        f"GREATEST({first}, {second})"
        if connection.vendor == "postgresql"
        else (f"MAX({first}, {second})")
    )


def _course_filter(criteria: Criteria, column: str) -> tuple[str, list]:
    if criteria.criteria_type == Type.TAGGED_COURSES:
        return (
            f"{column} IN (SELECT ct.course_id FROM {COURSE_TAGS} ct WHERE ct.tag_id = %s)",
            [criteria.tag_id],
        )
    return in_list(column, criteria.course_ids)


def _candidates(criteria: Criteria, scope: Scope) -> tuple[str, list]:
    """A subquery of the student ids the scope asks for, for this criteria type."""
    if scope.student_ids is not None:
        raise ValueError("Named students are filtered with in_list, not a subquery.")
    if criteria.is_points:
        return (
            f"SELECT rc.student_id FROM {COMPLETIONS} rc "
            f"JOIN {ACHIEVEMENTS} ra ON ra.id = rc.achievement_id "
            "WHERE rc.recorded_at >= %s AND ra.organization_id = %s "
            "AND ra.is_enabled AND ra.points > 0",
            [db_datetime(scope.completions_since), criteria.organization_id],
        )
    since = db_datetime(scope.records_since)
    if criteria.criteria_type == Type.LAB:
        return (
            f"SELECT rl.student_id FROM {LAB_COMPLETIONS} rl "
            "WHERE rl.recorded_at >= %s AND rl.lab_id = %s",
            [since, criteria.lab_id],
        )
    sql = _Sql()
    class_course, class_params = _course_filter(criteria, "rk.course_id")
    assignment_course, assignment_params = _course_filter(criteria, "ra.course_id")
    sql.add(
        f"SELECT re.student_id FROM {ENROLLMENTS} re "
        f"JOIN {CLASSES} rk ON rk.id = re.course_class_id "
        f"WHERE re.completion_recorded_at >= %s AND re.completed_at IS NOT NULL AND {class_course}",
        since,
        *class_params,
    )
    sql.add(
        f"UNION SELECT ra.student_id FROM {ASSIGNMENTS} ra "
        f"WHERE ra.completion_recorded_at >= %s AND ra.completed_at IS NOT NULL "
        f"AND {assignment_course}",
        since,
        *assignment_params,
    )
    if criteria.criteria_type == Type.LEARNING_PATH:
        sql.add(
            f"UNION SELECT rx.student_id FROM {EXAM_ATTEMPTS} rx "
            "WHERE rx.recorded_at >= %s AND rx.exam_id = %s AND rx.passed",
            since,
            criteria.exam_id,
        )
    return sql.build()


def _student_filter(criteria: Criteria, scope: Scope, column: str) -> tuple[str, list]:
    """`AND <column> IN (…)` for a narrowed scope, nothing for a full evaluation."""
    if scope.student_ids is not None:
        condition, params = in_list(column, scope.student_ids)
        return f"AND {condition}", params
    if scope.is_full:
        return "", []
    if criteria.is_points and scope.completions_since is None:
        return "", []
    if not criteria.is_points and scope.records_since is None:
        return "", []
    subquery, params = _candidates(criteria, scope)
    return f"AND {column} IN ({subquery})", params


def _first_course_completions(criteria: Criteria, scope: Scope) -> tuple[str, list]:
    """(student_id, course_id, first_done): each student's first completion of each course the
    criteria counts, through a class enrollment or a course assignment."""
    sql = _Sql()
    class_course, class_params = _course_filter(criteria, "k.course_id")
    enrolled, enrolled_params = _student_filter(criteria, scope, "e.student_id")
    assignment_course, assignment_params = _course_filter(criteria, "a.course_id")
    assigned, assigned_params = _student_filter(criteria, scope, "a.student_id")
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
        f"FROM {ASSIGNMENTS} a WHERE a.completed_at IS NOT NULL AND {assignment_course} {assigned}",
        *assignment_params,
        *assigned_params,
    )
    sql.add(") d GROUP BY d.student_id, d.course_id")
    return sql.build()


def _every_course(criteria: Criteria, scope: Scope) -> tuple[str, list]:
    """Students who completed every course of `criteria.course_ids`; met when the last one was."""
    per_course, params = _first_course_completions(criteria, scope)
    return (
        f"SELECT p.student_id, MAX(p.first_done) AS first_met_at FROM ({per_course}) p "
        "GROUP BY p.student_id HAVING COUNT(*) = %s",
        [*params, len(criteria.course_ids)],
    )


def met_students_sql(criteria: Criteria, scope: Scope = EVERYONE) -> tuple[str, list]:
    """`SELECT student_id, first_met_at` of the students in scope who meet the criteria."""
    kind = criteria.criteria_type
    if kind == Type.LAB:
        students, params = _student_filter(criteria, scope, "l.student_id")
        return (
            "SELECT l.student_id, MIN(l.completed_at) AS first_met_at "
            f"FROM {LAB_COMPLETIONS} l WHERE l.lab_id = %s {students} GROUP BY l.student_id",
            [criteria.lab_id, *params],
        )
    if kind in (Type.COURSE, Type.COURSE_SET):
        if not criteria.course_ids:
            return _nobody()
        return _every_course(criteria, scope)
    if kind == Type.TAGGED_COURSES:
        per_course, params = _first_course_completions(criteria, scope)
        return (
            "SELECT r.student_id, r.first_done AS first_met_at FROM ("
            "SELECT t.student_id, t.first_done, ROW_NUMBER() OVER "
            "(PARTITION BY t.student_id ORDER BY t.first_done) AS position "
            f"FROM ({per_course}) t) r WHERE r.position = %s",
            [*params, criteria.min_courses],
        )
    if kind == Type.LEARNING_PATH:
        students, student_params = _student_filter(criteria, scope, "x.student_id")
        passed = (
            "SELECT x.student_id, MIN(x.attempted_at) AS passed_at "
            f"FROM {EXAM_ATTEMPTS} x WHERE x.exam_id = %s AND x.passed {students} "
            "GROUP BY x.student_id"
        )
        passed_params = [criteria.exam_id, *student_params]
        if not criteria.course_ids:
            return (
                f"SELECT px.student_id, px.passed_at AS first_met_at FROM ({passed}) px",
                passed_params,
            )
        courses, course_params = _every_course(criteria, scope)
        return (
            f"SELECT pc.student_id, {_later_of('pc.first_met_at', 'px.passed_at')} AS first_met_at "
            f"FROM ({courses}) pc JOIN ({passed}) px ON px.student_id = pc.student_id",
            [*course_params, *passed_params],
        )
    if kind == Type.POINTS:
        students, student_params = _student_filter(criteria, scope, "c.student_id")
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
    raise ValueError(f"Unknown criteria type {kind!r}")


def _nobody() -> tuple[str, list]:
    return (
        f"SELECT l.student_id, l.completed_at AS first_met_at FROM {LAB_COMPLETIONS} l WHERE 1 = 0",
        [],
    )
