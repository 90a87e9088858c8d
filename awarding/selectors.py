"""Reads for setting up automatic issuance: achievements with their badges, and the forecast of
what the next sweep will do, computed with the sweep's own query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet

from accounts.models import User
from achievements.criteria import COMPLETIONS, Criteria, met_students_sql
from achievements.models import Achievement, SweepRun
from achievements.selectors import achievements_for_user
from badges.models import Badge, BadgeIssuance

ISSUANCES = BadgeIssuance._meta.db_table


def achievements_with_counts(*, achievements: QuerySet[Achievement]) -> QuerySet[Achievement]:
    return achievements.annotate(
        completion_count=Count("completions", distinct=True),
        badge_count=Count("badges", distinct=True),
    ).order_by("name", "pk")


def achievement_for_page(*, user: User, pk: int) -> Achievement:
    """One achievement with what its page shows, or DoesNotExist outside the user's reach."""
    return (
        achievements_with_counts(achievements=achievements_for_user(user=user))
        .select_related("lab", "course", "tag", "learning_path__exam")
        .prefetch_related("course_set", "learning_path__steps__course", "badges")
        .get(pk=pk)
    )


def sweep_runs_for_user(*, user: User) -> QuerySet[SweepRun]:
    """The sweep runs: one sweep serves every organization, so administrators see them all."""
    if user.has_perm("achievements.view_sweeprun"):
        return SweepRun.objects.all()
    return SweepRun.objects.none()


@dataclass(frozen=True)
class BadgePreview:
    badge: Badge
    recipients: int


@dataclass(frozen=True)
class Preview:
    """What the next sweep would do for an achievement, as it is or as a form would change it.

    `meeting`: students who meet the criteria now; `newly`: those of them who have not completed
    the achievement yet (the next sweep records their completion); per mapped badge, the students
    who would receive it (they have completed or newly meet the achievement, and do not hold it).
    """

    meeting: int
    newly: int
    badges: tuple[BadgePreview, ...] = ()


def achievement_preview(
    *, criteria: Criteria, badges: Sequence[Badge] = (), achievement_id: int | None = None
) -> Preview:
    """Counts only, computed with the sweep's own query; one query, plus one per badge."""
    met, params = met_students_sql(criteria)
    if achievement_id is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({met}) m", params)
            meeting = cursor.fetchone()[0]
        return Preview(meeting=meeting, newly=meeting)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), "
            "COALESCE(SUM(CASE WHEN done.student_id IS NULL THEN 1 ELSE 0 END), 0) "
            f"FROM ({met}) m LEFT JOIN {COMPLETIONS} done "
            "ON done.achievement_id = %s AND done.student_id = m.student_id",
            [*params, achievement_id],
        )
        meeting, newly = cursor.fetchone()
        previews = []
        for badge in badges:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT m.student_id FROM ({met}) m "
                f"UNION SELECT done.student_id FROM {COMPLETIONS} done "
                "WHERE done.achievement_id = %s) due "
                f"WHERE NOT EXISTS (SELECT 1 FROM {ISSUANCES} i "
                "WHERE i.badge_id = %s AND i.recipient_id = due.student_id)",
                [*params, achievement_id, badge.pk],
            )
            previews.append(BadgePreview(badge=badge, recipients=cursor.fetchone()[0]))
    return Preview(meeting=meeting, newly=newly, badges=tuple(previews))
