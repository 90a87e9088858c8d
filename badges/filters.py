"""Search forms of the badge pages, with django-filter."""

from datetime import date, datetime, time

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone

from accounts.models import User, person_name
from accounts.selectors import user_administers_organization
from assignments.models import CourseAssignment
from assignments.selectors import assignments_for_user
from classes.models import CourseClass
from classes.selectors import classes_for_user
from common.filters import IdModelChoiceFilter
from common.forms import SEARCH_MAX_LENGTH, ValuesModelChoiceField
from common.widgets import PORTAL_DATE_INPUT_FORMATS, FastSelect, PortalDateInput

from .models import Badge, BadgeIssuance
from .selectors import badges_for_issuance_search, issuances_with_status

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
MAX_SEARCH_TERMS = 8


class BadgeListFilter(django_filters.FilterSet):
    """The Badges list: search by name, active or archived, how the badge is issued."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_name",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Badge name"}),
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("active", "Active"), ("archived", "Archived")],
        empty_label="Active and archived",
        method="filter_status",
    )
    issuance = django_filters.ChoiceFilter(
        label="Issued",
        choices=[
            ("manual", "Manually (Enable Manual Issuance)"),
            ("automatic", "Automatically (mapped to an achievement)"),
            ("both", "Both automatically and manually"),
            ("none", "Neither"),
        ],
        empty_label="Any way",
        method="filter_issuance",
    )

    class Meta:
        model = Badge
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")

    def filter_issuance(self, queryset, name, value):
        manual = Q(manual_issuance_enabled=True)
        automatic = Q(achievement__isnull=False)
        return queryset.filter(
            {
                "manual": manual,
                "automatic": automatic,
                "both": manual & automatic,
                "none": ~manual & ~automatic,
            }[value]
        )


class IssuanceOrderingFilter(django_filters.OrderingFilter):
    """Sort by date, student or badge; ties broken so that pages never overlap."""

    COLUMNS = {
        "issued_at": ["issued_at"],
        "student": ["recipient__last_name", "recipient__first_name", "recipient__username"],
        "badge": ["badge__name"],
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fields", {"issued_at": "date", "student": "student", "badge": "badge"})
        kwargs.setdefault("label", "Sort by")
        kwargs.setdefault(
            "field_labels", {"issued_at": "Date", "student": "Student", "badge": "Badge"}
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        params = [param for param in (value or []) if param] or [IssuedBadgeFilter.DEFAULT_SORT]
        ordering = []
        for param in params:
            prefix = "-" if param.startswith("-") else ""
            columns = self.COLUMNS[self.param_map[param.lstrip("-")]]
            ordering.extend(f"{prefix}{column}" for column in columns)
        # Within one student or badge the newest first; the primary key makes the order total.
        if not ordering[-1].endswith("issued_at"):
            ordering.append("-issued_at")
        tie_breaker = "-pk" if ordering[0].startswith("-") else "pk"
        return qs.order_by(*ordering, tie_breaker)


class BadgeChoiceField(ValuesModelChoiceField):
    label_fields = ("name",)

    def label_from_values(self, name: str) -> str:
        return name


class BadgeFilter(IdModelChoiceFilter):
    field_class = BadgeChoiceField


class ClassChoiceField(ValuesModelChoiceField):
    label_fields = ("name", "organization__name")

    def label_from_values(self, name: str, organization: str) -> str:
        return f"{name} ({organization})"


class ClassFilter(django_filters.ModelChoiceFilter):
    field_class = ClassChoiceField


class CourseAssignmentChoiceField(ValuesModelChoiceField):
    label_fields = (
        "course__title",
        "student__first_name",
        "student__last_name",
        "student__username",
    )

    def label_from_values(self, title: str, first_name: str, last_name: str, username: str) -> str:
        return f"{title} for {person_name(first_name, last_name, username)}"


class CourseAssignmentFilter(django_filters.ModelChoiceFilter):
    field_class = CourseAssignmentChoiceField


class IssuedBadgeFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("issued_from"), cleaned.get("issued_to")
        if start and end and start > end:
            self.add_error("issued_to", "The end date comes before the start date.")
        return cleaned


def _date_filter(label: str, method: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label,
        method=method,
        widget=PortalDateInput(),
        input_formats=PORTAL_DATE_INPUT_FORMATS,
        help_text="Day, month and year: 12 Mar 2026.",
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
    )


class IssuedBadgeFilter(django_filters.FilterSet):
    """Find Issued Badges. Every choice offered is narrowed to what the user may see; a choice from
    outside (a forged id) is a form error, never a result."""

    badge = BadgeFilter(
        queryset=Badge.objects.none(),
        empty_label="Any badge",
        widget=FastSelect,
    )
    student = django_filters.CharFilter(
        label="Student",
        method="filter_student",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    course_class = ClassFilter(
        label="Class",
        field_name="source_class",
        queryset=CourseClass.objects.none(),
        empty_label="Any class",
        widget=FastSelect,
    )
    course_assignment = CourseAssignmentFilter(
        label="Course assignment",
        field_name="source_assignment",
        queryset=CourseAssignment.objects.none(),
        widget=FastSelect,
        empty_label="Any course assignment",
    )
    method = django_filters.ChoiceFilter(
        choices=BadgeIssuance.Method.choices, empty_label="Automatic or manual"
    )
    source = django_filters.ChoiceFilter(
        choices=BadgeIssuance.Source.choices, empty_label="Any source"
    )
    status = django_filters.ChoiceFilter(
        choices=BadgeIssuance.Status.choices,
        empty_label="Valid, expired or revoked",
        method="filter_status",
    )
    issued_from = _date_filter("Issued from", "filter_issued_from")
    issued_to = _date_filter("Issued until", "filter_issued_to")
    sort = IssuanceOrderingFilter()

    DEFAULT_SORT = "-date"

    class Meta:
        model = BadgeIssuance
        fields: list[str] = []
        form = IssuedBadgeFilterForm

    def filter_status(self, queryset, name, value):
        return issuances_with_status(queryset, value)

    def __init__(self, data=None, queryset=None, *, user: User, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["badge"].queryset = badges_for_issuance_search(user=user).order_by("name")
        self.filters["course_class"].queryset = classes_for_user(user=user).order_by("name")
        if user_administers_organization(user=user, organization_id=user.organization_id):
            # Only the assignments some badge was issued from: any other would find nothing.
            self.filters["course_assignment"].queryset = assignments_for_user(user=user).filter(
                pk__in=BadgeIssuance.objects.filter(source_assignment__isnull=False).values(
                    "source_assignment_id"
                )
            )
        else:
            # Instructors do not see course assignments: there is nothing to choose from.
            del self.filters["course_assignment"]

    @staticmethod
    def _start_of(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    def filter_student(self, queryset, name, value):
        terms = value.split()[:MAX_SEARCH_TERMS]
        if not terms:
            return queryset
        # On the recipient's own join (the one sorting by student uses too), not a second scan
        # of the users in a subquery: the planner then reads each matching issuance's user once.
        for term in terms:
            queryset = queryset.filter(
                Q(recipient__first_name__icontains=term)
                | Q(recipient__last_name__icontains=term)
                | Q(recipient__email__icontains=term)
                | Q(recipient__username__icontains=term)
            )
        return queryset

    def filter_issued_from(self, queryset, name, value):
        return queryset.filter(issued_at__gte=self._start_of(value))

    def filter_issued_to(self, queryset, name, value):
        return queryset.filter(
            issued_at__lte=timezone.make_aware(datetime.combine(value, time.max))
        )
