"""The Issue Badges page: choosing badges and students, issuing every pair, and the result."""

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import STUDENT
from badges.models import BadgeIssuance
from classes.models import Enrollment
from tests.deliveries.helpers import outbox_statements
from tests.factories import (
    BadgeFactory,
    BadgeIssuanceFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)
from tests.helpers import DIALOG, htmx_headers

SUCCESS_HEADING = "The following badges were successfully issued:"
WARNING = "Warning: Not all badges were successfully issued. See the Failed Badge list for details."
FAILED_HEADING = "The following badge issuances failed:"


def batch_url(course_class):
    return reverse("classes:batch", args=[course_class.pk])


def issue(client, course_class, *, badges, students):
    return client.post(
        batch_url(course_class),
        {
            "badge": [getattr(b, "pk", b) for b in badges],
            "student": [getattr(s, "pk", s) for s in students],
            "action": "issue",
        },
    )


def failures(response):
    return response.context["results"]["failed"]


def test_roster_quick_launch_bar_leads_to_issue_badges(client, instructor, course_class):
    client.force_login(instructor)

    roster = client.get(reverse("classes:roster", args=[course_class.pk])).content.decode()
    page = client.get(batch_url(course_class))

    assert 'aria-label="Quick launch"' in roster
    assert f'href="{batch_url(course_class)}"' in roster
    assert page.status_code == 200
    for label in ["Issue Badges", "Badges", "Add Badges", "Students", "Add Students"]:
        assert label in page.content.decode()


def test_choose_badges_lists_issuable_badges_and_keeps_the_chosen_students(
    client, instructor, course_class, student, manual_badge, organization, other_organization
):
    BadgeFactory(organization=organization, manual_issuance_enabled=False)
    BadgeFactory(organization=organization, is_active=False)
    BadgeFactory(organization=other_organization)
    client.force_login(instructor)

    response = client.post(
        reverse("classes:choose_badges", args=[course_class.pk]),
        {"student": [student.pk], "badge": [manual_badge.pk]},
        headers=DIALOG,
    )

    assert response.context["badges"] == [manual_badge]
    content = response.content.decode()
    assert "Choose Badges" in content
    assert "Select a Badge" in content
    assert f'<input type="hidden" name="student" value="{student.pk}">' in content
    assert f'id="choose-badges-{manual_badge.pk}" checked' in content


def test_choosing_badges_in_the_dialog_puts_them_on_the_page_and_closes_it(
    client, instructor, course_class, student, manual_badge, organization
):
    second = BadgeFactory(organization=organization, name="Quick Learner")
    client.force_login(instructor)

    response = client.post(
        batch_url(course_class),
        {"badge": [manual_badge.pk, second.pk], "student": [student.pk]},
        headers=htmx_headers("batch-form"),
    )

    assert response.headers["HX-Trigger"] == '{"portal:close-dialog": {}}'
    assert [b.name for b in response.context["selected_badges"]] == [
        "Quick Learner",
        "Star Participant",
    ]
    content = response.content.decode()
    assert 'id="batch-form"' in content
    assert f'<input type="hidden" name="badge" value="{second.pk}">' in content
    assert not BadgeIssuance.objects.exists()


def test_an_entry_can_be_removed_before_issuing(
    client, instructor, course_class, student, manual_badge, organization
):
    second = BadgeFactory(organization=organization)
    other_student = EnrollmentFactory(course_class=course_class).student
    client.force_login(instructor)

    without_badge = client.post(
        batch_url(course_class),
        {
            "badge": [manual_badge.pk, second.pk],
            "student": [student.pk, other_student.pk],
            "remove_badge": second.pk,
        },
    )
    without_student = client.post(
        batch_url(course_class),
        {
            "badge": [manual_badge.pk],
            "student": [student.pk, other_student.pk],
            "remove_student": other_student.pk,
        },
    )

    assert without_badge.context["selected_badges"] == [manual_badge]
    assert len(without_badge.context["selected_enrollments"]) == 2
    assert [e.student for e in without_student.context["selected_enrollments"]] == [student]
    assert not BadgeIssuance.objects.exists()


def test_search_in_choose_students_keeps_the_chosen_ones_that_are_filtered_out(
    client, contractor, course_class, organization
):
    alice = EnrollmentFactory(
        course_class=course_class, student__first_name="Alice", student__last_name="Moreau"
    ).student
    bob = EnrollmentFactory(
        course_class=course_class, student__first_name="Bob", student__last_name="Ngata"
    ).student
    client.force_login(contractor)

    response = client.post(
        reverse("classes:choose_students", args=[course_class.pk]),
        {"student": [alice.pk], "q": "ngata"},
        headers=htmx_headers("choose-students-list"),
    )

    assert [e.student for e in response.context["enrollments"]] == [bob]
    content = response.content.decode()
    assert f'<input type="hidden" name="student" value="{alice.pk}">' in content
    assert "Choose Student(s)" not in content  # only the list is swapped


def choose_students(client, course_class):
    response = client.get(
        reverse("classes:choose_students", args=[course_class.pk]), headers=DIALOG
    )
    assert b"Choose Student(s)" in response.content
    return {enrollment.student for enrollment in response.context["enrollments"]}


def test_organization_instructor_chooses_only_among_students_of_own_organization(
    client, instructor, course_class, student, foreign_student
):
    client.force_login(instructor)

    assert choose_students(client, course_class) == {student}


def test_contract_instructor_chooses_among_every_enrolled_student(
    client, contractor, course_class, student, foreign_student
):
    client.force_login(contractor)

    assert choose_students(client, course_class) == {student, foreign_student}


def test_instructor_issues_a_batch_and_sees_each_student_with_their_badges(
    client, instructor, course_class, student, manual_badge, organization
):
    second = BadgeFactory(organization=organization, name="Quick Learner")
    other = EnrollmentFactory(course_class=course_class).student
    client.force_login(instructor)

    response = issue(client, course_class, badges=[manual_badge, second], students=[student, other])

    content = response.content.decode()
    assert SUCCESS_HEADING in content
    assert WARNING not in content
    assert FAILED_HEADING not in content
    issued = {e["student"]: e["badges"] for e in response.context["results"]["issued"]}
    assert issued == {
        student: ["Star Participant", "Quick Learner"],
        other: ["Star Participant", "Quick Learner"],
    }
    assert BadgeIssuance.objects.filter(source=BadgeIssuance.Source.BATCH).count() == 4
    assert set(BadgeIssuance.objects.values_list("issued_by", "source_class")) == {
        (instructor.pk, course_class.pk)
    }


def test_batch_reports_already_earned_pair_as_failure(
    client, instructor, course_class, student, manual_badge
):
    other = EnrollmentFactory(course_class=course_class).student
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    client.force_login(instructor)

    response = issue(client, course_class, badges=[manual_badge], students=[student, other])

    content = response.content.decode()
    assert SUCCESS_HEADING in content
    assert WARNING in content
    assert FAILED_HEADING in content
    [failure] = failures(response)
    assert failure["badge"] == "Star Participant"
    assert failure["student"] == student.display_name
    assert failure["reason"].startswith("already earned on ")
    assert [e["student"] for e in response.context["results"]["issued"]] == [other]
    assert BadgeIssuance.objects.count() == 2


def test_reposting_the_result_issues_nothing_new(
    client, instructor, course_class, student, manual_badge
):
    client.force_login(instructor)
    issue(client, course_class, badges=[manual_badge], students=[student])

    again = issue(client, course_class, badges=[manual_badge], students=[student])

    assert WARNING in again.content.decode()
    assert again.context["results"]["issued"] == []
    assert failures(again)[0]["reason"].startswith("already earned on ")
    assert BadgeIssuance.objects.count() == 1


def test_issuing_with_an_empty_list_asks_for_badges_and_students(
    client, instructor, course_class, manual_badge
):
    client.force_login(instructor)

    response = issue(client, course_class, badges=[manual_badge], students=[])

    assert "Add at least one badge and one student before issuing." in response.content.decode()
    assert "results" not in response.context
    assert not BadgeIssuance.objects.exists()


# Forged requests: the page only ever offers what may be issued; a POST carrying anything else
# is refused pair by pair with a reason, and writes nothing for those pairs.


def test_forged_student_of_another_organization_is_refused_for_an_organization_instructor(
    client, instructor, course_class, student, foreign_student, manual_badge
):
    client.force_login(instructor)

    response = issue(
        client, course_class, badges=[manual_badge], students=[student, foreign_student]
    )

    [failure] = failures(response)
    assert failure == {
        "badge": "Star Participant",
        "student": f"Student #{foreign_student.pk}",
        "reason": "student is not enrolled in this class or not visible to you",
    }
    assert foreign_student.display_name not in response.content.decode()
    assert not BadgeIssuance.objects.filter(recipient=foreign_student).exists()
    assert BadgeIssuance.objects.filter(recipient=student).exists()


def test_forged_student_of_another_organization_is_issued_for_a_contract_instructor(
    client, contractor, course_class, foreign_student, manual_badge
):
    client.force_login(contractor)

    response = issue(client, course_class, badges=[manual_badge], students=[foreign_student])

    assert failures(response) == []
    assert BadgeIssuance.objects.filter(recipient=foreign_student).exists()


def test_student_not_on_the_roster_is_refused(
    client, contractor, course_class, manual_badge, organization
):
    outsider = StudentFactory(organization=organization)
    client.force_login(contractor)

    response = issue(client, course_class, badges=[manual_badge], students=[outsider])

    [failure] = failures(response)
    assert failure["reason"] == "student is not enrolled in this class or not visible to you"
    assert failure["student"] == f"Student #{outsider.pk}"
    assert not BadgeIssuance.objects.exists()


def test_badge_of_another_organization_is_refused(
    client, instructor, course_class, student, other_organization
):
    foreign_badge = BadgeFactory(organization=other_organization, name="Contoso Secret")
    client.force_login(instructor)

    response = issue(client, course_class, badges=[foreign_badge], students=[student])

    [failure] = failures(response)
    assert failure["reason"] == "badge belongs to another organization"
    assert failure["badge"] == f"Badge #{foreign_badge.pk}"
    assert "Contoso Secret" not in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_unknown_badge_id_is_refused(client, instructor, course_class, student):
    client.force_login(instructor)

    response = issue(client, course_class, badges=[987654], students=[student])

    assert failures(response)[0]["reason"] == "badge does not exist"
    assert not BadgeIssuance.objects.exists()


def test_unknown_student_id_is_refused(client, instructor, course_class, manual_badge):
    client.force_login(instructor)

    response = issue(client, course_class, badges=[manual_badge], students=[987654])

    assert failures(response)[0] == {
        "badge": "Star Participant",
        "student": "Student #987654",
        "reason": "student does not exist",
    }
    assert not BadgeIssuance.objects.exists()


def test_badge_without_manual_issuance_is_refused(
    client, instructor, course_class, student, organization
):
    automatic = BadgeFactory(organization=organization, manual_issuance_enabled=False)
    client.force_login(instructor)

    response = issue(client, course_class, badges=[automatic], students=[student])

    assert failures(response)[0]["reason"] == "badge is not enabled for manual issuance"
    assert not BadgeIssuance.objects.exists()


def test_archived_badge_is_refused(client, instructor, course_class, student, organization):
    archived = BadgeFactory(organization=organization, is_active=False)
    client.force_login(instructor)

    response = issue(client, course_class, badges=[archived], students=[student])

    assert failures(response)[0]["reason"] == "badge is archived"
    assert not BadgeIssuance.objects.exists()


def test_class_not_taught_is_404(client, course_class, student, manual_badge, organization):
    client.force_login(InstructorFactory(organization=organization))

    response = issue(client, course_class, badges=[manual_badge], students=[student])

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("badge", "abc"), ("student", "1;DROP TABLE"), ("student", "-1"), ("badge", "1" * 30)],
)
def test_non_numeric_ids_are_refused_and_nothing_is_issued(
    client, instructor, course_class, student, manual_badge, field, value
):
    client.force_login(instructor)
    data = {"badge": [manual_badge.pk], "student": [student.pk], "action": "issue"}
    data[field] = [*data[field], value]

    response = client.post(batch_url(course_class), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ids must be whole numbers." in content
    assert "Nothing was issued." in content
    assert not BadgeIssuance.objects.exists()


def test_student_may_not_open_issue_badges(client, course_class, student):
    client.force_login(student)

    assert client.get(batch_url(course_class)).status_code == 403


# Performance: a fixed number of statements whatever the number of students.

# Session, user, permissions (2), role groups, the class, the may-issue check (once: the request's
# issuing context), the issuing service (badges, students with whether each is on the roster as the
# user sees it, savepoint, insert, release, already-earned dates), the page's badges and students,
# and the organization shown in the top bar. On SQLite, the deliveries' outbox INSERT after the
# issuing one.
BATCH_ISSUE_QUERIES = 16 + outbox_statements()


def test_batch_issue_takes_a_fixed_number_of_queries(
    client, instructor, course_class, organization, django_assert_max_num_queries
):
    badges = BadgeFactory.create_batch(3, organization=organization)
    client.force_login(instructor)

    def enrol(count):
        students = [EnrollmentFactory(course_class=course_class).student for _ in range(count)]
        BadgeIssuanceFactory(badge=badges[0], recipient=students[0])
        return students

    def issue_to(students):
        with CaptureQueriesContext(connection) as queries:
            response = issue(client, course_class, badges=badges, students=students)
        assert len(response.context["results"]["issued"]) == len(students)
        assert len(failures(response)) == 1
        return len(queries)

    small = issue_to(enrol(5))
    many = enrol(200)
    with django_assert_max_num_queries(BATCH_ISSUE_QUERIES):
        large = issue_to(many)

    assert large == small
    assert BadgeIssuance.objects.count() == 3 * 205


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_concurrent_batches_issue_each_pair_exactly_once(
    instructor, course_class, organization
):
    badges = BadgeFactory.create_batch(3, organization=organization)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(30)]
    first = (badges[:2], students[:20])
    second = (badges[1:], students[10:])
    barrier = threading.Barrier(2)
    pages, errors = [], []

    def run_batch(chosen_badges, chosen_students):
        try:
            client = Client()
            client.force_login(instructor)
            barrier.wait(timeout=10)
            response = issue(client, course_class, badges=chosen_badges, students=chosen_students)
            assert response.status_code == 200
            # Read the page, not response.context: the test client's template signal is shared
            # by both threads.
            pages.append(response.content.decode())
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_batch, args=batch) for batch in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    requested = {(b.pk, s.pk) for chosen, people in (first, second) for b in chosen for s in people}
    issued_rows = list(BadgeIssuance.objects.values_list("badge_id", "recipient_id"))
    assert sorted(issued_rows) == sorted(requested)
    overlap = 10  # the second badge for students 10 to 19 is in both batches
    failed_rows = sum(page.count("<tr><td>") for page in pages)
    assert failed_rows == overlap
    assert sum(page.count("Already earned on ") for page in pages) == overlap
    assert sum(WARNING in page for page in pages) >= 1


@pytest.mark.postgres
def test_batch_of_20_badges_for_1000_students_through_the_page(
    client, instructor, course_class, organization, capsys
):
    """Prints how long Issue Badges takes for 20 badges x 1,000 students (no timing assertion:
    machines differ), then again when every pair is already earned."""
    badges = BadgeFactory.create_batch(20, organization=organization)
    students = User.objects.bulk_create(
        User(
            username=f"bulk{n:04d}",
            first_name="Student",
            last_name=f"{n:04d}",
            email=f"bulk{n:04d}@example.org",
            organization=organization,
        )
        for n in range(1000)
    )
    Enrollment.objects.bulk_create(
        Enrollment(course_class=course_class, student=s, enrolled_at=timezone.now())
        for s in students
    )
    student_role = Group.objects.get(name=STUDENT)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=s.pk, group_id=student_role.pk) for s in students
    )
    client.force_login(instructor)
    client.get(batch_url(course_class))  # warm the session and template caches

    started = time.perf_counter()
    first = issue(client, course_class, badges=badges, students=students)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = issue(client, course_class, badges=badges, students=students)
    again_seconds = time.perf_counter() - started

    assert BadgeIssuance.objects.count() == 20_000
    assert len(first.context["results"]["issued"]) == 1000
    assert len(failures(again)) == 20_000
    # 20,000 failures are shown grouped by reason: the page lists the 1,000 students chosen
    # (as the first one does, with their badges), not 20,000 rows.
    assert [group["count"] for group in again.context["results"]["failed_groups"]] == [20_000]
    assert len(again.content) < len(first.content)
    with capsys.disabled():
        print(
            f"\nIssue Badges, 20 badges x 1,000 students on PostgreSQL: {first_seconds:.2f} s "
            f"({len(first.content) // 1024} KiB page); posted again, all 20,000 already "
            f"earned: {again_seconds:.2f} s ({len(again.content) // 1024} KiB page)"
        )


def test_choose_students_takes_a_fixed_number_of_queries(
    client, contractor, course_class, django_assert_max_num_queries
):
    client.force_login(contractor)
    url = reverse("classes:choose_students", args=[course_class.pk])

    def queries_for_dialog():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=DIALOG)
        return len(queries), len(response.context["enrollments"])

    EnrollmentFactory.create_batch(5, course_class=course_class)
    small, _ = queries_for_dialog()
    EnrollmentFactory.create_batch(145, course_class=course_class)
    with django_assert_max_num_queries(small):
        large, listed = queries_for_dialog()

    assert large == small
    assert listed == 150


@pytest.mark.parametrize(
    ("url_name", "title", "button"),
    [
        ("choose_badges", "Choose Badges", "Select a Badge"),
        ("choose_students", "Choose Student(s)", "OK"),
    ],
)
def test_without_javascript_the_choosers_are_full_pages_posting_back_to_issue_badges(
    client, instructor, course_class, student, manual_badge, url_name, title, button
):
    client.force_login(instructor)

    response = client.post(
        reverse(f"classes:{url_name}", args=[course_class.pk]),
        {"badge": [manual_badge.pk], "student": [student.pk]},
    )

    content = response.content.decode()
    assert "<html" in content
    assert f'<h1 class="h4">{title}</h1>' in content
    assert f'<form method="post" action="{batch_url(course_class)}">' in content
    assert f">{button}</button>" in content
    assert ">Search</button>" in content
    assert "hx-post" not in content
