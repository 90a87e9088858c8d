"""Fixtures shared by the API tests: a client of an organization with its token."""

from dataclasses import dataclass

import pytest

from api.models import ApiClient
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
    client = ApiClient.objects.create(
        organization=organization or OrganizationFactory(),
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
