"""An organization's Credly settings page, and a badge's Credly template id: who may configure
Credly, the token stored encrypted and never shown again in full, and what is accepted."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection as db_connection
from django.urls import reverse

from badges.models import Badge, BadgeChange
from common.crypto import decrypt_secret
from deliveries.forms import CredlyConnectionForm
from deliveries.models import CredlyConnection
from deliveries.services.credly_settings import credly_connection_save
from tests.factories import AdministratorFactory, BadgeFactory, InstructorFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

TOKEN = "cr3dly-T0ken-Zq8wX4vY7uT2sR9pabcd"
ORG_ID = "0c4a7d1e-3f2b-4e5a-9c8d-7b6a5f4e3d2c"
URL = reverse("credly_settings")


def settings_data(**changes):
    data = {
        "credly_organization_id": ORG_ID,
        "api_token": TOKEN,
        "api_url": "https://api.credly.com",
        "is_enabled": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def stored_token_column(connection: CredlyConnection) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT api_token FROM {CredlyConnection._meta.db_table} WHERE id = %s",  # noqa: S608
            [connection.pk],
        )
        return cursor.fetchone()[0]


def test_administrator_configures_credly_and_the_token_is_stored_encrypted(
    admin_client, administrator
):
    response = admin_client.post(URL, settings_data())

    assert response.status_code == 302
    assert response.url == URL
    connection = CredlyConnection.objects.get()
    assert connection.organization == administrator.organization
    assert connection.credly_organization_id == ORG_ID
    assert connection.api_url == "https://api.credly.com"
    assert connection.is_enabled
    assert connection.token_hint == "abcd"
    column = stored_token_column(connection)
    assert column
    assert TOKEN not in column
    assert decrypt_secret(column).decode() == TOKEN


def test_the_token_is_never_shown_again_in_full(admin_client):
    admin_client.post(URL, settings_data())

    page = admin_client.get(URL, follow=True)
    body = page.content.decode()
    assert TOKEN not in body
    assert TOKEN[:-4] not in body
    assert "…abcd" in body
    # The token field is empty on edit: a password input without a value.
    assert 'name="api_token"' in body
    assert f'value="{TOKEN}"' not in body
    organization_page = admin_client.get(reverse("organization")).content.decode()
    assert TOKEN not in organization_page
    assert reverse("credly_settings") in organization_page


def test_a_refused_save_does_not_echo_the_token(admin_client):
    response = admin_client.post(URL, settings_data(credly_organization_id="not-a-uuid"))

    assert response.status_code == 200
    assert TOKEN not in response.content.decode()
    assert CredlyConnection.objects.count() == 0


def test_leaving_the_token_empty_keeps_the_stored_one(admin_client):
    admin_client.post(URL, settings_data())
    before = stored_token_column(CredlyConnection.objects.get())

    response = admin_client.post(
        URL, settings_data(api_token="", api_url="https://sandbox-api.credly.com", is_enabled=None)
    )

    assert response.status_code == 302
    connection = CredlyConnection.objects.get()
    assert stored_token_column(connection) == before
    assert connection.token_hint == "abcd"
    assert connection.api_url == "https://sandbox-api.credly.com"
    assert not connection.is_enabled


def test_a_new_token_replaces_the_old_one(admin_client):
    admin_client.post(URL, settings_data())
    admin_client.post(URL, settings_data(api_token="another-Token-value-9876wxyz"))

    connection = CredlyConnection.objects.get()
    assert decrypt_secret(connection.api_token).decode() == "another-Token-value-9876wxyz"
    assert connection.token_hint == "wxyz"


def test_the_first_save_needs_a_token(admin_client):
    response = admin_client.post(URL, settings_data(api_token=""))

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert CredlyConnection.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"credly_organization_id": "12345"}, "UUID"),
        ({"api_token": "short"}, "too short"),
        ({"api_token": "has spaces in the middle of it"}, "without spaces"),
        ({"api_token": "tökén-with-non-ascii-characters"}, "without spaces"),
        ({"api_url": "http://api.credly.com"}, "https://"),
        ({"api_url": "https://evil.example.org"}, "must be Credly"),
        ({"api_url": "https://credly.com.evil.example.org"}, "must be Credly"),
        ({"api_url": "https://user:pw@api.credly.com"}, "user name or password"),
        ({"api_url": "https://api.credly.com/?token=1"}, "query"),
        ({"api_url": "http://127.0.0.1:8765"}, "https://"),
    ],
)
def test_settings_that_are_refused(changes, message):
    form = CredlyConnectionForm(settings_data(**changes))
    assert not form.is_valid()
    assert message in str(form.errors), form.errors


def test_organization_id_is_stored_in_canonical_form():
    form = CredlyConnectionForm(settings_data(credly_organization_id=ORG_ID.upper()))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credly_organization_id"] == ORG_ID


@pytest.mark.parametrize(
    "url", ["https://api.credly.com", "https://sandbox-api.credly.com/", "api.credly.com"]
)
def test_credlys_own_addresses_are_accepted(url):
    form = CredlyConnectionForm(settings_data(api_url=url))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["api_url"].startswith("https://")
    assert not form.cleaned_data["api_url"].endswith("/")


def test_a_local_standin_is_accepted_only_where_allowed(settings):
    settings.CREDLY_ALLOW_LOCAL_API_URL = True
    assert CredlyConnectionForm(settings_data(api_url="http://127.0.0.1:8765")).is_valid()
    assert CredlyConnectionForm(settings_data(api_url="http://localhost:8765")).is_valid()
    assert not CredlyConnectionForm(settings_data(api_url="http://10.0.0.7")).is_valid()


def test_instructor_may_not_see_or_change_credly_settings(client, organization):
    logged_in(client, InstructorFactory(organization=organization))
    assert client.get(URL).status_code == 403
    assert client.post(URL, settings_data()).status_code == 403
    assert CredlyConnection.objects.count() == 0


def test_another_organizations_administrator_sees_only_their_own(
    client, admin_client, administrator, other_organization
):
    admin_client.post(URL, settings_data())
    other = AdministratorFactory(organization=other_organization)
    logged_in(client, other)

    page = client.get(URL).content.decode()

    assert "…abcd" not in page
    assert ORG_ID not in page
    assert "Not configured" in page
    client.post(URL, settings_data(api_token="other-organizations-token-1111"))
    mine = CredlyConnection.objects.get(organization=administrator.organization)
    assert decrypt_secret(mine.api_token).decode() == TOKEN
    assert CredlyConnection.objects.get(organization=other_organization).token_hint == "1111"


def test_the_service_refuses_anyone_but_the_organizations_administrators(
    organization, other_organization, instructor
):
    for actor in (instructor, AdministratorFactory(organization=other_organization)):
        with pytest.raises(PermissionDenied):
            credly_connection_save(
                actor=actor,
                organization=organization,
                credly_organization_id=ORG_ID,
                api_url="https://api.credly.com",
                api_token=TOKEN,
            )
    assert CredlyConnection.objects.count() == 0


def test_staff_without_an_organization_are_sent_to_the_admin_site(client, django_user_model):
    staff = django_user_model.objects.create_user(username="root", is_staff=True, is_superuser=True)
    logged_in(client, staff)
    assert client.get(URL).status_code == 404


# A badge's Credly template id ---------------------------------------------------------------


def edit(admin_client, badge, **changes):
    data = {"name": badge.name, "description": badge.description, "is_active": "on"}
    data.update(changes)
    return admin_client.post(reverse("badges:edit", args=[badge.pk]), data)


def test_administrator_sets_a_badges_credly_template_id(admin_client, organization):
    badge = BadgeFactory(organization=organization)
    template_id = str(uuid.uuid4())

    response = edit(admin_client, badge, credly_template_id=template_id.upper())

    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.credly_template_id == template_id
    change = BadgeChange.objects.filter(badge=badge).latest("pk")
    assert {"field": "Credly badge template ID", "old": "", "new": template_id} in change.changes
    form_page = admin_client.get(reverse("badges:edit", args=[badge.pk])).content.decode()
    assert 'id="tab-delivery"' in form_page
    assert f'value="{template_id}"' in form_page


def test_clearing_the_template_id_stops_credly_delivery_of_the_badge(admin_client, organization):
    badge = BadgeFactory(organization=organization, credly_template_id=str(uuid.uuid4()))
    edit(admin_client, badge, credly_template_id="  ")
    badge.refresh_from_db()
    assert badge.credly_template_id == ""


@pytest.mark.parametrize(
    "value",
    ["12345", "cfaf2910-ea5f-46f1-89a5-db525dad6e5", "<script>", "x" * 65, "cfaf2910 ea5f"],
)
def test_a_template_id_that_is_not_a_uuid_is_refused_on_its_tab(admin_client, organization, value):
    badge = BadgeFactory(organization=organization)

    response = edit(admin_client, badge, credly_template_id=value)

    assert response.status_code == 200
    tabs = {tab["slug"]: tab for tab in response.context["form"].tabs()}
    assert tabs["delivery"]["active"]
    assert tabs["delivery"]["error_count"] == 1
    assert Badge.objects.get(pk=badge.pk).credly_template_id == ""


# The Django admin: platform staff replace a token, never read it ------------------------------


@pytest.fixture
def staff_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    return client


def test_staff_set_a_token_in_the_admin_and_never_see_it_again(staff_client, administrator):
    add = reverse("admin:deliveries_credlyconnection_add")
    response = staff_client.post(
        add,
        {
            "organization": administrator.organization.pk,
            "credly_organization_id": ORG_ID,
            "api_url": "https://api.credly.com",
            "is_enabled": "on",
            "new_api_token": TOKEN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = CredlyConnection.objects.get()
    ciphertext = stored_token_column(connection)
    assert TOKEN not in ciphertext
    assert decrypt_secret(ciphertext) == TOKEN.encode()

    for url in (
        reverse("admin:deliveries_credlyconnection_changelist"),
        reverse("admin:deliveries_credlyconnection_change", args=[connection.pk]),
    ):
        page = staff_client.get(url).content.decode()
        assert TOKEN not in page
        assert ciphertext not in page
        assert "…abcd" in page


def test_the_admin_keeps_the_token_when_none_is_pasted_and_refuses_a_foreign_api_url(
    staff_client, administrator
):
    credly_connection_save(
        actor=administrator,
        organization=administrator.organization,
        credly_organization_id=ORG_ID,
        api_url="https://api.credly.com",
        api_token=TOKEN,
    )
    connection = CredlyConnection.objects.get()
    change = reverse("admin:deliveries_credlyconnection_change", args=[connection.pk])
    data = {
        "organization": administrator.organization.pk,
        "credly_organization_id": ORG_ID,
        "api_url": "https://sandbox-api.credly.com",
        "new_api_token": "",
    }

    assert staff_client.post(change, data).status_code == 302
    connection.refresh_from_db()
    assert connection.api_url == "https://sandbox-api.credly.com"
    assert decrypt_secret(connection.api_token) == TOKEN.encode()

    refused = staff_client.post(change, {**data, "api_url": "https://collector.example.org"})
    assert refused.status_code == 200
    assert "The API URL must be Credly" in refused.content.decode()
    connection.refresh_from_db()
    assert connection.api_url == "https://sandbox-api.credly.com"
