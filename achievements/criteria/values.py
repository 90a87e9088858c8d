"""What an achievement asks for and which students to look at, as plain values.

`Criteria` carries only the fields of its type, so that a saved achievement and the unsaved form
of the preview evaluate the same way, and so that the queries need no database access to be built.
`Scope` narrows the students looked at: everyone (a full evaluation), the students with records
recorded since a watermark (the sweep's incremental evaluation), or a few named students (the
re-evaluation after a completion is recorded through the portal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from accounts.models import Availability

from ..models import Achievement

if TYPE_CHECKING:
    from catalog.models import Course, LearningPath

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
    # Whose students it counts: its organization's; with "children" also its descendants'; with
    # "chosen" also those of `available_to` (Availability).
    availability: str = "own"
    available_to: tuple[int, ...] = ()

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
            availability=achievement.availability,
            available_to=(
                tuple(sorted(org.pk for org in achievement.available_to.all()))
                if achievement.availability == Availability.CHOSEN
                else ()
            ),
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
        courses: Sequence[Course] = (),
        tag_id: int | None = None,
        min_courses: int | None = None,
        learning_path: LearningPath | None = None,
        points_threshold: int | None = None,
        availability: str = Availability.OWN,
        available_to: Sequence[int] = (),
    ) -> Criteria:
        """The criteria of the given type, keeping only the fields that type uses."""
        kwargs: dict[str, Any] = {}
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
            availability=availability,
            available_to=tuple(sorted(set(available_to))),
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
    student_ids: tuple[int, ...] | None = None


EVERYONE = Scope()
