"""The worst case of every endpoint that takes a list or a text: the work, the page and the
queries grow with what in the request is valid, never faster; anything beyond the stated maxima
(common/limits.py) is refused with a message naming them, and writes nothing.

Found by probing (docs/reliability.md has the figures before and after): one Issue Badges POST
with 1,000 unknown badge ids and 1,000 unknown student ids paired them all (1,000,000 refused
pairs: 26 s, 1 GB, a 92 MB page)."""

import pytest
from django.urls import reverse

from badges.models import BadgeIssuance
from classes.models import Enrollment
from common.limits import (
    BATCH_MAX_BADGES,
    BATCH_MAX_STUDENTS,
    COMPLETE_MAX_STUDENTS,
    COURSE_SET_MAX_COURSES,
)
from tests.factories import BadgeFactory, CourseFactory, EnrollmentFactory, UserFactory

from .test_permission_matrix import state

pytestmark = pytest.mark.django_db

UNKNOWN_BADGES = [str(10**9 + n) for n in range(1000)]
UNKNOWN_STUDENTS = [str(2 * 10**9 + n) for n in range(1000)]
LIMIT_MESSAGE = (
    f"Issue Badges takes at most {BATCH_MAX_BADGES} badges and {BATCH_MAX_STUDENTS:,} students "
    "at a time."
)
# Session, user, permissions, role groups, the class, the may-issue check, the service's badges
# and students, the page's badges and students, the top bar: never one per id.
BATCH_QUERIES = 16


def batch(client, course_class, *, badges, students):
    return client.post(
        reverse("classes:batch", args=[course_class.pk]),
        {"badge": badges, "student": students, "action": "issue"},
    )


def test_a_batch_beyond_the_maxima_is_refused_naming_them(
    client, instructor, course_class, django_assert_max_num_queries
):
    client.force_login(instructor)
    before = state()

    with django_assert_max_num_queries(BATCH_QUERIES):
        response = batch(client, course_class, badges=UNKNOWN_BADGES, students=UNKNOWN_STUDENTS)

    content = response.content.decode()
    assert response.status_code == 200
    assert LIMIT_MESSAGE in content
    assert "1,000 badges: only the first 20 are kept" in content
    assert "Nothing was issued." in content
    assert "results" not in response.context
    assert len(response.content) < 20_000
    assert state() == before


def test_over_the_maxima_the_page_keeps_the_first_badges_and_students(
    client, instructor, course_class, organization
):
    badges = BadgeFactory.create_batch(BATCH_MAX_BADGES + 2, organization=organization)
    client.force_login(instructor)

    response = client.post(
        reverse("classes:batch", args=[course_class.pk]), {"badge": [b.pk for b in badges]}
    )

    assert {b.pk for b in response.context["selected_badges"]} == {
        b.pk for b in badges[:BATCH_MAX_BADGES]
    }
    assert LIMIT_MESSAGE in response.content.decode()


def test_unknown_ids_within_the_maxima_are_reported_once_each_not_once_per_pair(
    client, instructor, course_class, django_assert_max_num_queries
):
    client.force_login(instructor)
    before = state()

    with django_assert_max_num_queries(BATCH_QUERIES):
        response = batch(
            client,
            course_class,
            badges=UNKNOWN_BADGES[:BATCH_MAX_BADGES],
            students=UNKNOWN_STUDENTS,
        )

    failed = response.context["results"]["failed"]
    assert len(failed) == BATCH_MAX_BADGES
    assert failed[0] == {
        "badge": f"Badge #{UNKNOWN_BADGES[0]}",
        "student": "any of the 1,000 students",
        "reason": "badge does not exist",
    }
    assert len(response.content) < 30_000
    assert state() == before


def test_many_failures_are_grouped_by_reason(
    client, instructor, course_class, manual_badge, django_assert_max_num_queries
):
    client.force_login(instructor)
    before = state()

    with django_assert_max_num_queries(BATCH_QUERIES):
        response = batch(client, course_class, badges=[manual_badge.pk], students=UNKNOWN_STUDENTS)

    results = response.context["results"]
    assert len(results["failed"]) == 1000
    [group] = results["failed_groups"]
    assert group["reason"] == "student does not exist"
    assert group["count"] == 1000
    assert group["examples"][0] == f"Star Participant to Student #{UNKNOWN_STUDENTS[0]}"
    content = response.content.decode()
    assert 'data-testid="failed-groups"' in content
    assert "and 997 more" in content
    assert len(response.content) < 30_000
    assert state() == before


def test_mark_complete_beyond_its_maximum_is_refused(
    client, instructor, course_class, django_assert_max_num_queries
):
    EnrollmentFactory(course_class=course_class)
    client.force_login(instructor)
    ids = [str(n) for n in range(1, COMPLETE_MAX_STUDENTS + 2)]

    with django_assert_max_num_queries(8):
        response = client.post(
            reverse("classes:complete", args=[course_class.pk]), {"student": ids}
        )

    roster = client.get(response.url)
    assert "Choose at most 1,000 at a time (this request has 1,001)." in roster.content.decode()
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()


def test_admin_issuance_beyond_its_maximum_is_refused(
    client, manual_badge, django_assert_max_num_queries
):
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    ids = [str(n) for n in range(1, BATCH_MAX_STUDENTS + 2)]

    with django_assert_max_num_queries(8):
        response = client.post(
            reverse("admin:badges_badgeissuance_add"),
            {"badge": manual_badge.pk, "recipients": ids},
        )

    assert response.status_code == 200
    assert "Choose at most 1,000 at a time (this request has 1,001)." in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_a_course_set_beyond_its_maximum_is_refused(client, administrator):
    client.force_login(administrator)
    courses = [CourseFactory().pk for _ in range(2)]
    ids = courses + [str(10**9 + n) for n in range(COURSE_SET_MAX_COURSES)]

    response = client.post(
        reverse("achievements:create"),
        {"name": "All", "criteria_type": "course_set", "points": "1", "course_set": ids},
    )

    assert response.status_code == 200
    assert "Choose at most 100 at a time (this request has 102)." in response.content.decode()


HUGE_SEARCH = "ab " * 200_000  # 600,000 characters


@pytest.mark.parametrize(
    ("page", "parameter"),
    [
        ("badges:issued", "student"),
        ("badges:list", "q"),
        ("assignments:list", "student"),
    ],
)
def test_a_huge_search_is_refused_and_the_page_does_not_repeat_it(
    client, administrator, page, parameter, django_assert_max_num_queries
):
    """The links of the page (pages, sort, export) carry only what the form accepted: before, Find
    Issued Badges repeated a 600 KB search in each of its links (a 4.4 MB page)."""
    client.force_login(administrator)

    with django_assert_max_num_queries(10):
        response = client.get(reverse(page), {parameter: HUGE_SEARCH})

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert len(response.content) < len(HUGE_SEARCH) + 50_000


def test_repeated_and_unknown_parameters_are_not_carried_into_the_links(client, administrator):
    client.force_login(administrator)
    query = "&".join(["sort=badge"] * 2000 + [f"x{n}=1" for n in range(2000)])

    response = client.get(f"{reverse('badges:issued')}?{query}")

    assert response.status_code == 200
    assert response.context["export_query_string"] == "sort=badge"
    assert len(response.content) < 40_000


@pytest.mark.parametrize("page", ["classes:choose_badges", "classes:choose_students"])
def test_a_huge_dialog_search_finds_nothing_more_and_stays_small(
    client, instructor, course_class, student, manual_badge, page, django_assert_max_num_queries
):
    client.force_login(instructor)

    with django_assert_max_num_queries(12):
        response = client.post(reverse(page, args=[course_class.pk]), {"q": HUGE_SEARCH})

    assert response.status_code == 200
    assert len(response.content) < 40_000


def test_more_fields_than_any_page_posts_is_a_400(client, instructor, course_class):
    client.force_login(instructor)
    before = state()

    response = client.post(
        reverse("classes:batch", args=[course_class.pk]),
        {"student": [str(n) for n in range(1, 6001)], "action": "issue"},
    )

    assert response.status_code == 400
    assert state() == before
