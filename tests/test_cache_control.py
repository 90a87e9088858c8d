"""Private pages stay private: every answer to a logged-in user says `Cache-Control: private,
no-store` (no shared cache keeps it, the browser does not store it); public answers are left
alone. Found by probing: authenticated pages and the CSV export carried no Cache-Control."""

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    ("name", "args_of", "role"),
    [
        ("dashboard", lambda w: [], "administrator"),
        ("badges:list", lambda w: [], "administrator"),
        ("badges:issued", lambda w: [], "administrator"),
        ("badges:issued_export", lambda w: [], "administrator"),
        ("badges:student", lambda w: [w["student"].pk], "administrator"),
        ("classes:roster", lambda w: [w["course_class"].pk], "instructor"),
        ("classes:batch", lambda w: [w["course_class"].pk], "instructor"),
        ("achievements:sweep_runs", lambda w: [], "administrator"),
        ("dashboard", lambda w: [], "student"),
    ],
)
def test_authenticated_pages_are_private_and_not_stored(
    client, administrator, instructor, course_class, student, name, args_of, role
):
    who = {"administrator": administrator, "instructor": instructor, "student": student}
    client.force_login(who[role])

    response = client.get(
        reverse(name, args=args_of({"student": student, "course_class": course_class}))
    )

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)


def test_a_refused_page_is_private_too(client, student, course_class):
    client.force_login(student)

    response = client.get(reverse("classes:batch", args=[course_class.pk]))

    assert response.status_code == 403
    assert {"private", "no-store"} <= directives(response)


def test_the_django_admin_keeps_its_own_never_cache(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:index"))

    assert {"private", "no-store", "no-cache"} <= directives(response)
    assert get_max_age(response) == 0


@pytest.mark.parametrize(("url", "status"), [("/accounts/login/", 200), ("/healthz", 200)])
def test_public_pages_are_left_as_their_views_make_them(client, settings, url, status):
    """The log-in page and /healthz are never_cache views of their own: the middleware changes
    nothing of what they send."""
    with_middleware = client.get(url)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "PrivatePages" not in m]
    without_middleware = client.get(url)

    assert with_middleware.status_code == status
    assert with_middleware.get("Cache-Control") == without_middleware.get("Cache-Control")


def test_an_anonymous_visitor_gets_no_private_header(client, db):
    response = client.get(reverse("badges:list"))

    assert response.status_code == 302
    assert not response.has_header("Cache-Control")
