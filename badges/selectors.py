"""Reads about badges, already narrowed to what a user may see."""

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin

from .models import Badge, BadgeIssuance


def badges_for_user(*, user: User) -> QuerySet[Badge]:
    """Badges whose profile a user may open: their organization's, for administrators."""
    badges = Badge.objects.select_related("organization", "achievement")
    if user.is_staff:
        return badges
    if user_is_org_admin(user=user):
        return badges.filter(organization_id=user.organization_id)
    return badges.none()


def badges_with_holder_counts(*, badges: QuerySet[Badge]) -> QuerySet[Badge]:
    return badges.annotate(holder_count=Count("issuances"))


def issuances_of_student(*, student: User) -> QuerySet[BadgeIssuance]:
    return BadgeIssuance.objects.filter(recipient=student).select_related(
        "badge",
        "badge__organization",
        "issued_by",
        "source_achievement",
        "source_class",
        "source_assignment__course",
    )


def students_visible_to(*, user: User) -> QuerySet[User]:
    """Students whose Achievements/Badges page a user may open.

    A student: only themselves. An administrator: members of their organization and students
    enrolled in their organization's classes. An instructor: students on the rosters of the
    classes they teach (as the organization/contract rule lets them see). Staff: everyone.
    """
    from django.db.models import Q

    from classes.models import Enrollment

    if user.is_staff:
        return User.objects.all()
    condition = Q(pk=user.pk)
    if user_is_org_admin(user=user):
        condition |= Q(organization_id=user.organization_id) | Q(
            pk__in=Enrollment.objects.filter(
                course_class__organization_id=user.organization_id
            ).values("student_id")
        )
    taught = Enrollment.objects.filter(course_class__instructors=user)
    own_org_classes = taught.filter(course_class__organization_id=user.organization_id)
    contract_classes = taught.exclude(course_class__organization_id=user.organization_id)
    condition |= Q(
        pk__in=own_org_classes.filter(student__organization_id=user.organization_id).values(
            "student_id"
        )
    ) | Q(pk__in=contract_classes.values("student_id"))
    return User.objects.filter(condition)
