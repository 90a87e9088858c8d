"""Reads about badges, already narrowed to what a user may see."""

from datetime import timedelta

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts.models import User
from accounts.roles import STUDENT
from accounts.selectors import (
    administered_by,
    user_administers_organization,
    user_is_instructor,
    user_is_org_admin,
)
from accounts.tree import available_in
from assignments.models import CourseAssignment
from classes.models import CourseClass, Enrollment
from classes.selectors import class_enrollments_visible_to

from .models import Badge, BadgeChange, BadgeIssuance

BADGE_HISTORY_LENGTH = 50
# How long a roster row completed a moment ago keeps asking for its badges (once a second): the
# re-evaluation runs on the worker right after the commit, a second or two under normal load.
ROSTER_ROW_REFRESH_WINDOW = timedelta(seconds=15)


def badges_available_in(*, organization_id: int) -> Q:
    """Badges that classes and course assignments of this organization may use (Availability)."""
    return available_in(
        organization_id=organization_id,
        chosen=Badge.available_to.through.objects.filter(
            badge_id=OuterRef("pk"), organization_id=organization_id
        ),
    )


def badges_available_from_elsewhere(*, user: User) -> QuerySet[Badge]:
    """Badges of other organizations (its ancestors) made available to the user's: listed to its
    administrators read-only, since only the owner edits them."""
    if user.organization_id is None:
        return Badge.objects.none()
    return (
        Badge.objects.filter(badges_available_in(organization_id=user.organization_id))
        .exclude(organization_id=user.organization_id)
        .select_related("organization")
        .order_by("name")
    )


def badges_for_user(*, user: User) -> QuerySet[Badge]:
    """Badges whose profile a user may open: their organization's, for administrators."""
    badges = Badge.objects.select_related("organization", "achievement")
    return administered_by(user=user, queryset=badges)


def valid_issuances_q(prefix: str = "") -> Q:
    """Issuances that are neither revoked nor expired, now."""
    return Q(**{f"{prefix}revoked_at__isnull": True}) & (
        Q(**{f"{prefix}expires_at__isnull": True})
        | Q(**{f"{prefix}expires_at__gt": timezone.now()})
    )


def issuances_with_status(
    issuances: QuerySet[BadgeIssuance], status: str
) -> QuerySet[BadgeIssuance]:
    """Narrow to one status: valid, expired or revoked (anything else: all)."""
    if status == BadgeIssuance.Status.VALID:
        return issuances.filter(valid_issuances_q())
    if status == BadgeIssuance.Status.EXPIRED:
        return issuances.filter(revoked_at__isnull=True, expires_at__lte=timezone.now())
    if status == BadgeIssuance.Status.REVOKED:
        return issuances.filter(revoked_at__isnull=False)
    return issuances


def badges_with_holder_counts(*, badges: QuerySet[Badge]) -> QuerySet[Badge]:
    """Each badge with the number of students who hold it now (not revoked, not expired)."""
    return badges.annotate(
        holder_count=Count("issuances", filter=valid_issuances_q("issuances__")),
        # Revoked and expired issuances too: a badge ever issued is kept, never deleted.
        issued_count=Count("issuances"),
    )


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


def issuances_of_student(*, student: User, viewer: User | None = None) -> QuerySet[BadgeIssuance]:
    """A student's badges as `viewer` may see them: all of them for the student (no viewer) and
    platform staff; for anyone else those of their organization's badges (and of the badges
    made available to it)."""
    issuances = _issuance_related(BadgeIssuance.objects.filter(recipient=student))
    if viewer is None or viewer.pk == student.pk or viewer.is_staff:
        return issuances
    if viewer.organization_id is None:
        return issuances.none()
    return issuances.filter(
        badge__in=Badge.objects.filter(badges_available_in(organization_id=viewer.organization_id))
    )


def latest_issuances_of_badge(*, badge: Badge, limit: int = 10) -> QuerySet[BadgeIssuance]:
    return _issuance_related(BadgeIssuance.objects.filter(badge=badge))[:limit]


def _roster_student_ids_taught_by(*, user: User) -> QuerySet:
    """Students on the rosters of the classes a user teaches, as the roster shows them to that
    instructor: in a class of their own organization only students of that organization; in a
    class of another organization (a contract instructor) every enrolled student."""
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
    if user.is_staff:
        return User.objects.all()
    condition = Q(pk=user.pk) | Q(pk__in=_roster_student_ids_taught_by(user=user))
    if user_is_org_admin(user=user):
        # Students only: an administrator does not open the page of a fellow administrator or
        # of an instructor (least privilege).
        is_student = Exists(
            User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=STUDENT)
        )
        condition |= Q(is_student, organization_id=user.organization_id) | Q(
            pk__in=Enrollment.objects.filter(
                course_class__organization_id=user.organization_id
            ).values("student_id")
        )
    return User.objects.filter(condition)


def students_of_organization(*, organization_id: int) -> QuerySet[User]:
    """The people an organization issues to from outside a class (the integration API): its
    members and those enrolled in its classes. Whether each is a student is the issuing
    service's check."""
    return User.objects.filter(
        Q(organization_id=organization_id)
        | Q(
            pk__in=Enrollment.objects.filter(course_class__organization_id=organization_id).values(
                "student_id"
            )
        )
    )


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


# Find Issued Badges counts its matches exactly up to this many; above, the planner's estimate.
ISSUANCE_EXACT_COUNT_LIMIT = 10_000


def issuances_count(queryset: QuerySet) -> tuple[int, bool]:
    """How many rows a Find Issued Badges search matches, and whether that is an estimate.

    An exact COUNT(*) reads every matching row (over a million: about 100 ms, the page's largest
    cost), so it stops at ISSUANCE_EXACT_COUNT_LIMIT + 1 rows; a search with more matches gets
    PostgreSQL's estimate of its rows (never less than the rows counted). Other databases count.
    """
    queryset = queryset.order_by()
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), False
    counted = queryset[: ISSUANCE_EXACT_COUNT_LIMIT + 1].count()
    if counted <= ISSUANCE_EXACT_COUNT_LIMIT:
        return counted, False
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return max(counted, int(plan[0]["Plan"]["Plan Rows"])), True


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


def roster_for_user(*, user: User, course_class: CourseClass) -> QuerySet[Enrollment]:
    """The roster as this user may see it, ready to show: each student with their organization and
    the badges they hold from the class's organization (`student.organization_issuances`).

    Three queries whatever the roster size: the enrollments with their students, and the badges
    of the students on the page.

    `awaiting_automatic_badges`: the enrollment was marked complete a moment ago, so the
    re-evaluation queued on commit may issue a badge any second; its row refreshes itself until
    ROSTER_ROW_REFRESH_WINDOW has passed (then a reload shows what came later).
    """
    organization_issuances = (
        BadgeIssuance.objects.filter(
            badge__organization_id=course_class.organization_id, revoked_at__isnull=True
        )
        .select_related("badge")
        # Only what a row shows: a page of 100 rows builds about 500 model instances.
        .only("recipient_id", "expires_at", "revoked_at", "badge__name", "badge__image")
        .order_by("badge__name")
    )
    return (
        class_enrollments_visible_to(user=user, course_class=course_class)
        .select_related("student", "student__organization")
        .only(
            "course_class_id",
            "completed_at",
            "completion_recorded_at",
            "student__first_name",
            "student__last_name",
            "student__username",
            "student__email",
            "student__organization__name",
        )
        .prefetch_related(
            Prefetch(
                "student__badge_issuances",
                queryset=organization_issuances,
                to_attr="organization_issuances",
            )
        )
        .annotate(
            awaiting_automatic_badges=ExpressionWrapper(
                Q(completion_recorded_at__gte=timezone.now() - ROSTER_ROW_REFRESH_WINDOW),
                output_field=BooleanField(),
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
    badges = (
        Badge.objects.filter(
            badges_available_in(organization_id=organization_id),
            is_active=True,
            manual_issuance_enabled=True,
        )
        .select_related("organization")
        .order_by("name")
    )
    for word in search.split():
        badges = badges.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if recipient_id is not None:
        badges = badges.annotate(
            # Held: revoked, or not expired (an expired one may be issued again: renewed).
            held=Exists(
                BadgeIssuance.objects.filter(
                    Q(revoked_at__isnull=False)
                    | Q(expires_at__isnull=True)
                    | Q(expires_at__gt=timezone.now()),
                    badge_id=OuterRef("pk"),
                    recipient_id=recipient_id,
                )
            )
        )
    return badges


def badges_issuable_for_assignment(
    *, course_assignment: CourseAssignment, search: str = ""
) -> QuerySet[Badge]:
    """The Choose Badge list of a course assignment: its organization's active badges with manual
    issuance enabled, each saying whether the assignment's student already holds it."""
    return badges_issuable_in_organization(
        organization_id=course_assignment.organization_id,
        recipient_id=course_assignment.student_id,
        search=search,
    )


def issuances_from_assignment(*, course_assignment: CourseAssignment) -> QuerySet[BadgeIssuance]:
    return BadgeIssuance.objects.filter(source_assignment=course_assignment).select_related(
        "badge", "issued_by"
    )


def issuances_mark_profile_links(*, user, issuances) -> None:
    """Set `badge_profile_visible` on each issuance: whether its badge's name may link to the
    badge's Profile page (an administrator of the badge's organization, or platform staff)."""
    may_change = user.has_perm("badges.change_badge")
    for issuance in issuances:
        issuance.badge_profile_visible = may_change and user_administers_organization(
            user=user, organization_id=issuance.badge.organization_id
        )
