"""Reads about achievements, already narrowed to what a user may see."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import administered_by

from .models import Achievement


def achievements_for_user(*, user: User) -> QuerySet[Achievement]:
    achievements = Achievement.objects.select_related("organization")
    return administered_by(user=user, queryset=achievements)
