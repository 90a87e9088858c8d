"""The Choose Badge dialog: one badge to one student, from the Roster or a course assignment.

Every issuance goes through `badges.services.issuance.badge_issue_many`; these views only turn
requests into (badge id, student id) pairs and outcomes into pages. Each request builds its
`IssueContext` once (`issue_context`): the permission check, the student lookup and the service
share it, so whether the user may issue here, and to whom, is decided once.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from django_htmx.http import trigger_client_event

from assignments.views import CourseAssignmentMixin
from badges.forms.issuing import IssueOneBadgeForm
from badges.selectors import (
    badges_issuable_for_assignment,
    badges_issuable_in_organization,
)
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.outcomes import refusal_message
from badges.views.access import IssueContextMixin
from classes.views import ISSUE_PERMISSIONS, CourseClassMixin
from common.forms import SearchForm
from common.views import DialogTemplateMixin


class ChooseBadgeView(IssueContextMixin, DialogTemplateMixin, FormView):
    """The Choose Badge dialog: one badge to one student.

    On success the dialog shows "Successfully Issued Badge" and sends the subclass's
    `get_issued_event()` so the page behind it refreshes what changed; on failure it says why and
    nothing is issued. Subclasses provide `student`, `issuable_badges(search=)`,
    `build_issue_context()` (which refuses with PermissionDenied), `get_issued_event()` and
    `get_back_url()`.
    """

    form_class = IssueOneBadgeForm
    dialog_title = "Choose Badge"
    dialog_id = "choose-badge"
    body_template_name = "classes/includes/choose_badge_form.html"
    list_template_name = "classes/includes/choose_badge_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = SearchForm.search_of(self.request.GET)
        context.update(
            student=self.student,
            badges=self.issuable_badges(search=search),
            search=search,
            action_url=self.request.path,
            back_url=self.get_back_url(),
        )
        return context

    def form_valid(self, form):
        issue_context = self.issue_context
        [outcome] = badge_issue_many(
            context=issue_context, pairs=[(form.cleaned_data["badge"], self.student.pk)]
        )
        if not outcome.issued:
            form.add_error(
                None,
                refusal_message(
                    outcome,
                    organization_id=issue_context.organization_id,
                    visible_student_ids={self.student.pk},
                ),
            )
            return self.form_invalid(form)
        if not self.request.htmx:
            messages.success(
                self.request, f"{outcome.badge.name} was issued to {self.student.display_name}."
            )
            return redirect(self.get_back_url())
        response = self.render_to_response(self.get_context_data(form=form, issued=outcome))
        return trigger_client_event(response, self.get_issued_event())


class ClassChooseBadgeView(CourseClassMixin, ChooseBadgeView):
    """Choose Badge from the Roster: badges of the class's organization, to a student on the
    roster as this user sees it (anyone else is a 404)."""

    permission_required = ISSUE_PERMISSIONS
    requires_issue = True

    @cached_property
    def may_issue(self) -> bool:
        return self.issue_context is not None

    @cached_property
    def student(self):
        """The student of the URL if the context may issue to them (on the roster as this user
        sees it); a 404 for anyone else. The service reuses this lookup."""
        student_id = self.kwargs["student_pk"]
        recipients = self.issue_context.recipients(student_ids={student_id})
        if student_id not in recipients.issuable:
            raise Http404("No such student on this roster.")
        return recipients.found[student_id]

    def build_issue_context(self) -> IssueContext:
        return IssueContext.for_class(actor=self.request.user, course_class=self.course_class)

    def issuable_badges(self, *, search: str):
        return badges_issuable_in_organization(
            organization_id=self.course_class.organization_id,
            recipient_id=self.student.pk,
            search=search,
        )

    def get_issued_event(self) -> str:
        return f"badge-issued-to-{self.student.pk}"

    def get_back_url(self) -> str:
        return reverse("classes:roster", args=[self.course_class.pk])


class AssignmentChooseBadgeView(CourseAssignmentMixin, ChooseBadgeView):
    """Choose Badge from a course assignment: one badge at a time to its student, recorded with the
    assignment as its source."""

    permission_required = ("assignments.view_courseassignment", "badges.issue_badge")

    def has_permission(self):
        return super().has_permission() and self.issue_context is not None

    @property
    def student(self):
        return self.course_assignment.student

    def build_issue_context(self) -> IssueContext:
        return IssueContext.for_assignment(
            actor=self.request.user, course_assignment=self.course_assignment
        )

    def issuable_badges(self, *, search: str):
        return badges_issuable_for_assignment(
            course_assignment=self.course_assignment, search=search
        )

    def get_issued_event(self) -> str:
        return f"badge-issued-from-assignment-{self.course_assignment.pk}"

    def get_back_url(self) -> str:
        return reverse("assignments:detail", args=[self.course_assignment.pk])
