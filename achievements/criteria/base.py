"""The query of one criteria type: a subclass per type, as Moodle's `award_criteria` classes.

A subclass owns the two pieces of SQL its type needs: `met_students`, the students who meet the
criteria and since when, and `recorded_since`, the students with a record this type counts that
was recorded since a watermark. The base class turns a `Scope` into the filter on students that
`met_students` puts into its query, so that a narrowed evaluation looks at the same records as a
full one, only for fewer students.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import ClassVar

from common.sql import db_datetime, in_list

from .tables import USERS
from .values import Criteria, Scope


class CriteriaQuery(ABC):
    """The SQL that finds the students who meet a `Criteria` of `criteria_type`."""

    criteria_type: ClassVar[str]

    def __init__(self, criteria: Criteria) -> None:
        self.criteria = criteria

    @abstractmethod
    def met_students(self, scope: Scope) -> tuple[str, list]:
        """`SELECT student_id, first_met_at` of the students in scope who meet the criteria."""

    @abstractmethod
    def recorded_since(self, since: datetime) -> tuple[str, list]:
        """A subquery of the students with a record this criteria counts recorded at or after
        `since`: the candidates of an incremental evaluation."""

    # What progress counts, for "3 of 5 courses" (progress_sql's `done` out of `progress_goal`).
    progress_unit: ClassVar[str] = "step"

    def progress(self, scope: Scope) -> tuple[str, list]:
        """`SELECT student_id, done` of the students in scope with some progress toward the
        criteria (the others have none): how much of `progress_goal` each has done."""
        raise NotImplementedError

    @property
    def progress_goal(self) -> int:
        return 1

    def watermark(self, scope: Scope) -> datetime | None:
        """The watermark of the records this criteria counts: the completion records."""
        return scope.records_since

    def student_filter(self, scope: Scope, column: str) -> tuple[str, list]:
        """`AND <column> IN (…)` for a narrowed scope, nothing for a full evaluation."""
        if scope.student_ids is not None:
            condition, params = in_list(column, scope.student_ids)
            return f"AND {condition}", params
        since = self.watermark(scope)
        if since is None:
            return "", []
        subquery, params = self.recorded_since(since)
        # A student who took part in achievements again since is evaluated over their whole
        # history, as if all their records were new.
        return (
            f"AND ({column} IN ({subquery}) OR {column} IN "
            f"(SELECT rp.id FROM {USERS} rp WHERE rp.participation_changed_at >= %s))",
            [*params, db_datetime(since)],
        )
