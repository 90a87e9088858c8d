from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from achievements.models import SweepRun
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
    badges = BadgeFactory.create_batch(20, organization=organization)
    for badge in badges[:10]:
        BadgeIssuanceFactory.create_batch(3, badge=badge)
    client.force_login(administrator)

    # Session, user, roles and permissions; then one query each for the badge counts, the badges,
    # the classes and their count, the assignments and their count, the issuance count, the recent
    # issuances, the issuances per week, the most-issued badges, the last and the last scheduled
    # sweep run.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200


def test_administrator_dashboard_shows_recent_issuances_counts_charts_and_the_sweep(
    client, administrator, organization, other_organization, student
):
    archived = BadgeFactory(organization=organization, name="Old Timer", is_active=False)
    automatic = BadgeFactory(organization=organization, name="Auto Star")
    BadgeIssuanceFactory(badge=archived, recipient=student)
    for _ in range(3):
        BadgeIssuanceFactory(badge=automatic, method="automatic", source="achievement")
    BadgeIssuanceFactory(badge=BadgeFactory(organization=other_organization, name="Theirs"))
    now = timezone.now()
    SweepRun.objects.create(
        started_at=now - timedelta(minutes=20),
        finished_at=now - timedelta(minutes=19),
        duration=timedelta(seconds=60),
        trigger=SweepRun.Trigger.SCHEDULE,
        status=SweepRun.Status.SUCCEEDED,
        badges_issued=99,
    )
    client.force_login(administrator)

    response = client.get(reverse("dashboard"))

    admin = response.context["admin"]
    assert (admin["issuance_count"], admin["badge_count"], admin["archived_count"]) == (4, 2, 1)
    assert [i.badge.name for i in admin["recent_issuances"]][:1] == ["Auto Star"]
    assert {i.badge.name for i in admin["recent_issuances"]} == {"Auto Star", "Old Timer"}
    this_week = admin["week_rows"][-1]
    assert this_week.values == (3, 1)
    assert len(admin["week_rows"]) == 12
    assert [(row.label, row.values) for row in admin["most_issued_rows"]] == [
        ("Auto Star", (3,)),
        ("Old Timer", (1,)),
    ]
    text = " ".join(response.content.decode().split())
    assert 'Old Timer</a> <span class="badge text-bg-secondary">Archived</span>' in text
    assert "Theirs" not in text
    # The sweep's own total is platform-wide (99): the administrator sees their figure.
    assert "succeeded, 0 badges issued" in text
    assert "Due at" in text
    assert 'data-chart="bar" data-chart-stacked data-testid="chart-weeks"' in text
