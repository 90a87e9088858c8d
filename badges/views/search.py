"""Find Issued Badges: the search, its pages and its CSV export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView

from badges.csv_export import issued_badges_csv_stream
from badges.filters import IssuedBadgeFilter
from badges.selectors import (
    issuances_count,
    issuances_in_order,
    issuances_mark_profile_links,
    issuances_visible_to,
)
from common.views import (
    ForgivingPaginationMixin,
    HtmxPartialMixin,
    PortalPermissionMixin,
    filter_query_string,
)

ISSUED_BADGES_PAGE_SIZES = (10, 25, 50, 100)


ISSUED_BADGES_DEFAULT_PAGE_SIZE = 25


ISSUED_BADGES_SORT_COLUMNS = [
    ("date", "Issued", "-date"),
    ("student", "Student", "student"),
    ("badge", "Badge", "badge"),
]


class IssuancePaginator(Paginator):
    """Counts exactly up to a limit, then says "about" (`estimated`): see issuances_count. With an
    estimate the last page is not known, so the pages offered are the first, the neighbours of
    this one and the next (includes/pagination.html)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        count, self.estimated = issuances_count(self.object_list)
        return count

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        pages = list(
            super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
        )
        if not self.estimated:
            return pages
        last_shown = self.validate_number(number) + on_each_side
        pages = [page for page in pages if page == self.ELLIPSIS or page <= last_shown]
        return pages[:-1] if pages and pages[-1] == self.ELLIPSIS else pages


class IssuedBadgeSearchMixin:
    """The search of Find Issued Badges, shared by the page and its CSV export. An invalid search
    (a forged id, a date that is not one) finds nothing, so that what is exported is exactly what
    the form says. A floor above may extend the search (`filterset_class`) and the CSV
    (`csv_stream`): the Issued Status of deliveries."""

    filterset_class = IssuedBadgeFilter

    def get_filterset(self) -> IssuedBadgeFilter:
        if not hasattr(self, "filterset"):
            self.filterset = self.filterset_class(
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
    paginator_class = IssuancePaginator

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
        filterset = self.get_filterset()
        context = super().get_context_data(
            filter=filterset,
            page_sizes=ISSUED_BADGES_PAGE_SIZES,
            query_string=filter_query_string(self.request, filterset, extra=("page_size",)),
            export_query_string=filter_query_string(self.request, filterset),
            **kwargs,
        )
        issuances_mark_profile_links(user=self.request.user, issuances=context["issuances"])
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
            query = QueryDict(
                filter_query_string(self.request, self.get_filterset(), extra=("page_size",)),
                mutable=True,
            )
            query["sort"] = next_sort
            columns.append({"key": key, "label": label, "query": query.urlencode(), "state": state})
        return columns


class ExportIssuedBadgesView(PortalPermissionMixin, IssuedBadgeSearchMixin, View):
    """The rows of the current search as CSV, streamed: memory stays flat for a million rows."""

    permission_required = "badges.view_badgeissuance"

    def csv_stream(self, issuances, **options):
        return issued_badges_csv_stream(issuances, **options)

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, "Correct the search before exporting it.")
            return redirect(f"{reverse('badges:issued')}?{filter_query_string(request, filterset)}")
        response = StreamingHttpResponse(
            self.csv_stream(self.searched_issuances()),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="issued-badges-{stamp}.csv"'
        return response
