"""No id or number can overflow: on SQLite a number beyond 64 bits cannot even be bound
(OverflowError, a 500), and the property tests found one about one run in two (the course set of
the achievement form). These tests try every field of every form of the portal and every add
form of the Django admin with such numbers, every run, instead of waiting for Hypothesis to
draw one."""

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse

from badges.models import Badge, BadgeIssuance
from classes.models import Enrollment
from tests.factories import UserFactory

from .test_permission_matrix import state

pytestmark = pytest.mark.django_db

BEYOND = ["9223372036854775808", "-9223372036854775809", str(2**70), "1" + "0" * 40]
PACKAGES = [
    "accounts",
    "achievements",
    "assignments",
    "awarding",
    "badges",
    "classes",
    "common",
    "credentials",
    "lms_portal",
]


def portal_form_classes() -> set[type[forms.BaseForm]]:
    """Every form class defined in the portal's packages (filter forms come from their
    filtersets, below)."""
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    found, pending = set(), [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] in PACKAGES and "Mixin" not in subclass.__name__:
                found.add(subclass)
    return found


@pytest.fixture
def built_forms(organization, administrator, instructor, course_class):
    """One instance of each form (bound to `data`), with what its constructor needs."""
    from accounts.admin import OrganizationAdminForm
    from accounts.forms import AdminLoginForm, LoginForm
    from achievements.forms import AchievementForm
    from achievements.models import Achievement
    from api.forms import ApiClientForm
    from assignments.filters import CourseAssignmentFilter
    from awarding.forms import CompleteEnrollmentsForm
    from badges.admin import AdminIssueForm
    from badges.filters import BadgeListFilter, IssuedBadgeFilter, IssuedBadgeFilterForm
    from badges.forms.issuing import BatchSelectionForm, IssueOneBadgeForm
    from badges.forms.mapping import AutomaticIssuancePreviewForm, BadgeMappingForm
    from badges.forms.profiles import BadgeForm
    from badges.models import Badge
    from common.forms import SearchForm
    from credentials.forms import IssuerProfileForm
    from deliveries.forms import CredlyConnectionForm
    from deliveries.webhooks_forms import WebhookEndpointForm
    from tests.factories import AchievementFactory, BadgeFactory

    achievement = AchievementFactory(organization=organization)
    BadgeFactory(organization=organization)
    builders = {
        LoginForm: lambda data: LoginForm(None, data=data),
        OrganizationAdminForm: lambda data: OrganizationAdminForm(data, instance=organization),
        AdminLoginForm: lambda data: AdminLoginForm(None, data=data),
        AchievementForm: lambda data: AchievementForm(data, organization=organization),
        CompleteEnrollmentsForm: CompleteEnrollmentsForm,
        AdminIssueForm: AdminIssueForm,
        BatchSelectionForm: BatchSelectionForm,
        IssueOneBadgeForm: IssueOneBadgeForm,
        BadgeMappingForm: lambda data: BadgeMappingForm(data, achievement=achievement),
        AutomaticIssuancePreviewForm: lambda data: AutomaticIssuancePreviewForm(
            data, achievements=Achievement.objects.all(), badges=Badge.objects.all()
        ),
        BadgeForm: lambda data: BadgeForm(data, organization=organization),
        SearchForm: SearchForm,
        IssuerProfileForm: IssuerProfileForm,
        CredlyConnectionForm: CredlyConnectionForm,
        WebhookEndpointForm: WebhookEndpointForm,
        ApiClientForm: ApiClientForm,
        IssuedBadgeFilterForm: lambda data: (
            IssuedBadgeFilter(data, queryset=BadgeIssuance.objects.all(), user=administrator).form
        ),
    }
    filter_forms = [
        lambda data: BadgeListFilter(data, queryset=Badge.objects.all()).form,
        lambda data: CourseAssignmentFilter(data, user=administrator).form,
        lambda data: (
            IssuedBadgeFilter(data, queryset=BadgeIssuance.objects.all(), user=instructor).form
        ),
    ]
    return builders, filter_forms


def test_every_form_of_the_portal_is_tried(built_forms):
    builders, _ = built_forms
    untried = {cls for cls in portal_form_classes() if cls not in builders}
    # Django's filter forms are built by their filtersets (tried below) under a generated name.
    untried = {cls for cls in untried if not cls.__name__.endswith("FilterForm")}
    assert untried == set()


@pytest.mark.parametrize("value", BEYOND)
def test_no_field_of_any_form_overflows(built_forms, value):
    builders, filter_forms = built_forms
    for build in [*builders.values(), *filter_forms]:
        names = list(build({}).fields)
        for data in ({name: value for name in names}, {name: [value, "1"] for name in names}):
            bound = build(_query_dict(data))
            bound.is_valid()
            str(bound)  # widgets list the chosen values again: that lookup must not overflow


def _query_dict(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    return query


@pytest.mark.parametrize("value", BEYOND[:2])
def test_no_add_form_of_the_django_admin_overflows(client, value):
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    before = state()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        except Exception:  # noqa: BLE001, S112 - a model without an add view
            continue
        names = [field.name for field in opts.get_fields() if field.concrete or field.many_to_many]
        response = client.post(url, {name: [value] for name in names})
        assert response.status_code < 500, (url, value)
        changelist = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": value}
        )
        assert changelist.status_code < 500, (model_admin, value)
    assert state() == before


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**70])
def test_lookups_by_a_number_no_column_holds_find_nothing(organization, value):
    assert not Badge.objects.filter(pk__in=[value]).exists()
    assert not Badge.objects.filter(organization__in=[value]).exists()
    assert not Badge.objects.filter(organization=value).exists()
    assert not Enrollment.objects.filter(student_id__in=[value, -1]).exists()
    assert Badge.objects.filter(organization__in=[value, organization.pk]).count() == 0
