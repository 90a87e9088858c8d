"""Writes about achievements: creating and changing them, mapping badges to them, and asking for a
re-evaluation when completions are recorded. The sweep itself is in sweep.py.

Whatever changes who meets an achievement, or who is due its badges, bumps
`Achievement.criteria_changed_at`: the next sweep then evaluates that achievement over all history
instead of only what was recorded since its watermark.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from badges.models import Badge

from .models import Achievement

logger = logging.getLogger(__name__)

# The fields that decide who meets an achievement (besides the course set).
CRITERIA_FIELDS = (
    "criteria_type",
    "lab_id",
    "course_id",
    "tag_id",
    "min_courses",
    "learning_path_id",
    "points_threshold",
)
# Students queued per re-evaluation task: small tasks, and few statements each.
STUDENTS_PER_TASK = 1000


def achievement_create(
    *, organization: Organization, achievement: Achievement, course_set: Iterable = ()
) -> Achievement:
    """Save a new achievement (its fields filled by a form) for the organization. The next
    sweep evaluates it over all history: completions from before it existed count."""
    with transaction.atomic():
        achievement.organization = organization
        achievement.save()
        achievement.course_set.set(course_set)
    return achievement


def achievement_update(
    *, achievement: Achievement, course_set: Iterable | None = None
) -> Achievement:
    """Save the changes a form made to an achievement. If they change who meets it, the next
    sweep evaluates it again over all history; if they change its points or whether it counts,
    the points achievements of its organization are evaluated again too."""
    with transaction.atomic():
        before = Achievement.objects.select_for_update().get(pk=achievement.pk)
        old_courses = set(before.course_set.values_list("pk", flat=True))
        new_courses = old_courses if course_set is None else {course.pk for course in course_set}
        criteria_changed = (
            any(getattr(before, name) != getattr(achievement, name) for name in CRITERIA_FIELDS)
            or old_courses != new_courses
            or (achievement.is_enabled and not before.is_enabled)
        )
        points_changed = (
            before.points != achievement.points or before.is_enabled != achievement.is_enabled
        )
        now = timezone.now()
        if criteria_changed:
            achievement.criteria_changed_at = now
        achievement.save()
        if course_set is not None:
            achievement.course_set.set(course_set)
        if points_changed:
            _points_achievements_changed(organization_id=achievement.organization_id, now=now)
    return achievement


def achievement_set_enabled(*, achievement: Achievement, enabled: bool) -> Achievement:
    """Enable or disable an achievement. A disabled one is not evaluated and issues nothing; once
    enabled again it is evaluated over all history."""
    achievement.is_enabled = enabled
    return achievement_update(achievement=achievement)


def achievement_map_badge(*, achievement: Achievement, badge: Badge) -> None:
    """Map a badge of the achievement's organization to it (moving it from the achievement it was
    mapped to, if any). The next sweep issues it to every student who completed the achievement,
    including those who completed it before the mapping existed."""
    if badge.organization_id != achievement.organization_id:
        raise ValidationError("The badge belongs to another organization.")
    with transaction.atomic():
        badge.achievement = achievement
        badge.save(update_fields=["achievement", "updated_at"])
        Achievement.objects.filter(pk=achievement.pk).update(criteria_changed_at=timezone.now())


def achievement_unmap_badge(*, achievement: Achievement, badge: Badge) -> None:
    """Stop issuing the badge for this achievement. Badges already issued are kept."""
    if badge.achievement_id != achievement.pk:
        raise ValidationError("The badge is not mapped to this achievement.")
    with transaction.atomic():
        badge.achievement = None
        badge.save(update_fields=["achievement", "updated_at"])
        Achievement.objects.filter(pk=achievement.pk).update(criteria_changed_at=timezone.now())


def _points_achievements_changed(*, organization_id: int, now) -> None:
    Achievement.objects.filter(
        organization_id=organization_id, criteria_type=Achievement.CriteriaType.POINTS
    ).update(criteria_changed_at=now)


def achievements_reevaluate_students_on_commit(*, student_ids: Iterable[int]) -> None:
    """Once the current transaction commits, queue a re-evaluation of these students so that their
    badges appear within seconds rather than at the next hourly sweep.

    Queuing must never break the write that recorded the completion: if the broker cannot be
    reached the failure is logged, and the next sweep picks the students up from the records'
    timestamps anyway."""
    ids = sorted({int(pk) for pk in student_ids})
    if not ids:
        return

    def enqueue() -> None:
        from .tasks import evaluate_students

        try:
            with evaluate_students.app.connection_for_write() as broker:
                # One quick attempt: the request that recorded the completion must not wait
                # for a broker that is down.
                broker.ensure_connection(max_retries=1, interval_start=0, interval_max=0)
                for start in range(0, len(ids), STUDENTS_PER_TASK):
                    evaluate_students.apply_async(
                        args=[ids[start : start + STUDENTS_PER_TASK]],
                        retry=False,
                        connection=broker,
                    )
        except Exception:  # the broker is down, or the task failed when run eagerly
            logger.warning(
                "Could not re-evaluate %s student(s) now; the next sweep will.",
                len(ids),
                exc_info=True,
            )

    transaction.on_commit(enqueue)
