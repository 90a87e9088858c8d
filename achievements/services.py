"""Writes about achievements: creating and changing them. Mapping badges to them is the badges'
business (badges.services.profiles), the sweep the awarding app's (awarding/sweep/).

Whatever changes who meets an achievement, or who is due its badges, bumps
`Achievement.criteria_changed_at`: the next sweep then evaluates that achievement over all history
instead of only what was recorded since its watermark.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization

from .models import Achievement

DUPLICATE_NAME_MESSAGE = "Your organization already has an achievement named so."

# The fields that decide who meets an achievement (besides the course set).
CRITERIA_FIELDS = (
    "criteria_type",
    "lab_id",
    "course_id",
    "tag_id",
    "min_courses",
    "learning_path_id",
    "points_threshold",
    "availability",
)


def achievement_create(
    *,
    organization: Organization,
    achievement: Achievement,
    course_set: Iterable = (),
    available_to: Iterable = (),
) -> Achievement:
    """Save a new achievement (its fields filled by a form) for the organization. The next
    sweep evaluates it over all history: completions from before it existed count.

    Raises ValidationError (field "name") when the organization has an achievement of that name
    already, one saved since the form checked, say, by another administrator."""
    with transaction.atomic():
        achievement.organization = organization
        _save_or_refuse_duplicate_name(achievement)
        achievement.course_set.set(course_set)
        achievement.available_to.set(available_to)
    return achievement


def achievement_update(
    *,
    achievement: Achievement,
    course_set: Iterable | None = None,
    available_to: Iterable | None = None,
) -> Achievement:
    """Save the changes a form made to an achievement. If they change who meets it, the next
    sweep evaluates it again over all history; if they change its points or whether it counts,
    the points achievements of its organization are evaluated again too.

    Raises ValidationError (field "name") when it is renamed to a name its organization uses."""
    with transaction.atomic():
        before = Achievement.objects.select_for_update().get(pk=achievement.pk)
        old_courses = set(before.course_set.values_list("pk", flat=True))
        new_courses = old_courses if course_set is None else {course.pk for course in course_set}
        old_available = set(before.available_to.values_list("pk", flat=True))
        new_available = old_available if available_to is None else {org.pk for org in available_to}
        criteria_changed = (
            any(getattr(before, name) != getattr(achievement, name) for name in CRITERIA_FIELDS)
            or old_courses != new_courses
            or old_available != new_available
            or (achievement.is_enabled and not before.is_enabled)
        )
        points_changed = (
            before.points != achievement.points or before.is_enabled != achievement.is_enabled
        )
        now = timezone.now()
        if criteria_changed:
            achievement.criteria_changed_at = now
        _save_or_refuse_duplicate_name(achievement)
        if course_set is not None:
            achievement.course_set.set(course_set)
        if available_to is not None:
            achievement.available_to.set(available_to)
        if points_changed:
            _points_achievements_changed(organization_id=achievement.organization_id, now=now)
    return achievement


def achievement_set_enabled(*, achievement: Achievement, enabled: bool) -> Achievement:
    """Enable or disable an achievement. A disabled one is not evaluated and issues nothing; once
    enabled again it is evaluated over all history."""
    achievement.is_enabled = enabled
    return achievement_update(achievement=achievement)


def _save_or_refuse_duplicate_name(achievement: Achievement) -> None:
    """Save, and let the unique constraint decide: two administrators may pick the same name at
    once, after each form checked it was free."""
    try:
        with transaction.atomic():
            achievement.save()
    except IntegrityError as error:
        if (
            Achievement.objects.filter(
                organization_id=achievement.organization_id, name=achievement.name
            )
            .exclude(pk=achievement.pk)
            .exists()
        ):
            raise ValidationError({"name": DUPLICATE_NAME_MESSAGE}) from error
        raise


def _points_achievements_changed(*, organization_id: int, now) -> None:
    Achievement.objects.filter(
        organization_id=organization_id, criteria_type=Achievement.CriteriaType.POINTS
    ).update(criteria_changed_at=now)
