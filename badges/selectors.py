"""Reads about badges, already narrowed to what a user may see."""

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.selectors import user_is_instructor, user_is_org_admin

from .models import Badge, BadgeChange, BadgeIssuance

BADGE_HISTORY_LENGTH = 50


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


def badge_history(*, badge: Badge, limit: int = BADGE_HISTORY_LENGTH) -> QuerySet[BadgeChange]:
    """The latest recorded changes of a badge, newest first."""
    return badge.changes.select_related("actor")[:limit]


def _issuance_related(issuances: QuerySet[BadgeIssuance]) -> QuerySet[BadgeIssuance]:
    """Everything a row of issuances shows, joined in the same query."""
    return issuances.select_related(
        "badge",
        "badge__organization",
        "recipient",
        "issued_by",
        "source_achievement",
        "source_class",
        "source_assignment__course",
        "source_assignment__student",
    )


def issuances_of_student(*, student: User) -> QuerySet[BadgeIssuance]:
    return _issuance_related(BadgeIssuance.objects.filter(recipient=student))


def latest_issuances_of_badge(*, badge: Badge, limit: int = 10) -> QuerySet[BadgeIssuance]:
    return _issuance_related(BadgeIssuance.objects.filter(badge=badge))[:limit]


def _roster_student_ids_taught_by(*, user: User) -> QuerySet:
    """Students on the rosters of the classes a user teaches, as the roster shows them to that
    instructor: in a class of their own organization only students of that organization; in a
    class of another organization (a contract instructor) every enrolled student."""
    from classes.models import Enrollment

    return (
        Enrollment.objects.filter(course_class__instructors=user)
        .filter(
            ~Q(course_class__organization_id=user.organization_id)
            | Q(student__organization_id=user.organization_id)
        )
        .values("student_id")
    )


def students_visible_to(*, user: User) -> QuerySet[User]:
    """Students whose Achievements/Badges page a user may open.

    A student: only themselves. An administrator: members of their organization and students
    enrolled in their organization's classes. An instructor: students on the rosters of the
    classes they teach (as the organization/contract rule lets them see). Staff: everyone.
    """
    from classes.models import Enrollment

    if user.is_staff:
        return User.objects.all()
    condition = Q(pk=user.pk) | Q(pk__in=_roster_student_ids_taught_by(user=user))
    if user_is_org_admin(user=user):
        condition |= Q(organization_id=user.organization_id) | Q(
            pk__in=Enrollment.objects.filter(
                course_class__organization_id=user.organization_id
            ).values("student_id")
        )
    return User.objects.filter(condition)


def issuances_visible_to(*, user: User) -> QuerySet[BadgeIssuance]:
    """The issuances Find Issued Badges searches for a user.

    - An administrator: every issuance of a badge of their organization, whoever holds it.
    - An instructor: every issuance (of any organization's badge) held by a student on the roster
      of a class they teach, as that roster shows them to the instructor (see
      `_roster_student_ids_taught_by`): the same students whose Achievements/Badges page they
      may open, and the same badges that page lists.
    - Someone who is both: the union. Platform staff: everything. Anyone else: nothing.
    """
    issuances = BadgeIssuance.objects.all()
    if user.is_staff:
        return issuances
    condition = Q(pk__in=[])
    if user_is_org_admin(user=user):
        condition |= Q(badge__organization_id=user.organization_id)
    if user_is_instructor(user=user):
        condition |= Q(recipient_id__in=_roster_student_ids_taught_by(user=user))
    return issuances.filter(condition)


def issuances_in_order(*, ids: list[int]) -> list[BadgeIssuance]:
    """The issuances with these ids, in this order, with every column a result row shows.

    Find Issued Badges first finds the ids of a page with a narrow query (few joins, so that the
    planner can use the indexes), then reads the wide rows of that page by primary key.
    """
    rows = _issuance_related(BadgeIssuance.objects.filter(pk__in=ids)).in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def badges_for_issuance_search(*, user: User) -> QuerySet[Badge]:
    """The badges Find Issued Badges offers as a filter: those whose issuances the user sees."""
    badges = Badge.objects.select_related("organization")
    if user.is_staff:
        return badges
    condition = Q(pk__in=[])
    if user_is_org_admin(user=user):
        condition |= Q(organization_id=user.organization_id)
    if user_is_instructor(user=user):
        condition |= Q(
            pk__in=BadgeIssuance.objects.filter(
                recipient_id__in=_roster_student_ids_taught_by(user=user)
            ).values("badge_id")
        )
    return badges.filter(condition)
