"""Find Issued Badges: who sees which issuances, every filter, sorting, paging, the CSV export and
the query count."""

import csv
import io
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges.models import BadgeIssuance
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)
from tests.helpers import HTMX

URL = reverse("badges:issued")
EXPORT_URL = reverse("badges:issued_export")


def _at(month, day):
    return datetime(2026, month, day, 12, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def issued_badges_search_data(
    organization, other_organization, instructor, course_class, student, foreign_student
):
    """Issuances of every method and source around the Northwind class `course_class`."""
    student.first_name, student.last_name, student.email = "Ada", "Lovelace", "ada@example.org"
    student.save()
    classmate = EnrollmentFactory(
        course_class=course_class,
        student__first_name="Grace",
        student__last_name="Hopper",
        student__email="grace@navy.example",
    ).student
    other_class = CourseClassFactory(organization=organization, name="Other cohort")
    other_class_student = EnrollmentFactory(
        course_class=other_class, student__first_name="Alan", student__last_name="Turing"
    ).student
    achievement = AchievementFactory(organization=organization, name="Deployed a VM")
    explorer = BadgeFactory(organization=organization, name="Cloud Explorer")
    star = BadgeFactory(organization=organization, name="Star Participant")
    diligent = BadgeFactory(organization=organization, name="Diligent")
    contoso_badge = BadgeFactory(organization=other_organization, name="Mentor of the Month")
    assignment = CourseAssignmentFactory(organization=organization, student=classmate)
    manual = BadgeIssuance.Method.MANUAL
    issuances = {
        "automatic": BadgeIssuanceFactory(
            badge=explorer,
            recipient=student,
            method=BadgeIssuance.Method.AUTOMATIC,
            source=BadgeIssuance.Source.ACHIEVEMENT,
            source_achievement=achievement,
            issued_at=_at(1, 10),
        ),
        "roster": BadgeIssuanceFactory(
            badge=star,
            recipient=student,
            method=manual,
            source=BadgeIssuance.Source.ROSTER,
            source_class=course_class,
            issued_by=instructor,
            issued_at=_at(2, 15),
        ),
        "batch": BadgeIssuanceFactory(
            badge=star,
            recipient=classmate,
            method=manual,
            source=BadgeIssuance.Source.BATCH,
            source_class=course_class,
            issued_by=instructor,
            issued_at=_at(3, 20),
        ),
        "assignment": BadgeIssuanceFactory(
            badge=diligent,
            recipient=classmate,
            method=manual,
            source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
            source_assignment=assignment,
            issued_at=_at(4, 5),
        ),
        "admin": BadgeIssuanceFactory(
            badge=diligent,
            recipient=foreign_student,
            method=manual,
            source=BadgeIssuance.Source.ADMIN,
            issued_at=_at(5, 1),
        ),
        "other_class": BadgeIssuanceFactory(
            badge=explorer,
            recipient=other_class_student,
            method=manual,
            source=BadgeIssuance.Source.ROSTER,
            source_class=other_class,
            issued_at=_at(6, 1),
        ),
        "contoso": BadgeIssuanceFactory(
            badge=contoso_badge,
            recipient=foreign_student,
            method=manual,
            source=BadgeIssuance.Source.ROSTER,
            issued_at=_at(7, 1),
        ),
    }
    return {
        "issuances": issuances,
        "badges": {"explorer": explorer, "star": star, "diligent": diligent},
        "contoso_badge": contoso_badge,
        "classes": {"course_class": course_class, "other_class": other_class},
        "assignment": assignment,
        "students": {"student": student, "classmate": classmate},
    }


def _found(client, query=None, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(URL, {"page_size": 100, **(query or {})})
    assert response.status_code == 200
    return response


def _names(issued_badges_search_data, response):
    by_pk = {issuance.pk: name for name, issuance in issued_badges_search_data["issuances"].items()}
    return {by_pk[issuance.pk] for issuance in response.context["issuances"]}


# Who sees what --------------------------------------------------------------------------------


def test_administrators_see_every_issuance_of_their_organizations_badges(
    client, administrator, issued_badges_search_data
):
    response = _found(client, user=administrator)

    assert _names(issued_badges_search_data, response) == {
        "automatic",
        "roster",
        "batch",
        "assignment",
        "admin",
        "other_class",
    }
    assert "6</strong> issued badges match" in response.content.decode()


def test_an_organization_instructor_sees_own_organization_students_of_classes_they_teach(
    client, instructor, issued_badges_search_data
):
    response = _found(client, user=instructor)

    assert _names(issued_badges_search_data, response) == {
        "automatic",
        "roster",
        "batch",
        "assignment",
    }


def test_a_contract_instructor_sees_every_student_of_their_class_and_all_their_badges(
    client, contractor, issued_badges_search_data
):
    response = _found(client, user=contractor)

    assert _names(issued_badges_search_data, response) == {
        "automatic",
        "roster",
        "batch",
        "assignment",
        "admin",
        "contoso",
    }


def test_an_instructor_of_no_class_sees_nothing(client, organization, issued_badges_search_data):
    response = _found(client, user=InstructorFactory(organization=organization))

    assert _names(issued_badges_search_data, response) == set()


def test_students_and_anonymous_visitors_cannot_search(client, student, issued_badges_search_data):
    assert client.get(URL).status_code == 302
    assert client.get(EXPORT_URL).status_code == 302
    client.force_login(student)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_filter_choices_are_narrowed_to_what_the_user_sees(
    client, administrator, instructor, issued_badges_search_data
):
    as_admin = _found(client, user=administrator).context["filter"].form
    as_instructor = _found(client, user=instructor).context["filter"].form

    assert {b.name for b in as_admin.fields["badge"].queryset} == {
        "Cloud Explorer",
        "Star Participant",
        "Diligent",
    }
    assert list(as_admin.fields["course_assignment"].queryset) == [
        issued_badges_search_data["assignment"]
    ]
    assert {b.name for b in as_instructor.fields["badge"].queryset} == {
        "Cloud Explorer",
        "Star Participant",
        "Diligent",
    }
    assert list(as_instructor.fields["course_class"].queryset) == [
        issued_badges_search_data["classes"]["course_class"]
    ]
    assert "course_assignment" not in as_instructor.fields


def test_filter_options_are_labelled_from_one_query_each_without_models(
    client, administrator, issued_badges_search_data
):
    form = _found(client, user=administrator).context["filter"].form
    assignment = issued_badges_search_data["assignment"]
    course_class = issued_badges_search_data["classes"]["course_class"]

    with CaptureQueriesContext(connection) as queries:
        classes = dict(form.fields["course_class"].choices)
        assignments = dict(form.fields["course_assignment"].choices)
        badges = dict(form.fields["badge"].choices)

    assert len(queries) == 3
    assert classes[""] == "Any class"
    assert classes[course_class.pk] == f"{course_class.name} ({course_class.organization.name})"
    assert assignments[assignment.pk] == (
        f"{assignment.course.title} for {assignment.student.display_name}"
    )
    assert sorted(label for value, label in badges.items() if value) == [
        "Cloud Explorer",
        "Diligent",
        "Star Participant",
    ]
    # The page shows them escaped, as Django's own select would.
    page = _found(client, user=administrator).content.decode()
    assert f'<option value="{course_class.pk}">{course_class.name} (' in page


# Every filter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"badge": "star"}, {"roster", "batch"}),
        ({"student": "lovelace"}, {"automatic", "roster"}),
        ({"student": "Grace Hopper"}, {"batch", "assignment"}),
        ({"student": "navy.example"}, {"batch", "assignment"}),
        ({"student": "ADA@EXAMPLE.ORG"}, {"automatic", "roster"}),
        ({"student": "nobody-matches"}, set()),
        ({"course_class": "course_class"}, {"roster", "batch"}),
        ({"course_class": "other_class"}, {"other_class"}),
        ({"course_assignment": "assignment"}, {"assignment"}),
        ({"method": "automatic"}, {"automatic"}),
        ({"method": "manual"}, {"roster", "batch", "assignment", "admin", "other_class"}),
        ({"source": "achievement"}, {"automatic"}),
        ({"source": "roster"}, {"roster", "other_class"}),
        ({"source": "batch"}, {"batch"}),
        ({"source": "course_assignment"}, {"assignment"}),
        ({"source": "admin"}, {"admin"}),
        ({"issued_from": "2026-03-20"}, {"batch", "assignment", "admin", "other_class"}),
        ({"issued_to": "2026-02-15"}, {"automatic", "roster"}),
        (
            {"issued_from": "2026-02-01", "issued_to": "2026-04-05"},
            {"roster", "batch", "assignment"},
        ),
        ({"badge": "star", "student": "grace", "source": "batch"}, {"batch"}),
    ],
)
def test_every_filter(client, administrator, issued_badges_search_data, query, expected):
    ids = {
        "badge": lambda key: issued_badges_search_data["badges"][key].pk,
        "course_class": lambda key: issued_badges_search_data["classes"][key].pk,
        "course_assignment": lambda key: issued_badges_search_data["assignment"].pk,
    }
    resolved = {name: ids[name](value) if name in ids else value for name, value in query.items()}

    response = _found(client, resolved, user=administrator)

    assert _names(issued_badges_search_data, response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["other_class", "admin", "assignment", "batch", "roster", "automatic"]),
        ("-date", ["other_class", "admin", "assignment", "batch", "roster", "automatic"]),
        ("date", ["automatic", "roster", "batch", "assignment", "admin", "other_class"]),
        ("badge", ["other_class", "automatic", "admin", "assignment", "batch", "roster"]),
        ("-badge", ["batch", "roster", "admin", "assignment", "other_class", "automatic"]),
    ],
)
def test_sorting_by_date_and_badge(
    client, administrator, issued_badges_search_data, sort, expected
):
    response = _found(client, {"sort": sort}, user=administrator)

    by_pk = {issuance.pk: name for name, issuance in issued_badges_search_data["issuances"].items()}
    assert [by_pk[i.pk] for i in response.context["issuances"]] == expected


def test_sorting_by_student_orders_by_last_name(client, administrator, issued_badges_search_data):
    response = _found(client, {"sort": "student"}, user=administrator)

    last_names = [i.recipient.last_name for i in response.context["issuances"]]
    assert last_names == sorted(last_names)
    reverse_order = _found(client, {"sort": "-student"}, user=administrator)
    assert [i.recipient.last_name for i in reverse_order.context["issuances"]] == sorted(
        last_names, reverse=True
    )


def test_pages_follow_the_chosen_size_and_never_overlap(
    client, administrator, issued_badges_search_data
):
    client.force_login(administrator)
    first = client.get(URL, {"page_size": 10, "sort": "badge"})
    BadgeIssuanceFactory.create_batch(
        15, badge=issued_badges_search_data["badges"]["star"], issued_at=_at(8, 1)
    )

    pages = [
        client.get(URL, {"page_size": 10, "sort": "badge", "page": page}).context["issuances"]
        for page in (1, 2, 3)
    ]

    assert first.context["paginator"].per_page == 10
    seen = [issuance.pk for page in pages for issuance in page]
    assert len(seen) == len(set(seen)) == 21


def test_rows_link_to_the_badge_profile_and_the_students_page(
    client, administrator, issued_badges_search_data
):
    content = _found(client, user=administrator).content.decode()

    roster = issued_badges_search_data["issuances"]["roster"]
    assert reverse("badges:profile", args=[roster.badge_id]) in content
    assert reverse("badges:student", args=[roster.recipient_id]) in content


def test_instructors_get_no_link_to_badge_profiles_they_cannot_open(
    client, instructor, issued_badges_search_data
):
    content = _found(client, user=instructor).content.decode()

    assert (
        reverse("badges:profile", args=[issued_badges_search_data["badges"]["star"].pk])
        not in content
    )
    assert (
        reverse("badges:student", args=[issued_badges_search_data["students"]["classmate"].pk])
        in content
    )


def test_htmx_search_returns_only_the_results(client, administrator, issued_badges_search_data):
    client.force_login(administrator)

    response = client.get(URL, {"source": "batch"}, headers=HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert "1</strong> issued badge matches" in content
    assert f"{EXPORT_URL}?source=batch" in content


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"badge": "foreign"},
        {"badge": "999999"},
        {"badge": "abc"},
        {"course_class": "-1"},
        {"course_assignment": "1e9"},
        {"method": "telepathy"},
        {"source": "'; DROP TABLE badges_badge; --"},
        {"issued_from": "yesterday"},
        {"issued_from": "0001-01-01"},
        {"issued_to": "9999-12-31"},
        {"issued_from": "2026-05-01", "issued_to": "2026-01-01"},
        {"sort": "password"},
    ],
)
def test_invalid_search_shows_the_error_and_finds_nothing(
    client, administrator, issued_badges_search_data, query
):
    if query.get("badge") == "foreign":
        query = {"badge": issued_badges_search_data["contoso_badge"].pk}
    client.force_login(administrator)

    response = client.get(URL, query)
    export = client.get(EXPORT_URL, query)

    assert response.status_code == 200
    assert list(response.context["issuances"]) == []
    assert "Nothing was searched: correct the search." in response.content.decode()
    assert export.status_code == 302
    assert export.url.startswith(URL)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "100000"},
        {"page_size": "1000000"},
        {"page_size": "-5"},
        {"student": "x" * 3000},
        {"student": "a b c d e f g h i j k l m n o p"},
        {"student": "%_\\"},
    ],
)
def test_odd_paging_and_search_input_never_fails(
    client, administrator, issued_badges_search_data, query
):
    client.force_login(administrator)

    response = client.get(URL, query)

    assert response.status_code == 200
    assert response.context["paginator"].per_page in {10, 25, 50, 100}


# CSV export -----------------------------------------------------------------------------------


def _csv(response):
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"badge": "star"},
        {"method": "manual", "sort": "student"},
        {"issued_from": "2026-02-01", "issued_to": "2026-05-01", "sort": "-badge"},
        {"student": "hopper"},
    ],
)
def test_csv_holds_exactly_the_filtered_rows_in_the_same_order(
    client, administrator, issued_badges_search_data, query
):
    if query.get("badge"):
        query = {**query, "badge": issued_badges_search_data["badges"][query["badge"]].pk}
    client.force_login(administrator)

    page = client.get(URL, {**query, "page_size": 100}).context["issuances"]
    response = client.get(EXPORT_URL, query)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="issued-badges-')
    header, *rows = _csv(response)
    assert header == [
        "Issued at",
        "Badge",
        "Organization",
        "Student",
        "Student email",
        "Method",
        "Source",
        "From",
        "Issued by",
        "Status",
        "Expires at",
        "Revoked at",
        "Revocation reason",
        "Issued Status (e-mail)",
        "Issued Status (Credly)",
    ]
    assert [(row[1], row[4]) for row in rows] == [(i.badge.name, i.recipient.email) for i in page]


def test_csv_rows_say_when_how_and_from_where(
    client, administrator, instructor, issued_badges_search_data
):
    client.force_login(administrator)

    rows = _csv(client.get(EXPORT_URL, {"sort": "date"}))[1:]

    automatic, roster = rows[0], rows[1]
    assert automatic == [
        "2026-01-10 12:00:00",
        "Cloud Explorer",
        "Northwind",
        "Ada Lovelace",
        "ada@example.org",
        "Automatic",
        "Achievement",
        "Deployed a VM",
        "",
        "Valid",
        "",
        "",
        "",
        # Issued Status per channel (deliveries): these rows were made without the outbox.
        "Not sent",
        "Not sent",
    ]
    assert roster[5:] == [
        "Manual",
        "Class roster",
        issued_badges_search_data["classes"]["course_class"].name,
        instructor.display_name,
        "Valid",
        "",
        "",
        "",
        "Not sent",
        "Not sent",
    ]


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client, administrator, organization):
    badge = BadgeFactory(organization=organization, name='=HYPERLINK("http://evil")')
    for first_name in ["+SUM(A1)", "-2+3", "@cmd", "Plain"]:
        BadgeIssuanceFactory(
            badge=badge,
            recipient=StudentFactory(organization=organization, first_name=first_name),
        )
    client.force_login(administrator)

    rows = _csv(client.get(EXPORT_URL))[1:]

    assert {row[1] for row in rows} == {'\'=HYPERLINK("http://evil")'}
    starts = sorted(row[3].split(" ")[0] for row in rows)
    assert starts == ["'+SUM(A1)", "'-2+3", "'@cmd", "Plain"]


def test_csv_of_another_organizations_badge_cannot_be_exported(
    client, administrator, issued_badges_search_data, other_organization
):
    client.force_login(administrator)

    forged = client.get(EXPORT_URL, {"badge": issued_badges_search_data["contoso_badge"].pk})
    everything = _csv(client.get(EXPORT_URL))

    assert forged.status_code == 302
    assert "Mentor of the Month" not in {row[1] for row in everything}


# Query count ----------------------------------------------------------------------------------


def _issue_many(organization, count, course_class, instructor):
    for index in range(count):
        badge = BadgeFactory(organization=organization)
        source = [
            BadgeIssuance.Source.ROSTER,
            BadgeIssuance.Source.COURSE_ASSIGNMENT,
            BadgeIssuance.Source.ACHIEVEMENT,
        ][index % 3]
        student = EnrollmentFactory(course_class=course_class).student
        BadgeIssuanceFactory(
            badge=badge,
            recipient=student,
            method=BadgeIssuance.Method.AUTOMATIC
            if source == BadgeIssuance.Source.ACHIEVEMENT
            else BadgeIssuance.Method.MANUAL,
            source=source,
            issued_by=instructor if source != BadgeIssuance.Source.ACHIEVEMENT else None,
            source_class=course_class if source == BadgeIssuance.Source.ROSTER else None,
            source_assignment=CourseAssignmentFactory(organization=organization, student=student)
            if source == BadgeIssuance.Source.COURSE_ASSIGNMENT
            else None,
            source_achievement=AchievementFactory(organization=organization)
            if source == BadgeIssuance.Source.ACHIEVEMENT
            else None,
        )


@pytest.mark.parametrize("role", ["administrator", "instructor"])
def test_the_page_takes_the_same_queries_for_10_and_100_rows(
    client, request, organization, course_class, instructor, role, django_assert_num_queries
):
    """Pinned: 13 queries for an administrator, whatever the page size: session, user, roles,
    2 for the permissions, the count, the ids of the page, the page's rows (every column of a row
    joined in), their deliveries (the Issued Status), the organization in the top bar, and the
    choices of the badge, class and course assignment filters. An instructor has no course
    assignment filter: 12."""
    _issue_many(organization, 100, course_class, instructor)
    client.force_login(request.getfixturevalue(role))
    pinned = {"administrator": 13, "instructor": 12}[role]

    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page_size": size, "sort": "student"})
        assert len(response.context["issuances"]) == size
        counts[size] = len(queries)

    assert counts[10] == counts[100] == pinned
    with django_assert_num_queries(pinned):
        client.get(URL, {"page_size": 100, "source": "roster"})


def test_the_export_takes_a_fixed_number_of_queries(
    client, administrator, organization, course_class, instructor, django_assert_num_queries
):
    """Session, user, roles, 2 for the permissions, then one query whose rows are read in chunks
    (a server-side cursor on PostgreSQL)."""
    _issue_many(organization, 30, course_class, instructor)
    client.force_login(administrator)

    with django_assert_num_queries(6):
        rows = _csv(client.get(EXPORT_URL))[1:]
    assert len(rows) == 30


@pytest.mark.postgres
def test_a_search_matching_more_than_the_exact_count_limit_says_about_and_offers_no_last_page(
    client,
    administrator,
    organization,
    course_class,
    instructor,
    monkeypatch,
    django_assert_num_queries,
):
    """Above the limit the count is PostgreSQL's estimate: "About N", pages numbered up to the
    next ones, no Last page (its number is not known); below it, the exact count as before.
    The estimate is one query more than the page's 13 (EXPLAIN of the search)."""
    _issue_many(organization, 30, course_class, instructor)
    connection.cursor().execute("ANALYZE badges_badgeissuance")
    monkeypatch.setattr("badges.selectors.ISSUANCE_EXACT_COUNT_LIMIT", 12)
    client.force_login(administrator)

    with django_assert_num_queries(14):
        response = client.get(URL, {"page_size": 10})

    page = response.content.decode()
    paginator = response.context["paginator"]
    assert paginator.estimated
    assert paginator.count >= 13
    assert "About <strong>" in page
    assert "Page 1 of about" in page
    assert ">Last<" not in page
    assert 'rel="next"' in page
    assert len(response.context["issuances"]) == 10

    narrowed = client.get(URL, {"page_size": 10, "source": "roster"})

    assert not narrowed.context["paginator"].estimated
    assert narrowed.context["paginator"].count == 10
    assert "About <strong>" not in narrowed.content.decode()
