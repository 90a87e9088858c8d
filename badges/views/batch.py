"""The Issue Badges page of a class and its two dialogs, Choose Badges and Choose Student(s)."""

from django.utils.functional import cached_property
from django.views.generic import TemplateView
from django_htmx.http import trigger_client_event

from badges.forms.issuing import BatchSelectionForm
from badges.selectors import (
    badges_issuable_in_organization,
)
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_batch
from badges.services.outcomes import batch_results
from badges.views.access import IssueContextMixin
from classes.selectors import enrollments_matching
from classes.views import ISSUE_PERMISSIONS, CourseClassMixin
from common.forms import SearchForm
from common.views import CLOSE_DIALOG_EVENT, DialogTemplateMixin


class BatchSelectionMixin(IssueContextMixin, CourseClassMixin):
    """The Issue Badges page and its two dialogs share one state: the chosen badge ids and
    student ids, posted whole by every form (GET starts empty). Ids that are not issuable here
    are dropped from what is shown, so only the final POST can carry them, and the issuing
    service then reports them.

    The request's `IssueContext` is built once (`issue_context`): the permission check, the
    roster shown and the service share it."""

    permission_required = ISSUE_PERMISSIONS
    requires_issue = True

    def build_issue_context(self) -> IssueContext:
        return IssueContext.for_class(
            actor=self.request.user, course_class=self.course_class, batch=True
        )

    @cached_property
    def may_issue(self) -> bool:
        return self.issue_context is not None

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
        return self.issue_context.visible_enrollments.select_related(
            "student", "student__organization"
        ).order_by("student__last_name", "student__first_name", "student__username")

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

    def search(self) -> str:
        """What a dialog's search box asks for (its form is posted, its list fetched)."""
        return SearchForm.search_of(self.request.POST or self.request.GET)

    def choices(self, *, chosen_key: str, shown_ids: set[int]) -> dict:
        """What a dialog's list ticks: the chosen ids, and those chosen but not shown by the
        current search (kept in hidden inputs, so that a search does not drop them)."""
        chosen = set(self.selection_form.cleaned_data.get(chosen_key, []))
        return {"chosen_ids": chosen, "chosen_elsewhere": sorted(chosen - shown_ids)}

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)


class BatchIssueView(BatchSelectionMixin, TemplateView):
    """Issue Badges: every chosen badge to every chosen student, in one call to the service, at
    most `common.limits.BATCH_MAX_BADGES` × `BATCH_MAX_STUDENTS` at a time."""

    template_name = "classes/batch_issue.html"
    selection_template_name = "classes/includes/batch_form.html"

    def get_template_names(self):
        if self.request.htmx:
            return [self.selection_template_name]
        return [self.template_name]

    def post(self, request, *args, **kwargs):
        form = self.selection_form
        if form.is_valid() and form.wants_issue:
            outcome = badge_issue_batch(
                context=self.issue_context,
                badge_ids=form.cleaned_data["badge_ids"],
                student_ids=form.cleaned_data["student_ids"],
            )
            page = self.get_context_data()
            page["results"] = batch_results(
                outcome,
                organization_id=self.course_class.organization_id,
                visible_students={e.student_id: e.student for e in page["selected_enrollments"]},
            )
            return self.render_to_response(page)
        response = self.render_to_response(self.get_context_data())
        if request.htmx:
            # A dialog's OK/Select a Badge: its choice is now on the page, so the dialog closes.
            trigger_client_event(response, CLOSE_DIALOG_EVENT)
        return response


class ChooseBadgesView(DialogTemplateMixin, BatchSelectionMixin, TemplateView):
    """Choose Badges: several badges of the class's organization for the Issue Badges page."""

    dialog_title = "Choose Badges"
    dialog_id = "choose-badges"
    body_template_name = "classes/includes/choose_badges_form.html"
    list_template_name = "classes/includes/choose_badges_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.search()
        badges = list(self.issuable_badges(search=search))
        context.update(
            search=search,
            badges=badges,
            **self.choices(chosen_key="badge_ids", shown_ids={badge.pk for badge in badges}),
        )
        return context


class ChooseStudentsView(DialogTemplateMixin, BatchSelectionMixin, TemplateView):
    """Choose Student(s): the roster as this instructor may see it (an organization instructor
    only their organization's students, a contract instructor everyone)."""

    dialog_title = "Choose Student(s)"
    dialog_id = "choose-students"
    body_template_name = "classes/includes/choose_students_form.html"
    list_template_name = "classes/includes/choose_students_list.html"
    page_columns = "col-lg-8 col-xl-6"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.search()
        enrollments = list(
            enrollments_matching(enrollments=self.visible_enrollments(), search=search)
        )
        context.update(
            search=search,
            enrollments=enrollments,
            **self.choices(chosen_key="student_ids", shown_ids={e.student_id for e in enrollments}),
        )
        return context
