"""Security habits: CSRF on every POST, a strict CSP, safe redirects after login, rate limiting."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_post_without_csrf_token_is_refused(administrator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)

    response = client.post(reverse("logout"))

    assert response.status_code == 403


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_login_ignores_a_next_url_on_another_host(client, administrator):
    response = client.post(
        reverse("login"),
        {
            "username": administrator.username,
            "password": TEST_PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_login_follows_a_next_url_on_this_site(client, administrator):
    response = client.post(
        reverse("login"),
        {"username": administrator.username, "password": TEST_PASSWORD, "next": "/badges/"},
    )

    assert response.url == "/badges/"


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_repeated_failed_logins_lock_the_account_for_a_while(client, administrator):
    for _ in range(3):
        client.post(reverse("login"), {"username": administrator.username, "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": administrator.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("header", ["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"])
def test_security_headers_are_set(client, db, header):
    assert header in client.get(reverse("login")).headers


def test_every_post_without_a_csrf_token_is_refused(
    organization, other_organization, administrator, instructor, contractor, course_class
):
    """Every URL of the portal (from the URL configuration, via the permission matrix), posted
    to by platform staff without the CSRF token: 403 and nothing written."""
    from tests.factories import UserFactory
    from tests.security.test_permission_matrix import (
        MATRIX,
        build_roles_and_objects,
        portal_url_names,
        state,
    )

    assert set(portal_url_names()) == set(MATRIX)
    data = build_roles_and_objects(
        organization, other_organization, administrator, instructor, contractor, course_class
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    for name, (args_of, *_) in MATRIX.items():
        before = state()
        response = client.post(reverse(name, args=args_of(data)), {})
        assert response.status_code == 403, name
        assert state() == before, name
