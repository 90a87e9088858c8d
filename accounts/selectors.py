"""Reads about people: their roles, and which organizations they administer (written once here:
platform staff administer every organization, an organization administrator their own)."""

from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, QuerySet

from .models import User
from .roles import INSTRUCTOR, ORGANIZATION_ADMINISTRATOR, STUDENT

ModelT = TypeVar("ModelT", bound=Model)


def user_role_names(*, user: User) -> set[str]:
    """The role groups of a user, cached on the instance for the request."""
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._role_names = cached
    return cached


def user_is_org_admin(*, user: User) -> bool:
    return user.organization_id is not None and ORGANIZATION_ADMINISTRATOR in user_role_names(
        user=user
    )


def user_is_instructor(*, user: User) -> bool:
    return INSTRUCTOR in user_role_names(user=user)


def user_is_student(*, user: User) -> bool:
    return STUDENT in user_role_names(user=user)


def users_with_student_flag(*, queryset: QuerySet[User]) -> QuerySet[User]:
    """`queryset` with `is_student` on each user: whether they hold the Student role, the only
    people a badge may be issued to."""
    return queryset.annotate(
        is_student=Exists(
            User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=STUDENT)
        )
    )


def user_administers_organization(*, user: User, organization_id: int | None) -> bool:
    """Platform staff administer every organization; an organization administrator their own."""
    if user.is_staff:
        return True
    return (
        organization_id is not None
        and user.organization_id == organization_id
        and user_is_org_admin(user=user)
    )


def administered_by(
    *, user: User, queryset: QuerySet[ModelT], field: str = "organization_id"
) -> QuerySet[ModelT]:
    """`queryset` narrowed to the rows of the organizations a user administers (named by `field`):
    every row for platform staff, their own organization's for an organization administrator,
    none for anyone else. The list form of `user_administers_organization`."""
    if user.is_staff:
        return queryset
    if user_is_org_admin(user=user):
        return queryset.filter(**{field: user.organization_id})
    return queryset.none()


def user_may_set_participation(*, user: User, student: User) -> bool:
    """Participate in Achievements: the student themselves, and their organization's
    administrators (platform staff too)."""
    if user.pk == student.pk:
        return True
    return user.has_perm("achievements.change_achievement") and user_administers_organization(
        user=user, organization_id=student.organization_id
    )
