"""Reads about achievements, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin

from .models import Achievement


def achievements_for_user(*, user: User) -> QuerySet[Achievement]:
    achievements = Achievement.objects.select_related("organization")
    if user.is_staff:
        return achievements
    if user_is_org_admin(user=user):
        return achievements.filter(organization_id=user.organization_id)
    return achievements.none()
