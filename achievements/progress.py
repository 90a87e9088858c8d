"""How far a student is toward the achievements they have not met yet: "30 of 40 points",
"3 of 5 courses". Each criteria class owns its progress SQL (`CriteriaQuery.progress`); this reads
them all for one student in one UNION ALL query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch

from accounts.models import User
from catalog.models import LearningPathCourse

from .criteria import QUERIES, Criteria, Scope
from .models import Achievement

Type = Achievement.CriteriaType


@dataclass(frozen=True)
class AchievementProgress:
    achievement: Achievement
    done: int
    goal: int
    unit: str

    @property
    def done_capped(self) -> int:
        return min(self.done, self.goal)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.goal)) if self.goal else 0

    @property
    def text(self) -> str:
        """ "3 of 5 courses", "30 of 40 points", "2 of 3 courses tagged Cloud", "1 of 4 steps
        (the path's 3 courses and its exam)"."""
        units = self.unit if self.goal == 1 else f"{self.unit}s"
        text = f"{self.done_capped} of {self.goal} {units}"
        achievement = self.achievement
        if achievement.criteria_type == Type.TAGGED_COURSES and achievement.tag is not None:
            text += f" tagged {achievement.tag}"
        if achievement.criteria_type == Type.LEARNING_PATH:
            courses = self.goal - 1
            text += f" (the path's {courses} course{'s' if courses != 1 else ''} and its exam)"
        return text


def achievements_in_progress_for_student(*, student: User) -> list[AchievementProgress]:
    """The enabled achievements of the student's organization that the student has not completed
    yet, each with the progress made, most advanced first. Three queries (the achievements and
    two prefetches) and one for every progress at once, whatever the number of achievements."""
    if student.organization_id is None:
        return []
    achievements = list(
        Achievement.objects.filter(organization_id=student.organization_id, is_enabled=True)
        .exclude(completions__student=student)
        .select_related("learning_path", "tag")
        .prefetch_related(
            "course_set",
            Prefetch(
                "learning_path__steps",
                queryset=LearningPathCourse.objects.only("id", "learning_path_id", "course_id"),
            ),
        )
        .order_by("name", "pk")
    )
    if not achievements:
        return []
    scope = Scope(student_ids=(student.pk,))
    queries = [QUERIES[a.criteria_type](Criteria.of(a)) for a in achievements]
    parts, params = [], []
    for achievement, query in zip(achievements, queries, strict=True):
        sql, query_params = query.progress(scope)
        parts.append(f"SELECT %s AS achievement_id, q.done FROM ({sql}) q")
        params.extend([achievement.pk, *query_params])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        done = {achievement_id: int(value or 0) for achievement_id, value in cursor.fetchall()}
    progress = [
        AchievementProgress(
            achievement=achievement,
            done=done.get(achievement.pk, 0),
            goal=query.progress_goal,
            unit=query.progress_unit,
        )
        for achievement, query in zip(achievements, queries, strict=True)
        if query.progress_goal > 0
    ]
    return sorted(progress, key=lambda item: -item.percent)
