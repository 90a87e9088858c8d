"""Fixtures shared by the API tests: a client of an organization with its token."""

from dataclasses import dataclass

import pytest

from api.models import ApiClient
from api.services import service_user_create
from api.tokens import SHOWN_CHARACTERS, token_generate, token_hash
from tests.factories import OrganizationFactory

ALL_SCOPES = list(ApiClient.Scope.values)


@dataclass
class Integration:
    client: ApiClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Keyword arguments for Django's test client: `client.get(url, **it.headers)`."""
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def make_integration(*, organization=None, scopes=None, name="Lab platform", **fields):
    token = token_generate()
    organization = organization or OrganizationFactory()
    client = ApiClient.objects.create(
        organization=organization,
        service_user=service_user_create(organization=organization, name=name),
        name=name,
        token_hash=token_hash(token),
        token_prefix=token[:SHOWN_CHARACTERS],
        scopes=ALL_SCOPES if scopes is None else scopes,
        **fields,
    )
    return Integration(client=client, token=token)


@pytest.fixture
def integration(db):
    """An API client with every scope, of a new organization."""
    return make_integration()


@dataclass
class World:
    """An organization with a badge issued to a student, and another organization's the same."""

    organization: object
    badge: object
    student: object
    issuance: object
    other_organization: object
    other_badge: object
    other_student: object
    other_issuance: object


def make_world() -> World:
    from tests.factories import BadgeFactory, BadgeIssuanceFactory, StudentFactory

    organization = OrganizationFactory(name="Acme")
    other = OrganizationFactory(name="Globex")
    badge = BadgeFactory(organization=organization, name="Linux")
    student = StudentFactory(organization=organization, username="ada")
    other_badge = BadgeFactory(organization=other, name="Foreign")
    other_student = StudentFactory(organization=other, username="grace")
    return World(
        organization=organization,
        badge=badge,
        student=student,
        issuance=BadgeIssuanceFactory(badge=badge, recipient=student),
        other_organization=other,
        other_badge=other_badge,
        other_student=other_student,
        other_issuance=BadgeIssuanceFactory(badge=other_badge, recipient=other_student),
    )


@pytest.fixture
def world(db):
    return make_world()
