"""Who administers which organization: one rule, for one organization and for a list."""

import pytest

from accounts.models import Organization
from accounts.selectors import administered_by, user_administers_organization
from tests.factories import AdministratorFactory, InstructorFactory, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(organization=None, is_staff=True)


def test_an_administrator_administers_their_own_organization_only(
    administrator, organization, other_organization
):
    assert user_administers_organization(user=administrator, organization_id=organization.pk)
    assert not user_administers_organization(
        user=administrator, organization_id=other_organization.pk
    )
    assert not user_administers_organization(user=administrator, organization_id=None)


def test_platform_staff_administer_every_organization(staff, organization, other_organization):
    assert user_administers_organization(user=staff, organization_id=organization.pk)
    assert user_administers_organization(user=staff, organization_id=other_organization.pk)


def test_an_instructor_administers_no_organization_not_even_their_own(instructor, organization):
    assert not user_administers_organization(user=instructor, organization_id=organization.pk)


def test_an_administrator_without_an_organization_administers_none(organization):
    orphan = AdministratorFactory(organization=None)
    assert not user_administers_organization(user=orphan, organization_id=organization.pk)


def test_the_list_form_narrows_to_the_same_organizations(
    administrator, staff, organization, other_organization
):
    everything = Organization.objects.all()
    assert set(administered_by(user=administrator, queryset=everything, field="pk")) == {
        organization
    }
    assert set(administered_by(user=staff, queryset=everything, field="pk")) == {
        organization,
        other_organization,
    }
    instructor = InstructorFactory(organization=organization)
    assert not administered_by(user=instructor, queryset=everything, field="pk").exists()
