"""A class's Roster: its students with the badges each holds from the class's organization.

The page shows 100 rows, so each row is prepared here once (`roster_rows`): its URLs from a prefix
reversed once per page, its dates formatted, its badges' pictures looked up once per badge. The
row template then only reads plain values: no include, no {% url %}, no filter per row, which is
where the page's time went (see docs/performance.md, benchmark 9)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import ListView, TemplateView

from badges.selectors import (
    roster_for_user,
)
from classes.filters import RosterFilter
from classes.models import CourseClass, Enrollment
from classes.views import CourseClassMixin
from common.views import filter_query_string

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
        context.update(
            rows=roster_rows(enrollments=context["enrollments"], course_class=self.course_class),
            instructors=self.course_class.instructors.all(),
            filter=self.filter,
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
        (context["row"],) = roster_rows(enrollments=[enrollment], course_class=self.course_class)
        return context
