"""A class's Roster: its students with the badges each holds from the class's organization.

The page shows 100 rows, and rendering them through Django's templates was most of its time (see
docs/performance.md, benchmark 9). So each row is prepared here once (`roster_rows`: its URLs from
a prefix reversed once per page, its date formatted, each badge's picture looked up once) and
written as HTML by `roster_row_html`, every value escaped; the Roster and the row that refreshes
itself (RosterRowView) both show that HTML."""

from collections import OrderedDict

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import ListView, TemplateView

from badges.selectors import (
    roster_for_user,
)
from classes.filters import RosterFilter
from classes.models import CourseClass, Enrollment
from classes.views import CourseClassMixin
from common.views import filter_query_string

# The search form's fields as crispy-forms renders them, by what they depend on (see
# roster_filter_fields): rendering the four took longer than the page's 100 rows.
_FILTER_FIELDS_RENDERED: OrderedDict = OrderedDict()
_FILTER_FIELDS_KEPT = 256

# A student id no real row has, reversed once and replaced by each row's own.
_PK_SLOT = 2_147_483_647


def _url_for_students(name: str, course_class: CourseClass):
    template = reverse(name, args=[course_class.pk, _PK_SLOT])
    slot = str(_PK_SLOT)
    return lambda pk: template.replace(slot, str(pk))


def roster_rows(*, enrollments, course_class: CourseClass) -> list[dict]:
    """The rows of a Roster page (enrollments from `roster_for_user`), ready for the template."""
    row_url = _url_for_students("classes:roster_row", course_class)
    issue_url = _url_for_students("classes:issue_badge", course_class)
    student_template = reverse("badges:student", args=[_PK_SLOT])
    slot = str(_PK_SLOT)
    image_urls: dict[int, str] = {}
    rows = []
    for enrollment in enrollments:
        student = enrollment.student
        pills = []
        for issuance in student.organization_issuances:
            badge = issuance.badge
            if badge.pk not in image_urls:
                image_urls[badge.pk] = badge.image_url
            pills.append(
                {
                    "name": badge.name,
                    "image_url": image_urls[badge.pk],
                    "is_expired": issuance.is_expired,
                }
            )
        completed_at = enrollment.completed_at
        rows.append(
            {
                "pk": student.pk,
                "display_name": student.display_name,
                "email": student.email,
                "organization": str(student.organization) if student.organization else "—",
                "status": enrollment.status,
                "completed_on": date_format(timezone.localtime(completed_at), "j M Y")
                if completed_at
                else "",
                "awaiting_automatic_badges": enrollment.awaiting_automatic_badges,
                "row_url": row_url(student.pk),
                "issue_url": issue_url(student.pk),
                "student_url": student_template.replace(slot, str(student.pk)),
                "badges": pills,
            }
        )
    return rows


def roster_row_html(row: dict, *, may_issue: bool) -> SafeString:
    """One row of `roster_rows` as the Roster's <tr> (the markup of classes/includes/roster_row.html
    before it moved here; on a phone the row is a card, portal.css). It refreshes itself when a
    badge is issued to the student from a dialog, and once a second for a short while after a Mark
    complete (awaiting_automatic_badges: the re-evaluation may issue a badge a second later)."""
    pk = row["pk"]
    name = escape(row["display_name"])
    awaiting = row["awaiting_automatic_badges"]
    completed_on = row["completed_on"]
    select = (
        f'<input class="form-check-input" type="checkbox" form="complete-form" name="student" '
        f'value="{pk}" aria-label="Select {name}">'
        if may_issue and not completed_on
        else ""
    )
    enrollment = escape(row["status"]) + (
        f' <small class="text-body-secondary">{escape(completed_on)}</small>'
        if completed_on
        else ""
    )
    badges = (
        "".join(
            '<span class="badge rounded-pill text-bg-light border me-1 mb-1 badge-pill">'
            f'<img src="{escape(badge["image_url"])}" alt="" class="badge-image badge-image-sm" '
            f'width="32" height="32"> {escape(badge["name"])}'
            + (' <span class="text-body-secondary">(expired)</span>' if badge["is_expired"] else "")
            + "</span>"
            for badge in row["badges"]
        )
        or '<span class="text-body-secondary">None yet</span>'
    )
    actions = ""
    if may_issue:
        issue_url = escape(row["issue_url"])
        complete = (
            ""
            if completed_on
            else f'<button type="submit" form="complete-one-form" name="student" value="{pk}" '
            'class="btn btn-sm btn-outline-secondary text-nowrap">Mark complete'
            f'<span class="visually-hidden"> for {name}</span></button>'
        )
        actions = (
            '<div class="d-flex flex-wrap gap-1 justify-content-md-end">\n'
            f"    {complete}\n"
            f'    <a class="btn btn-sm btn-outline-primary text-nowrap" id="issue-badge-{pk}" '
            f'href="{issue_url}" hx-get="{issue_url}" hx-target="#portal-dialog-body" '
            'hx-swap="innerHTML"><i class="bi bi-award" aria-hidden="true"></i> Issue a Badge'
            f'<span class="visually-hidden"> to {name}</span></a>\n'
            "  </div>"
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<tr id="roster-row-{pk}" data-testid="roster-row" hx-get="{escape(row["row_url"])}" '
        f'hx-trigger="badge-issued-to-{pk} from:body{", load delay:1s" if awaiting else ""}" '
        f'hx-swap="outerHTML"{" data-awaiting-badges" if awaiting else ""}>\n'
        f'  <td class="roster-select">{select}</td>\n'
        f'  <th scope="row" class="text-nowrap roster-name">'
        f'<a href="{escape(row["student_url"])}">{name}</a></th>\n'
        f'  <td class="roster-email" data-label="Email">{escape(row["email"])}</td>\n'
        f'  <td data-label="Organization">{escape(row["organization"])}</td>\n'
        f'  <td data-label="Enrollment">{enrollment}</td>\n'
        f'  <td data-testid="earned-badges" data-label="Badges">{badges}</td>\n'
        f'  <td class="text-md-end roster-actions">{actions}</td>\n'
        "</tr>\n"
    )


def roster_filter_fields(form) -> dict[str, SafeString]:
    """The Roster's search form fields, rendered by crispy-forms once per process for each state
    they can show: what was submitted and the organizations offered (read once here, then given
    to the field, so that rendering does not read them again). Everything the HTML depends on is
    in the key, so a change of data is a new entry, never a stale one."""
    organization = form.fields["organization"]
    # iter(): list() of the ModelChoiceIterator itself would COUNT the rows first.
    organization.choices = list(iter(organization.choices))
    key = (
        tuple((name, tuple(form.data.getlist(name))) for name in form.fields),
        tuple((str(value), str(label)) for value, label in organization.choices),
    )
    rendered = _FILTER_FIELDS_RENDERED.get(key)
    if rendered is None:
        rendered = {name: as_crispy_field(form[name]) for name in form.fields}
        _FILTER_FIELDS_RENDERED[key] = rendered
        if len(_FILTER_FIELDS_RENDERED) > _FILTER_FIELDS_KEPT:
            _FILTER_FIELDS_RENDERED.popitem(last=False)
    else:
        _FILTER_FIELDS_RENDERED.move_to_end(key)
    return rendered


class RosterView(CourseClassMixin, ListView):
    """The class's Roster: its details and the enrolled students this user may see, with the
    badges each holds from the class's organization."""

    template_name = "classes/roster.html"
    context_object_name = "enrollments"
    paginate_by = 100

    def get_queryset(self):
        self.filter = RosterFilter(
            self.request.GET,
            enrollments=roster_for_user(user=self.request.user, course_class=self.course_class),
        )
        return self.filter.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = roster_rows(enrollments=context["enrollments"], course_class=self.course_class)
        context.update(
            rows_html=mark_safe(  # noqa: S308 - roster_row_html escapes every value
                "".join(roster_row_html(row, may_issue=self.may_issue) for row in rows)
            ),
            instructors=self.course_class.instructors.all(),
            filter=self.filter,
            filter_fields=roster_filter_fields(self.filter.form),
            query_string=filter_query_string(self.request, self.filter, without=("page",)),
        )
        return context


class RosterRowView(CourseClassMixin, TemplateView):
    """One roster row, fetched again after a badge was issued to its student."""

    template_name = "classes/includes/roster_row.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrollment: Enrollment = get_object_or_404(
            roster_for_user(user=self.request.user, course_class=self.course_class),
            student_id=self.kwargs["student_pk"],
        )
        context["enrollment"] = enrollment
        (row,) = roster_rows(enrollments=[enrollment], course_class=self.course_class)
        context["row_html"] = roster_row_html(row, may_issue=self.may_issue)
        return context
