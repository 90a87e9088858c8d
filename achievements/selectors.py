"""Reads about achievements, already narrowed to what a user may see."""

from django.db.models import OuterRef, Q, QuerySet

from accounts.models import User
from accounts.selectors import administered_by
from accounts.tree import available_in

from .models import Achievement, AchievementCompletion


def achievements_available_in(*, organization_id: int, prefix: str = "") -> Q:
    """Achievements that count the students of this organization (Availability)."""
    return available_in(
        organization_id=organization_id,
        chosen=Achievement.available_to.through.objects.filter(
            achievement_id=OuterRef(f"{prefix}pk"), organization_id=organization_id
        ),
        prefix=prefix,
    )


def completions_of_student(*, student: User, viewer: User) -> QuerySet[AchievementCompletion]:
    """A student's achievement completions as `viewer` may see them: all of them for the student
    and platform staff; for anyone else those of their organization's achievements (and of the
    achievements made available to it)."""
    completions = student.achievement_completions.select_related("achievement").order_by(
        "-first_met_at", "pk"
    )
    if viewer.pk == student.pk or viewer.is_staff:
        return completions
    if viewer.organization_id is None:
        return completions.none()
    return completions.filter(
        pk__in=AchievementCompletion.objects.filter(
            achievements_available_in(
                organization_id=viewer.organization_id, prefix="achievement__"
            )
        ).values("pk")
    )


def achievements_for_user(*, user: User) -> QuerySet[Achievement]:
    achievements = Achievement.objects.select_related("organization")
    return administered_by(user=user, queryset=achievements)
