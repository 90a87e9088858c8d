import pytest
from django.urls import reverse

from tests.factories import BadgeFactory, BadgeIssuanceFactory, CourseAssignmentFactory


@pytest.mark.parametrize(
    "url_name",
    ["dashboard", "badges:list", "classes:list", "assignments:list", "achievements:list"],
)
def test_every_page_needs_a_login(client, db, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_health_check_needs_no_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_administrator_dashboard_shows_own_organization_only(
    client, administrator, manual_badge, course_class, other_organization
):
    BadgeFactory(organization=other_organization, name="Foreign badge")
    CourseAssignmentFactory(organization=administrator.organization)
    client.force_login(administrator)

    response = client.get(reverse("dashboard"))

    content = response.content.decode()
    assert "Star Participant" in content
    assert course_class.name in content
    assert "Foreign badge" not in content
    assert response.context["admin"]["assignment_count"] == 1


def test_instructor_dashboard_lists_taught_classes(client, instructor, course_class):
    client.force_login(instructor)

    response = client.get(reverse("dashboard"))

    assert list(response.context["taught_classes"]) == [course_class]
    assert "admin" not in response.context
    assert b"My Classes" in response.content


def test_student_dashboard_lists_own_badges(client, student, manual_badge):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    BadgeIssuanceFactory(badge=manual_badge)  # someone else's
    client.force_login(student)

    response = client.get(reverse("dashboard"))

    assert [i.recipient for i in response.context["my_issuances"]] == [student]
    assert b"My Badges" in response.content
    assert b"Find Issued Badges" not in response.content


def test_student_may_not_open_badge_list(client, student):
    client.force_login(student)

    assert client.get(reverse("badges:list")).status_code == 403


def test_administrator_gets_404_for_another_organizations_badge(
    client, administrator, other_organization
):
    foreign = BadgeFactory(organization=other_organization)
    client.force_login(administrator)

    assert client.get(reverse("badges:profile", args=[foreign.pk])).status_code == 404


def test_dashboard_query_count_is_bounded(
    client, administrator, organization, django_assert_max_num_queries
):
    BadgeFactory.create_batch(20, organization=organization)
    client.force_login(administrator)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
