"""The API clients page: who may open it, a token shown once and stored only hashed, revoking."""

import logging
import re

import pytest
from django.urls import reverse

from api.models import ApiClient
from api.services import api_client_create, api_client_revoke
from api.tokens import token_hash
from tests.factories import (
    AdministratorFactory,
    InstructorFactory,
    OrganizationFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/organization/api-clients/"
FORM = {"name": "Lab platform", "scopes": ["issuances:read"], "requests_per_minute": "60"}


@pytest.fixture
def organization():
    return OrganizationFactory(name="Acme")


@pytest.fixture
def administrator(organization):
    return AdministratorFactory(organization=organization)


@pytest.fixture
def staff():
    return UserFactory(organization=None, is_staff=True, username="platform")


def _token_of(response) -> str:
    return re.search(r'value="(lpt_[^"]+)"', response.content.decode()).group(1)


def test_an_administrator_creates_a_client_and_sees_its_token_once(client, administrator, caplog):
    client.force_login(administrator)
    with caplog.at_level(logging.DEBUG):
        response = client.post(URL, FORM)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = _token_of(response)
    made = ApiClient.objects.get()
    # Only the hash and the first characters are kept; the token is in no log line.
    assert made.token_hash == token_hash(token)
    assert token not in str(list(ApiClient.objects.values()))
    assert made.token_prefix == token[:12]
    assert token not in caplog.text
    assert made.scopes == ["issuances:read"]
    assert made.requests_per_minute == 60
    assert made.created_by == administrator
    assert made.service_user.organization == administrator.organization
    assert not made.service_user.has_usable_password()
    # Never shown again: the list shows the prefix only.
    page = client.get(URL).content.decode()
    assert token not in page
    assert f"{made.token_prefix}…" in page
    # The token works.
    api = client.get("/api/v1/badges", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200


def test_bad_input_is_a_form_error_and_makes_nothing(client, administrator):
    client.force_login(administrator)
    for data in (
        {**FORM, "scopes": ["root"]},
        {**FORM, "scopes": []},
        {**FORM, "name": ""},
        {**FORM, "name": "x\x00"},
        {**FORM, "requests_per_minute": "0"},
        {**FORM, "requests_per_minute": "9" * 30},
    ):
        response = client.post(URL, data)
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_a_name_twice_is_refused(client, administrator):
    client.force_login(administrator)
    client.post(URL, FORM)
    response = client.post(URL, FORM)
    assert "has this name already" in response.content.decode()
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize("role", ["instructor", "student"])
def test_instructors_and_students_may_not(client, organization, role):
    factory = InstructorFactory if role == "instructor" else StudentFactory
    client.force_login(factory(organization=organization))
    assert client.get(URL).status_code == 403
    assert client.post(URL, FORM).status_code == 403
    assert not ApiClient.objects.exists()


def test_another_organizations_administrator_gets_404(client, organization, administrator):
    made, _ = api_client_create(
        actor=administrator,
        organization=organization,
        name="Moodle bridge",
        scopes=["issuances:read"],
        requests_per_minute=60,
    )
    other = AdministratorFactory(organization=OrganizationFactory())
    client.force_login(other)
    revoke = reverse("api_client_revoke", args=[made.pk])
    assert client.get(revoke).status_code == 404
    assert client.post(revoke).status_code == 404
    assert client.get(URL, {"organization": organization.pk}).status_code == 404
    assert "Moodle bridge" not in client.get(URL).content.decode()
    made.refresh_from_db()
    assert made.revoked_at is None


def test_staff_choose_any_organization(client, organization, staff):
    client.force_login(staff)
    chooser = client.get(URL)
    assert chooser.status_code == 200
    assert "Acme" in chooser.content.decode()
    response = client.post(f"{URL}?organization={organization.pk}", FORM)
    assert response.status_code == 200
    assert ApiClient.objects.get().organization == organization
    assert client.get(URL, {"organization": "99999999"}).status_code == 404
    assert client.get(URL, {"organization": "x"}).status_code == 404


def test_revoke_confirms_then_refuses_the_token(client, administrator):
    client.force_login(administrator)
    token = _token_of(client.post(URL, FORM))
    made = ApiClient.objects.get()
    revoke = reverse("api_client_revoke", args=[made.pk])
    assert "Revoke" in client.get(revoke).content.decode()
    assert client.post(revoke).status_code == 302
    made.refresh_from_db()
    assert made.revoked_at is not None
    api = client.get("/api/v1/badges", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401
    assert "Revoked" in client.get(URL).content.decode()


def test_the_services_check_permissions(organization, administrator):
    instructor = InstructorFactory(organization=organization)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_client_create(
            actor=instructor,
            organization=organization,
            name="X",
            scopes=["issuances:read"],
            requests_per_minute=1,
        )
    made, _ = api_client_create(
        actor=administrator,
        organization=organization,
        name="X",
        scopes=["issuances:read"],
        requests_per_minute=1,
    )
    with pytest.raises(PermissionDenied):
        api_client_revoke(actor=instructor, client=made)


def test_the_organization_page_links_to_it(client, administrator, staff):
    client.force_login(administrator)
    assert 'href="/organization/api-clients/"' in client.get("/organization/").content.decode()
    client.force_login(staff)
    assert 'href="/organization/api-clients/"' in client.get("/").content.decode()


def test_the_page_query_count_is_pinned(
    client, organization, administrator, django_assert_max_num_queries
):
    for n in range(20):
        api_client_create(
            actor=administrator,
            organization=organization,
            name=f"Client {n}",
            scopes=["issuances:read"],
            requests_per_minute=60,
        )
    client.force_login(administrator)
    with django_assert_max_num_queries(10):
        assert client.get(URL).content.decode().count('data-testid="api-client"') == 20
