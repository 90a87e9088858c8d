"""Badge profiles, Find Issued Badges and the Achievements/Badges page of a student.

Views stay thin: a selector narrows what the user may see (anything outside is a 404), a form
validates, a service writes.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from accounts.selectors import user_is_org_admin
from lms_portal.mixins import PortalPermissionMixin

from .filters import BadgeListFilter, IssuedBadgeFilter
from .forms import BadgeForm
from .models import BadgeIssuance
from .selectors import (
    badge_history,
    badges_for_user,
    badges_with_holder_counts,
    issuances_in_order,
    issuances_of_student,
    issuances_visible_to,
    latest_issuances_of_badge,
    students_visible_to,
)
from .services import (
    badge_archive,
    badge_create,
    badge_delete,
    badge_issuance_revoke,
    badge_update,
    user_may_revoke,
)

ISSUED_BADGES_PAGE_SIZES = (10, 25, 50, 100)
ISSUED_BADGES_DEFAULT_PAGE_SIZE = 25
ISSUED_BADGES_SORT_COLUMNS = [
    ("date", "Issued", "-date"),
    ("student", "Student", "student"),
    ("badge", "Badge", "badge"),
]
CSV_CHUNK_SIZE = 2000
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _query_string_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _mark_badge_profiles_visible(*, user, issuances) -> None:
    """Set `badge_profile_visible` on each issuance: whether its badge's name may link to the
    badge's Profile page (an administrator of the badge's organization, or platform staff)."""
    may_change = user.has_perm("badges.change_badge")
    every_organization = user.is_staff
    own_organization = user.organization_id if user_is_org_admin(user=user) else None
    for issuance in issuances:
        issuance.badge_profile_visible = may_change and (
            every_organization or issuance.badge.organization_id == own_organization
        )


class HtmxPartialMixin:
    """An htmx request gets only the part of the page it swaps in."""

    partial_template_name = ""

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ForgivingPaginationMixin:
    """A page number that is not a number or past the end shows the first or last page."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class BadgeObjectMixin:
    """The badge named in the URL, among those the user may edit; a 404 for any other."""

    def get_badge(self):
        if not hasattr(self, "_badge"):
            self._badge = get_object_or_404(
                badges_with_holder_counts(badges=badges_for_user(user=self.request.user)),
                pk=self.kwargs["pk"],
            )
        return self._badge


class BadgeListView(PortalPermissionMixin, HtmxPartialMixin, ForgivingPaginationMixin, ListView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_list.html"
    partial_template_name = "badges/includes/badge_table.html"
    context_object_name = "badges"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = BadgeListFilter(
            self.request.GET or None,
            queryset=badges_with_holder_counts(badges=badges_for_user(user=self.request.user)),
        )
        return self.filterset.qs.order_by("name", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            query_string=_query_string_without(self.request, "page"),
            **kwargs,
        )


class BadgeProfileView(PortalPermissionMixin, BadgeObjectMixin, DetailView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_profile.html"
    context_object_name = "badge"

    def get_object(self, queryset=None):
        return self.get_badge()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_issuances"] = latest_issuances_of_badge(badge=self.object)
        context["history"] = badge_history(badge=self.object)
        return context


class BadgeFormViewMixin:
    template_name = "badges/badge_form.html"
    form_class = BadgeForm

    def form_saved_or_invalid(self, form, save):
        """Run the service; a rule it refuses (a name taken a moment ago) shows on the form."""
        try:
            badge = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("badges:profile", pk=badge.pk)


def _badge_fields(cleaned_data) -> dict:
    return {
        "name": cleaned_data["name"],
        "description": cleaned_data["description"],
        "is_active": cleaned_data["is_active"],
        "manual_issuance_enabled": cleaned_data["manual_issuance_enabled"],
        "achievement": cleaned_data["achievement"],
        "image": cleaned_data["image"],
    }


class BadgeCreateView(PortalPermissionMixin, BadgeFormViewMixin, FormView):
    permission_required = "badges.add_badge"

    def get_organization(self):
        user = self.request.user
        if not user_is_org_admin(user=user):
            raise PermissionDenied(
                "Badges are created by their organization's administrators (platform staff use "
                "the administration site)."
            )
        return user.organization

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.get_organization()}

    def form_valid(self, form):
        def save(data):
            badge = badge_create(
                actor=self.request.user, organization=self.get_organization(), **_badge_fields(data)
            )
            messages.success(self.request, f"Badge “{badge.name}” created.")
            return badge

        return self.form_saved_or_invalid(form, save)


class BadgeEditView(PortalPermissionMixin, BadgeObjectMixin, BadgeFormViewMixin, FormView):
    permission_required = "badges.change_badge"

    def get_form_kwargs(self):
        badge = self.get_badge()
        return {
            **super().get_form_kwargs(),
            "organization": badge.organization,
            "badge": badge,
            "active_tab": self.request.GET.get("tab", ""),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(badge=self.get_badge(), **kwargs)

    def form_valid(self, form):
        def save(data):
            badge = badge_update(
                actor=self.request.user,
                badge=self.get_badge(),
                remove_image=data.get("remove_image", False),
                **_badge_fields(data),
            )
            messages.success(self.request, "Badge saved.")
            return badge

        return self.form_saved_or_invalid(form, save)


class BadgeArchiveView(PortalPermissionMixin, BadgeObjectMixin, View):
    permission_required = "badges.change_badge"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        badge = badge_archive(actor=request.user, badge=self.get_badge())
        messages.success(
            request,
            f"Badge “{badge.name}” archived: its holders keep it, and nobody can be issued it.",
        )
        return redirect("badges:profile", pk=badge.pk)


class BadgeDeleteView(PortalPermissionMixin, BadgeObjectMixin, TemplateView):
    """GET asks for confirmation (in the dialog, or as a page without JavaScript); POST deletes a
    badge nobody holds. A badge with holders is archived instead."""

    permission_required = "badges.delete_badge"
    template_name = "badges/badge_confirm_delete.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["badges/includes/badge_delete_dialog.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            badge=self.get_badge(), in_dialog=bool(self.request.htmx), **kwargs
        )

    def post(self, request, *args, **kwargs):
        badge = self.get_badge()
        try:
            badge_delete(actor=request.user, badge=badge)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("badges:profile", pk=badge.pk)
        messages.success(request, f"Badge “{badge.name}” deleted.")
        return redirect("badges:list")


class IssuedBadgeSearchMixin:
    """The search of Find Issued Badges, shared by the page and its CSV export. An invalid search
    (a forged id, a date that is not one) finds nothing, so that what is exported is exactly what
    the form says."""

    def get_filterset(self) -> IssuedBadgeFilter:
        if not hasattr(self, "filterset"):
            self.filterset = IssuedBadgeFilter(
                self.request.GET or None,
                queryset=issuances_visible_to(user=self.request.user),
                user=self.request.user,
            )
        return self.filterset

    def searched_issuances(self):
        filterset = self.get_filterset()
        if filterset.is_bound and not filterset.is_valid():
            return filterset.queryset.none()
        return filterset.qs


class FindIssuedBadgesView(
    PortalPermissionMixin,
    IssuedBadgeSearchMixin,
    HtmxPartialMixin,
    ForgivingPaginationMixin,
    ListView,
):
    permission_required = "badges.view_badgeissuance"
    template_name = "badges/find_issued_badges.html"
    partial_template_name = "badges/includes/issued_badges_results.html"
    context_object_name = "issuances"

    def get_queryset(self):
        return self.searched_issuances()

    def paginate_queryset(self, queryset, page_size):
        """Page through the ids only, then read the page's rows in full: two narrow queries
        instead of one wide query that the planner cannot reorder on a large table."""
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        page.object_list = issuances_in_order(ids=list(ids))
        return paginator, page, page.object_list, is_paginated

    def get_paginate_by(self, queryset):
        requested = self.request.GET.get("page_size", "")
        # Compared as text: str.isdigit() accepts "¹", which int() refuses.
        sizes = {str(size): size for size in ISSUED_BADGES_PAGE_SIZES}
        if requested in sizes:
            return sizes[requested]
        return ISSUED_BADGES_DEFAULT_PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filter=self.get_filterset(),
            page_sizes=ISSUED_BADGES_PAGE_SIZES,
            query_string=_query_string_without(self.request, "page"),
            export_query_string=_query_string_without(self.request, "page", "page_size"),
            **kwargs,
        )
        _mark_badge_profiles_visible(user=self.request.user, issuances=context["issuances"])
        context["sort_columns"] = self.sort_columns()
        return context

    def sort_columns(self) -> list[dict]:
        """The sortable column headers: each links to its own sort, or reverses it when it is
        the current one (dates newest first to begin with, names A to Z)."""
        current = self.request.GET.get("sort", "") or IssuedBadgeFilter.DEFAULT_SORT
        columns = []
        for key, label, first in ISSUED_BADGES_SORT_COLUMNS:
            if current == key:
                next_sort, state = f"-{key}", "ascending"
            elif current == f"-{key}":
                next_sort, state = key, "descending"
            else:
                next_sort, state = first, ""
            query = self.request.GET.copy()
            query.pop("page", None)
            query["sort"] = next_sort
            columns.append({"key": key, "label": label, "query": query.urlencode(), "state": state})
        return columns


def _person(first_name: str, last_name: str, username: str) -> str:
    return f"{first_name} {last_name}".strip() or username


def _csv_safe(value: str) -> str:
    return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value


ISSUED_BADGES_CSV_COLUMNS = [
    "Issued at",
    "Badge",
    "Organization",
    "Student",
    "Student email",
    "Method",
    "Source",
    "From",
    "Issued by",
]


def issued_badges_csv_rows(issuances):
    """Each issuance as the CSV row it exports to, read from the database in chunks."""
    methods = dict(BadgeIssuance.Method.choices)
    sources = dict(BadgeIssuance.Source.choices)
    local_time = timezone.get_current_timezone()
    rows = issuances.values_list(
        "issued_at",
        "badge__name",
        "badge__organization__name",
        "recipient__first_name",
        "recipient__last_name",
        "recipient__username",
        "recipient__email",
        "method",
        "source",
        "source_achievement__name",
        "source_class__name",
        "source_assignment__course__title",
        "issued_by__first_name",
        "issued_by__last_name",
        "issued_by__username",
    )
    for (
        issued_at,
        badge,
        organization,
        first_name,
        last_name,
        username,
        email,
        method,
        source,
        achievement,
        course_class,
        assignment_course,
        issuer_first_name,
        issuer_last_name,
        issuer_username,
    ) in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
        origin = achievement or course_class or assignment_course or ""
        issuer = _person(issuer_first_name or "", issuer_last_name or "", issuer_username or "")
        yield [
            _csv_safe(value)
            for value in (
                issued_at.astimezone(local_time).strftime("%Y-%m-%d %H:%M:%S"),
                badge,
                organization,
                _person(first_name, last_name, username),
                email,
                methods.get(method, method),
                sources.get(source, source),
                origin,
                issuer,
            )
        ]


def _stream_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ISSUED_BADGES_CSV_COLUMNS)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % CSV_CHUNK_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class ExportIssuedBadgesView(PortalPermissionMixin, IssuedBadgeSearchMixin, View):
    """The rows of the current search as CSV, streamed: memory stays flat for a million rows."""

    permission_required = "badges.view_badgeissuance"

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, "Correct the search before exporting it.")
            return redirect(f"{reverse('badges:issued')}?{request.GET.urlencode()}")
        response = StreamingHttpResponse(
            _stream_csv(issued_badges_csv_rows(self.searched_issuances())),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="issued-badges-{stamp}.csv"'
        return response


class StudentBadgesView(DetailView):
    """The Achievements/Badges page of one student: only students the user may see (a 404 for
    anyone else)."""

    template_name = "badges/student_badges.html"
    context_object_name = "student"

    def get_object(self, queryset=None):
        return get_object_or_404(
            students_visible_to(user=self.request.user).select_related("organization"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issuances = list(issuances_of_student(student=self.object))
        _mark_badge_profiles_visible(user=self.request.user, issuances=issuances)
        for issuance in issuances:
            issuance.revocable = user_may_revoke(user=self.request.user, badge=issuance.badge)
        completions = list(
            self.object.achievement_completions.select_related("achievement").order_by(
                "-first_met_at", "pk"
            )
        )
        context["issuances"] = issuances
        context["any_revocable"] = any(issuance.revocable for issuance in issuances)
        context["achievement_completions"] = completions
        context["points"] = sum(completion.achievement.points for completion in completions)
        return context


class RevokeIssuanceView(View):
    """POST: an administrator of the badge's organization (or platform staff) takes a badge back,
    with a reason. Issuances the user may not see are a 404; ones the user may see but not revoke
    are a 403."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        issuance = get_object_or_404(
            issuances_visible_to(user=request.user).select_related("badge", "recipient"),
            pk=self.kwargs["pk"],
        )
        student_page = redirect("badges:student", pk=issuance.recipient_id)
        try:
            revocation = badge_issuance_revoke(
                actor=request.user, issuance=issuance, reason=request.POST.get("reason", "")
            )
        except BadgeIssuance.DoesNotExist:
            messages.info(request, "This badge was revoked already.")
            return student_page
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return student_page
        messages.success(
            request,
            f"Badge “{revocation.badge_name}” revoked from {issuance.recipient.display_name}.",
        )
        return student_page
