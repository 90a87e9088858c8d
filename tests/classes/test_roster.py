"""The class Roster page: who sees it, which students, their badges, a fixed number of queries,
and marking enrollments complete."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges.selectors import ROSTER_ROW_REFRESH_WINDOW
from classes.models import Enrollment
from tests.factories import (
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)


def roster_url(course_class):
    return reverse("classes:roster", args=[course_class.pk])


def roster_students(response):
    return [enrollment.student for enrollment in response.context["enrollments"]]


def test_class_list_links_each_class_to_its_roster(client, instructor, course_class):
    client.force_login(instructor)

    response = client.get(reverse("classes:list"))

    assert f'href="{roster_url(course_class)}"'.encode() in response.content


def test_instructor_sees_class_details_on_the_roster(client, instructor, contractor, course_class):
    client.force_login(instructor)

    response = client.get(roster_url(course_class))

    assert response.status_code == 200
    details = response.content.decode()
    for text in [
        course_class.name,
        course_class.course.title,
        course_class.organization.name,
        instructor.display_name,
        f"{contractor.display_name} (contract instructor)",
        "Issue Badges",
    ]:
        assert text in details


def test_organization_instructor_sees_only_students_of_own_organization(
    client, instructor, course_class, student, foreign_student
):
    client.force_login(instructor)

    response = client.get(roster_url(course_class))

    assert roster_students(response) == [student]
    assert foreign_student.email not in response.content.decode()


def test_contract_instructor_sees_every_enrolled_student(
    client, contractor, course_class, student, foreign_student
):
    client.force_login(contractor)

    response = client.get(roster_url(course_class))

    assert set(roster_students(response)) == {student, foreign_student}


def test_administrator_of_the_class_organization_sees_every_enrolled_student(
    client, administrator, course_class, student, foreign_student
):
    client.force_login(administrator)

    response = client.get(roster_url(course_class))

    assert set(roster_students(response)) == {student, foreign_student}
    assert b"Issue Badges" in response.content


def test_roster_row_shows_name_link_email_organization_status_and_badges(
    client, instructor, course_class, student, manual_badge
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    client.force_login(instructor)

    response = client.get(roster_url(course_class))

    row = response.content.decode()
    assert f'<a href="{reverse("badges:student", args=[student.pk])}">' in row
    assert student.email in row
    assert student.organization.name in row
    assert "Enrolled" in row
    assert "Star Participant" in row
    assert (
        f'Issue a Badge<span class="visually-hidden"> to {student.display_name}</span></a>' in row
    )


def test_roster_shows_only_badges_of_the_class_organization(
    client, contractor, course_class, foreign_student, other_organization, manual_badge
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=foreign_student)
    BadgeIssuanceFactory(
        badge=BadgeFactory(organization=other_organization, name="Contoso Only"),
        recipient=foreign_student,
    )
    client.force_login(contractor)

    response = client.get(roster_url(course_class))

    [enrollment] = response.context["enrollments"]
    assert [i.badge.name for i in enrollment.student.organization_issuances] == ["Star Participant"]
    assert b"Contoso Only" not in response.content


@pytest.mark.parametrize(
    "who", ["administrator_of_another_organization", "instructor_of_another_class"]
)
def test_roster_is_404_for_people_outside_the_class(
    client, course_class, other_organization, organization, who
):
    outsider = (
        AdministratorFactory(organization=other_organization)
        if who == "administrator_of_another_organization"
        else InstructorFactory(organization=organization)
    )
    client.force_login(outsider)

    assert client.get(roster_url(course_class)).status_code == 404


def test_student_may_not_open_a_roster(client, course_class, student):
    client.force_login(student)

    assert client.get(roster_url(course_class)).status_code == 403


def test_roster_needs_a_login(client, course_class):
    response = client.get(roster_url(course_class))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Session, user, two for permissions, role groups, the class, may-issue check, the count, the
# instructors, one page of enrollments with their students, and their badges; the organizations
# offered by the roster's filter.
ROSTER_QUERIES = 12


def test_roster_takes_a_fixed_number_of_queries_whatever_its_size(
    client, contractor, course_class, organization, django_assert_max_num_queries
):
    badges = BadgeFactory.create_batch(3, organization=organization)

    def enrol(count):
        for _ in range(count):
            student = EnrollmentFactory(course_class=course_class).student
            for badge in badges:
                BadgeIssuanceFactory(badge=badge, recipient=student)

    def queries_for_roster():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(roster_url(course_class))
        assert response.status_code == 200
        return len(queries), response

    client.force_login(contractor)
    enrol(5)
    small, _ = queries_for_roster()
    enrol(195)
    with django_assert_max_num_queries(ROSTER_QUERIES):
        large, response = queries_for_roster()

    assert large == small
    assert response.context["paginator"].count == 200
    assert response.content.decode().count(f" {badges[0].name}</span>") == 100


def test_roster_row_is_served_alone_for_refreshing(client, instructor, course_class, student):
    client.force_login(instructor)

    response = client.get(reverse("classes:roster_row", args=[course_class.pk, student.pk]))

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="roster-row-{student.pk}"')


def test_roster_row_of_a_student_hidden_from_the_instructor_is_404(
    client, instructor, course_class, foreign_student
):
    client.force_login(instructor)

    url = reverse("classes:roster_row", args=[course_class.pk, foreign_student.pk])

    assert client.get(url).status_code == 404


def test_instructor_marks_one_enrollment_complete(client, instructor, course_class, student):
    other = EnrollmentFactory(course_class=course_class).student
    client.force_login(instructor)

    response = client.post(
        reverse("classes:complete", args=[course_class.pk]), {"student": student.pk}, follow=True
    )

    assert b"Marked 1 enrollment complete." in response.content
    completed = set(
        Enrollment.objects.filter(completed_at__isnull=False).values_list("student", flat=True)
    )
    assert completed == {student.pk}
    assert other.pk not in completed


def test_instructor_marks_several_enrollments_complete(client, instructor, course_class, student):
    others = [EnrollmentFactory(course_class=course_class).student for _ in range(2)]
    client.force_login(instructor)

    response = client.post(
        reverse("classes:complete", args=[course_class.pk]),
        {"student": [student.pk, others[0].pk, others[1].pk]},
        follow=True,
    )

    assert b"Marked 3 enrollments complete." in response.content
    assert Enrollment.objects.filter(completed_at__isnull=False).count() == 3


def test_completing_hidden_or_foreign_students_changes_nothing(
    client, instructor, course_class, foreign_student
):
    outsider = StudentFactory(organization=course_class.organization)
    client.force_login(instructor)

    response = client.post(
        reverse("classes:complete", args=[course_class.pk]),
        {"student": [foreign_student.pk, outsider.pk]},
        follow=True,
    )

    assert b"already complete" in response.content
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()


def test_completing_with_non_numeric_ids_is_refused_with_a_message(
    client, instructor, course_class, student
):
    client.force_login(instructor)

    response = client.post(
        reverse("classes:complete", args=[course_class.pk]), {"student": "1 OR 1=1"}, follow=True
    )

    assert response.status_code == 200
    assert b"Ids must be whole numbers." in response.content
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()


def test_completing_in_a_class_not_taught_is_404(client, course_class, organization, student):
    client.force_login(InstructorFactory(organization=organization))

    response = client.post(
        reverse("classes:complete", args=[course_class.pk]), {"student": student.pk}
    )

    assert response.status_code == 404
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/classes/99999999999999999999999/",
        "/classes/1/students/99999999999999999999999/issue-badge/",
        "/classes/99999999999999999999999/issue-badges/",
    ],
)
def test_ids_too_large_for_the_database_are_404_not_500(client, instructor, course_class, path):
    client.force_login(instructor)

    assert client.get(path.replace("/1/", f"/{course_class.pk}/")).status_code == 404


def test_class_names_link_to_the_roster_only_for_those_who_may_open_it(
    rf, instructor, student, course_class
):
    from django.template.loader import render_to_string

    def class_link_for(user):
        request = rf.get("/")
        request.user = user
        return render_to_string(
            "classes/includes/class_link.html", {"course_class": course_class}, request=request
        ).strip()

    assert class_link_for(instructor) == (
        f'<a href="{roster_url(course_class)}">{course_class.name}</a>'
    )
    assert class_link_for(student) == course_class.name


def _names(response):
    return [enrollment.student.display_name for enrollment in response.context["enrollments"]]


@pytest.fixture
def mixed_roster(course_class, organization, other_organization):
    """Three students of two organizations, one of them completed."""
    people = {}
    for first, last, org, done in [
        ("Ada", "Zeller", organization, False),
        ("Bo", "Young", other_organization, True),
        ("Cy", "Abbot", organization, False),
    ]:
        enrollment = EnrollmentFactory(
            course_class=course_class,
            student=StudentFactory(first_name=first, last_name=last, organization=org),
            completed_at=timezone.now() - timedelta(days=1) if done else None,
        )
        people[first] = enrollment.student
    return people


def test_roster_is_searched_filtered_and_sorted(client, contractor, course_class, mixed_roster):
    client.force_login(contractor)
    url = roster_url(course_class)

    assert _names(client.get(url)) == ["Cy Abbot", "Bo Young", "Ada Zeller"]
    assert _names(client.get(url, {"sort": "-name"})) == ["Ada Zeller", "Bo Young", "Cy Abbot"]
    assert _names(client.get(url, {"search": "zell"})) == ["Ada Zeller"]
    assert _names(client.get(url, {"status": "completed"})) == ["Bo Young"]
    assert _names(client.get(url, {"status": "enrolled", "sort": "-name"})) == [
        "Ada Zeller",
        "Cy Abbot",
    ]
    organization_id = mixed_roster["Bo"].organization_id
    assert _names(client.get(url, {"organization": organization_id})) == ["Bo Young"]
    response = client.get(url, {"search": "nobody"})
    assert "No students match these filters." in response.content.decode()


def test_roster_organization_filter_offers_only_organizations_the_user_may_see(
    client, instructor, course_class, mixed_roster, organization, other_organization
):
    client.force_login(instructor)

    response = client.get(roster_url(course_class))

    offered = list(response.context["filter"].form.fields["organization"].queryset)
    assert offered == [organization]
    refused = client.get(roster_url(course_class), {"organization": other_organization.pk})
    assert refused.context["filter"].form.errors["organization"]


def test_a_row_completed_a_moment_ago_refreshes_itself_for_a_while_only(
    client, instructor, course_class, student
):
    client.force_login(instructor)
    row_url = reverse("classes:roster_row", args=[course_class.pk, student.pk])
    enrollment = Enrollment.objects.get(course_class=course_class, student=student)

    assert "load delay:1s" not in client.get(row_url).content.decode()

    client.post(reverse("classes:complete", args=[course_class.pk]), {"student": student.pk})
    assert "load delay:1s" in client.get(row_url).content.decode()
    assert "load delay:1s" in client.get(roster_url(course_class)).content.decode()

    Enrollment.objects.filter(pk=enrollment.pk).update(
        completion_recorded_at=timezone.now() - ROSTER_ROW_REFRESH_WINDOW - timedelta(seconds=1)
    )
    assert "load delay:1s" not in client.get(row_url).content.decode()


def test_roster_rows_escape_what_people_typed(client, instructor, course_class, organization):
    """The rows are written in Python (badges.views.roster.roster_row_html): every value that
    came from someone is escaped there, as a template would."""
    student = EnrollmentFactory(
        course_class=course_class,
        student__first_name='<script>alert("x")</script>',
        student__last_name="O'Brien & Co",
    ).student
    badge = BadgeFactory(organization=organization, name="<img src=x onerror=alert(1)>")
    BadgeIssuanceFactory(badge=badge, recipient=student)
    client.force_login(instructor)

    for url in (
        roster_url(course_class),
        reverse("classes:roster_row", args=[course_class.pk, student.pk]),
    ):
        page = client.get(url).content.decode()

        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Co" in page
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;</span>" in page
