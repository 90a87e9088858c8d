"""Reads about classes, already narrowed to what a user may see."""

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import user_administers_organization, user_is_org_admin

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
    if user_administers_organization(user=user, organization_id=course_class.organization_id):
        return True
    return course_class.instructors.filter(pk=user.pk).exists()


def class_enrollments_visible_to(*, user: User, course_class: CourseClass) -> QuerySet[Enrollment]:
    """The roster as this user may see it.

    An organization instructor sees only enrolled students of their own organization; a contract
    instructor, an administrator of the class's organization and platform staff see everyone.
    """
    enrollments = Enrollment.objects.filter(course_class=course_class)
    if user_administers_organization(user=user, organization_id=course_class.organization_id):
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
