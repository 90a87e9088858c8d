"""The log-in forms refuse a field of any size with a message (found by probing: a username of
256 characters or more was a 500 on PostgreSQL, django-axes writing it into a 255-character
column)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import RequestFactory, override_settings

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lockout_on")]

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def lockout_on():
    with override_settings(AXES_ENABLED=True):
        yield


@pytest.mark.parametrize("url", LOGIN_PAGES)
@pytest.mark.parametrize("length", [151, 256, 5000, 1_000_000])
def test_a_username_too_long_for_any_account_is_a_form_error(client, url, length):
    response = client.post(url, {"username": "x" * length, "password": "wrong"})

    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_password_too_long_for_any_account_is_a_form_error(client, url, administrator):
    response = client.post(url, {"username": administrator.username, "password": "p" * 5000})

    assert response.status_code == 200
    assert "Ensure this value has at most 1024 characters" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_username_of_150_characters_is_an_ordinary_failed_log_in(client, url):
    response = client.post(url, {"username": "x" * 150, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter" in response.content.decode()
    assert AccessAttempt.objects.get().username == "x" * 150


def test_a_log_in_outside_the_forms_records_the_username_cut_to_its_column():
    """Any other caller of authenticate() (a future API) still cannot make the lockout's write
    fail: django-axes records the username cut to 255 characters."""
    request = RequestFactory().post("/api/login", {"username": "y" * 300})

    assert authenticate(request, username="y" * 300, password="wrong") is None

    assert AccessAttempt.objects.get().username == "y" * 255


def test_the_right_password_still_logs_in(client, administrator):
    response = client.post(
        "/accounts/login/", {"username": administrator.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(administrator.pk)
