"""Where a manual issuance comes from, and so which rules apply to it: the `IssueContext` a
request builds once, and what it decides about the students asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from accounts.selectors import user_administers_organization, users_with_student_flag
from assignments.models import CourseAssignment
from badges.models import BadgeIssuance
from badges.selectors import students_of_organization
from classes.models import CourseClass, Enrollment
from classes.selectors import class_enrollments_visible_to, user_may_issue_for_class


class Recipients(NamedTuple):
    """The requested students that exist (`found`), and the ids of those a context may issue to."""

    found: dict[int, User]
    issuable: set[int]


@dataclass(frozen=True)
class IssueContext:
    """Where a manual issuance comes from, and so which rules apply to it.

    Built with one of the `for_*` constructors, which check that the actor may issue there. A view
    builds it once per request and lets its permission check, its student lookup and the service
    share it; what it found out about students (`recipients`) is kept for the rest of the request,
    so a dialog's student lookup and the issuance that follows ask the database once. The service
    still refuses every pair the context does not allow.
    """

    actor: User | None
    method: str
    source: str
    organization_id: int | None
    course_class: CourseClass | None = None
    course_assignment: CourseAssignment | None = None
    require_manual_enabled: bool = True
    _recipients: dict[frozenset[int], Recipients] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def for_class(
        cls, *, actor: User, course_class: CourseClass, batch: bool = False
    ) -> IssueContext:
        if not user_may_issue_for_class(user=actor, course_class=course_class):
            raise PermissionDenied("You may not issue badges for this class.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.BATCH if batch else BadgeIssuance.Source.ROSTER,
            organization_id=course_class.organization_id,
            course_class=course_class,
        )

    @classmethod
    def for_assignment(cls, *, actor: User, course_assignment: CourseAssignment) -> IssueContext:
        may_issue = actor.is_staff or actor.has_perm("badges.issue_badge")
        if not (
            may_issue
            and user_administers_organization(
                user=actor, organization_id=course_assignment.organization_id
            )
        ):
            raise PermissionDenied("You may not issue badges for this course assignment.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
            organization_id=course_assignment.organization_id,
            course_assignment=course_assignment,
        )

    @classmethod
    def for_admin(cls, *, actor: User) -> IssueContext:
        """Platform staff issuing from the Django admin: any organization, any active badge."""
        if not actor.is_staff:
            raise PermissionDenied("Only platform staff issue from the administration site.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.ADMIN,
            organization_id=None,
            require_manual_enabled=False,
        )

    @classmethod
    def for_organization(cls, *, actor: User, organization_id: int) -> IssueContext:
        """An integration of an organization (the API, acting through its client's service user)
        issuing to any student the organization's administrators see: the organization's
        students and those enrolled in its classes. A manual issuance's badge rules apply."""
        may_issue = actor.is_staff or actor.has_perm("badges.issue_badge")
        if not (
            may_issue and user_administers_organization(user=actor, organization_id=organization_id)
        ):
            raise PermissionDenied("You may not issue this organization's badges.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.API,
            organization_id=organization_id,
        )

    @property
    def visible_enrollments(self) -> QuerySet[Enrollment]:
        """A class context's roster as its actor sees it (the students it may issue to)."""
        return class_enrollments_visible_to(user=self.actor, course_class=self.course_class)

    def recipients(self, *, student_ids: Iterable[int]) -> Recipients:
        """The requested students, and which of them this context may issue to: one query at most,
        none when the same students were asked for earlier in the request."""
        key = frozenset(student_ids)
        if key not in self._recipients:
            self._recipients[key] = self._find_recipients(key)
        return self._recipients[key]

    def _find_recipients(self, student_ids: frozenset[int]) -> Recipients:
        """Each requested user that exists, with `is_student` (only students receive badges),
        and the ids this context may issue to, in one query."""
        if not student_ids:
            return Recipients(found={}, issuable=set())
        users = users_with_student_flag(queryset=User.objects.filter(pk__in=student_ids))
        if self.course_class is not None:
            on_roster = self.visible_enrollments.filter(student_id=OuterRef("pk"))
            found = {user.pk: user for user in users.annotate(on_roster=Exists(on_roster))}
            return Recipients(
                found=found, issuable={pk for pk, user in found.items() if user.on_roster}
            )
        if self.source == BadgeIssuance.Source.API:
            of_organization = students_of_organization(organization_id=self.organization_id)
            annotated = users.annotate(
                in_organization=Exists(of_organization.filter(pk=OuterRef("pk")))
            )
            found = {user.pk: user for user in annotated}
            return Recipients(
                found=found, issuable={pk for pk, user in found.items() if user.in_organization}
            )
        found = {user.pk: user for user in users}
        if self.course_assignment is not None:
            assignment_student = {self.course_assignment.student_id}
            return Recipients(found=found, issuable=assignment_student & set(found))
        return Recipients(found=found, issuable=set(found))
