"""Class pages: the classes list, the Roster, the Choose Badge dialog and the Issue Badges page.

Every issuance goes through `badges.services.badge_issue_many`; these views only turn requests
into (badge id, student id) pairs and outcomes into pages.
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View
from django_htmx.http import trigger_client_event

from badges.services import IssueContext, IssueOutcome, badge_issue_many
from lms_portal.mixins import PortalPermissionMixin

from .forms import BatchSelectionForm, CompleteEnrollmentsForm, IssueOneBadgeForm, SearchForm
from .selectors import (
    badges_issuable_in_organization,
    class_enrollments_visible_to,
    classes_for_user,
    enrollments_matching,
    roster_for_user,
    user_may_issue_for_class,
)
from .services import enrollments_complete

ISSUE_PERMISSIONS = ("classes.view_courseclass", "badges.issue_badge")
# Sent by a response that should close the shared dialog (static/js/portal.js listens for it).
CLOSE_DIALOG_EVENT = "portal:close-dialog"


class ClassListView(PortalPermissionMixin, ListView):
    """Classes: every class of an administrator's organization; My Classes for an instructor."""

    permission_required = "classes.view_courseclass"
    template_name = "classes/class_list.html"
    context_object_name = "classes"
    paginate_by = 50

    def get_queryset(self):
        return (
            classes_for_user(user=self.request.user)
            .annotate(student_count=Count("enrollments"))
            .prefetch_related("instructors")
            .order_by("-starts_on", "name")
        )


class CourseClassMixin(PortalPermissionMixin):
    """A class the user may open (the ones they teach; an administrator's organization's): any
    other id is a 404. With `requires_issue`, a user who may open the class but not issue for it
    gets a 403."""

    permission_required = "classes.view_courseclass"
    requires_issue = False

    def has_permission(self):
        return super().has_permission() and (not self.requires_issue or self.may_issue)

    @cached_property
    def course_class(self):
        return get_object_or_404(classes_for_user(user=self.request.user), pk=self.kwargs["pk"])

    @cached_property
    def may_issue(self) -> bool:
        return user_may_issue_for_class(user=self.request.user, course_class=self.course_class)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(course_class=self.course_class, may_issue=self.may_issue)
        return context


class RosterView(CourseClassMixin, ListView):
    """The class's Roster: its details and the enrolled students this user may see, with the
    badges each holds from the class's organization."""

    template_name = "classes/roster.html"
    context_object_name = "enrollments"
    paginate_by = 100

    def get_queryset(self):
        return roster_for_user(user=self.request.user, course_class=self.course_class)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instructors"] = self.course_class.instructors.all()
        return context


class RosterRowView(CourseClassMixin, TemplateView):
    """One roster row, fetched again after a badge was issued to its student."""

    template_name = "classes/includes/roster_row.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enrollment"] = get_object_or_404(
            roster_for_user(user=self.request.user, course_class=self.course_class),
            student_id=self.kwargs["student_pk"],
        )
        return context


class CompleteEnrollmentsView(CourseClassMixin, View):
    """Mark the selected students' enrollments complete (one from its row, or several)."""

    permission_required = ("classes.view_courseclass", "classes.change_enrollment")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CompleteEnrollmentsForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["student"]))
        else:
            completed = enrollments_complete(
                actor=request.user,
                course_class=self.course_class,
                student_ids=form.cleaned_data["student"],
            )
            if completed:
                messages.success(
                    request,
                    f"Marked {len(completed)} enrollment{'s' if len(completed) != 1 else ''} "
                    "complete.",
                )
            else:
                messages.info(request, "Nothing to mark: those enrollments were already complete.")
        return redirect("classes:roster", pk=self.course_class.pk)


class DialogTemplateMixin:
    """A dialog's templates: the full page without JavaScript, the body of the shared <dialog>
    for htmx, and only the list when the dialog's search box asks."""

    dialog_template_name: str
    list_template_name: str
    list_id: str

    def get_template_names(self):
        if self.request.htmx:
            if self.request.htmx.target == self.list_id:
                return [self.list_template_name]
            return [self.dialog_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_id"] = self.list_id
        return context


class ChooseBadgeView(DialogTemplateMixin, FormView):
    """The Choose Badge dialog: one badge to one student.

    On success the dialog shows "Successfully Issued Badge" and sends the subclass's
    `get_issued_event()` so the page behind it refreshes what changed; on failure it says why and
    nothing is issued. Subclasses provide `student`, `issuable_badges(search=)`,
    `get_issue_context()` (which refuses with PermissionDenied), `get_issued_event()` and
    `get_back_url()`.
    """

    form_class = IssueOneBadgeForm
    template_name = "classes/choose_badge_page.html"
    dialog_template_name = "classes/includes/choose_badge_dialog.html"
    list_template_name = "classes/includes/choose_badge_list.html"
    list_id = "choose-badge-list"

    def get(self, request, *args, **kwargs):
        self.get_issue_context()  # a 403 before anything is shown to someone who may not issue
        return super().get(request, *args, **kwargs)

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
        issue_context = self.get_issue_context()
        [outcome] = badge_issue_many(
            context=issue_context, pairs=[(form.cleaned_data["badge"], self.student.pk)]
        )
        if not outcome.issued:
            form.add_error(
                None,
                _refusal_message(
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
    def student(self):
        return get_object_or_404(
            class_enrollments_visible_to(
                user=self.request.user, course_class=self.course_class
            ).select_related("student"),
            student_id=self.kwargs["student_pk"],
        ).student

    def get_issue_context(self) -> IssueContext:
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


class BatchSelectionMixin(CourseClassMixin):
    """The Issue Badges page and its two dialogs share one state: the chosen badge ids and
    student ids, posted whole by every form (GET starts empty). Ids that are not issuable here
    are dropped from what is shown, so only the final POST can carry them, and the issuing
    service then reports them."""

    permission_required = ISSUE_PERMISSIONS
    requires_issue = True

    @cached_property
    def selection_form(self) -> BatchSelectionForm:
        form = BatchSelectionForm(self.request.POST if self.request.method == "POST" else {})
        form.is_valid()
        return form

    def issuable_badges(self, *, search: str = ""):
        return badges_issuable_in_organization(
            organization_id=self.course_class.organization_id, search=search
        )

    def visible_enrollments(self):
        return (
            class_enrollments_visible_to(user=self.request.user, course_class=self.course_class)
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "student__username")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.selection_form
        badge_ids = form.cleaned_data.get("badge_ids", [])
        student_ids = form.cleaned_data.get("student_ids", [])
        context.update(
            form=form,
            selected_badges=(
                list(self.issuable_badges().filter(pk__in=badge_ids)) if badge_ids else []
            ),
            selected_enrollments=(
                list(self.visible_enrollments().filter(student_id__in=student_ids))
                if student_ids
                else []
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)


class BatchIssueView(BatchSelectionMixin, TemplateView):
    """Issue Badges: every chosen badge to every chosen student, in one call to the service."""

    template_name = "classes/batch_issue.html"
    selection_template_name = "classes/includes/batch_form.html"

    def get_template_names(self):
        if self.request.htmx:
            return [self.selection_template_name]
        return [self.template_name]

    def post(self, request, *args, **kwargs):
        form = self.selection_form
        if form.is_valid() and form.wants_issue:
            context = IssueContext.for_class(
                actor=request.user, course_class=self.course_class, batch=True
            )
            outcomes = badge_issue_many(
                context=context,
                pairs=[
                    (badge_id, student_id)
                    for student_id in form.cleaned_data["student_ids"]
                    for badge_id in form.cleaned_data["badge_ids"]
                ],
            )
            page = self.get_context_data()
            page["results"] = _batch_results(
                outcomes,
                organization_id=self.course_class.organization_id,
                visible_student_ids={e.student_id for e in page["selected_enrollments"]},
            )
            return self.render_to_response(page)
        response = self.render_to_response(self.get_context_data())
        if request.htmx:
            # A dialog's OK/Select a Badge: its choice is now on the page, so the dialog closes.
            trigger_client_event(response, CLOSE_DIALOG_EVENT)
        return response


def _batch_results(
    outcomes: list[IssueOutcome], *, organization_id: int, visible_student_ids: set[int]
) -> dict:
    """The outcomes as the result page shows them: each student with the badges issued to them,
    then each failed pair with its reason."""
    issued: dict[int, dict] = {}
    failed = []
    for outcome in outcomes:
        if outcome.issued:
            entry = issued.setdefault(
                outcome.student_id, {"student": outcome.student, "badges": []}
            )
            entry["badges"].append(outcome.badge.name)
        else:
            failed.append(
                {
                    "badge": _badge_label(outcome, organization_id=organization_id),
                    "student": _student_label(outcome, visible_student_ids=visible_student_ids),
                    "reason": outcome.reason,
                }
            )
    return {"issued": list(issued.values()), "failed": failed}


def _badge_label(outcome: IssueOutcome, *, organization_id: int) -> str:
    """A refused badge by name when it is this organization's; another organization's badge (or
    an unknown id) only by its id, so a forged request learns nothing about it."""
    if outcome.badge is not None and outcome.badge.organization_id == organization_id:
        return outcome.badge.name
    return f"Badge #{outcome.badge_id}"


def _student_label(outcome: IssueOutcome, *, visible_student_ids: set[int]) -> str:
    if outcome.student is not None and outcome.student_id in visible_student_ids:
        return outcome.student.display_name
    return f"Student #{outcome.student_id}"


def _refusal_message(
    outcome: IssueOutcome, *, organization_id: int, visible_student_ids: set[int]
) -> str:
    badge = _badge_label(outcome, organization_id=organization_id)
    student = _student_label(outcome, visible_student_ids=visible_student_ids)
    return f"{badge} was not issued to {student}: {outcome.reason}."


class ChooseBadgesView(DialogTemplateMixin, BatchSelectionMixin, TemplateView):
    """Choose Badges: several badges of the class's organization for the Issue Badges page."""

    template_name = "classes/choose_badges_page.html"
    dialog_template_name = "classes/includes/choose_badges_dialog.html"
    list_template_name = "classes/includes/choose_badges_list.html"
    list_id = "choose-badges-list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = SearchForm.search_of(self.request.POST or self.request.GET)
        badges = list(self.issuable_badges(search=search))
        chosen = set(self.selection_form.cleaned_data.get("badge_ids", []))
        shown = {badge.pk for badge in badges}
        context.update(
            search=search,
            badges=badges,
            chosen_ids=chosen,
            chosen_elsewhere=sorted(chosen - shown),
        )
        return context


class ChooseStudentsView(DialogTemplateMixin, BatchSelectionMixin, TemplateView):
    """Choose Student(s): the roster as this instructor may see it (an organization instructor
    only their organization's students, a contract instructor everyone)."""

    template_name = "classes/choose_students_page.html"
    dialog_template_name = "classes/includes/choose_students_dialog.html"
    list_template_name = "classes/includes/choose_students_list.html"
    list_id = "choose-students-list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = SearchForm.search_of(self.request.POST or self.request.GET)
        enrollments = list(
            enrollments_matching(enrollments=self.visible_enrollments(), search=search)
        )
        chosen = set(self.selection_form.cleaned_data.get("student_ids", []))
        shown = {enrollment.student_id for enrollment in enrollments}
        context.update(
            search=search,
            enrollments=enrollments,
            chosen_ids=chosen,
            chosen_elsewhere=sorted(chosen - shown),
        )
        return context
