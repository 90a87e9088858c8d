"""Reads about classes, already narrowed to what a user may see."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.selectors import user_is_org_admin
from badges.models import Badge, BadgeIssuance

from .models import CourseClass, Enrollment


def instructor_is_contract_instructor(*, instructor: User, course_class: CourseClass) -> bool:
    """A contract instructor teaches a class of an organization they do not belong to."""
    return instructor.organization_id != course_class.organization_id


def classes_for_user(*, user: User) -> QuerySet[CourseClass]:
    """Classes a user may open: the ones they teach, and for administrators every class of their
    organization. Platform staff see every class."""
    classes = CourseClass.objects.select_related("course", "organization")
    if user.is_staff:
        return classes
    condition = Q(instructors=user)
    if user_is_org_admin(user=user):
        condition |= Q(organization_id=user.organization_id)
    return classes.filter(
        pk__in=CourseClass.objects.filter(condition).values("pk"),
    )


def user_may_issue_for_class(*, user: User, course_class: CourseClass) -> bool:
    if not user.has_perm("badges.issue_badge") and not user.is_staff:
        return False
    if user.is_staff:
        return True
    if user_is_org_admin(user=user) and user.organization_id == course_class.organization_id:
        return True
    return course_class.instructors.filter(pk=user.pk).exists()


def class_enrollments_visible_to(*, user: User, course_class: CourseClass) -> QuerySet[Enrollment]:
    """The roster as this user may see it.

    An organization instructor sees only enrolled students of their own organization; a contract
    instructor, an administrator of the class's organization and platform staff see everyone.
    """
    enrollments = Enrollment.objects.filter(course_class=course_class)
    if user.is_staff or (
        user_is_org_admin(user=user) and user.organization_id == course_class.organization_id
    ):
        return enrollments
    if instructor_is_contract_instructor(instructor=user, course_class=course_class):
        return enrollments
    return enrollments.filter(student__organization_id=user.organization_id)


def enrollments_matching(*, enrollments: QuerySet[Enrollment], search: str) -> QuerySet[Enrollment]:
    """Narrow a roster to the students whose name, username or email contains every word typed."""
    for word in search.split():
        enrollments = enrollments.filter(
            Q(student__first_name__icontains=word)
            | Q(student__last_name__icontains=word)
            | Q(student__username__icontains=word)
            | Q(student__email__icontains=word)
        )
    return enrollments


def roster_for_user(*, user: User, course_class: CourseClass) -> QuerySet[Enrollment]:
    """The roster as this user may see it, ready to show: each student with their organization and
    the badges they hold from the class's organization (`student.organization_issuances`).

    Three queries whatever the roster size: the enrollments with their students, and the badges
    of the students on the page.
    """
    organization_issuances = (
        BadgeIssuance.objects.filter(badge__organization_id=course_class.organization_id)
        .select_related("badge")
        .order_by("badge__name")
    )
    return (
        class_enrollments_visible_to(user=user, course_class=course_class)
        .select_related("student", "student__organization")
        .prefetch_related(
            Prefetch(
                "student__badge_issuances",
                queryset=organization_issuances,
                to_attr="organization_issuances",
            )
        )
        .order_by("student__last_name", "student__first_name", "student__username")
    )


def badges_issuable_in_organization(
    *, organization_id: int, recipient_id: int | None = None, search: str = ""
) -> QuerySet[Badge]:
    """Badges that may be issued by hand for a class or course assignment of this organization:
    active, with manual issuance enabled. With a recipient, each badge says whether they already
    hold it (`held`)."""
    badges = Badge.objects.filter(
        organization_id=organization_id, is_active=True, manual_issuance_enabled=True
    ).order_by("name")
    for word in search.split():
        badges = badges.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if recipient_id is not None:
        badges = badges.annotate(
            held=Exists(
                BadgeIssuance.objects.filter(badge_id=OuterRef("pk"), recipient_id=recipient_id)
            )
        )
    return badges
