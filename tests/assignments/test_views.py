"""Course assignments: the filtered list, an assignment's page, issuing from it, completing it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assignments.models import CourseAssignment
from badges.models import BadgeIssuance
from tests.deliveries.helpers import outbox_statements
from tests.factories import (
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    CourseFactory,
    StudentFactory,
)
from tests.helpers import DIALOG


@pytest.fixture
def assignment(organization):
    return CourseAssignmentFactory(
        organization=organization,
        course__title="Incident Response",
        student__first_name="Maya",
        student__last_name="Okafor",
    )


def detail_url(assignment):
    return reverse("assignments:detail", args=[assignment.pk])


def dialog_url(assignment):
    return reverse("assignments:issue_badge", args=[assignment.pk])


def listed(response):
    return list(response.context["assignments"])


# The list


def test_list_shows_the_administrators_organization_only_and_links_each_assignment(
    client, administrator, assignment, other_organization
):
    CourseAssignmentFactory(organization=other_organization)
    client.force_login(administrator)

    response = client.get(reverse("assignments:list"))

    assert listed(response) == [assignment]
    assert f'href="{detail_url(assignment)}"'.encode() in response.content


def test_list_filters_by_course(client, administrator, assignment, organization):
    other = CourseAssignmentFactory(organization=organization, course=CourseFactory())
    client.force_login(administrator)

    response = client.get(reverse("assignments:list"), {"course": other.course.pk})

    assert listed(response) == [other]


def test_course_filter_offers_only_courses_of_the_organizations_assignments(
    client, administrator, assignment, other_organization
):
    foreign = CourseAssignmentFactory(organization=other_organization)
    client.force_login(administrator)

    offered = client.get(reverse("assignments:list")).context["filter"].form.fields["course"]
    response = client.get(reverse("assignments:list"), {"course": foreign.course.pk})

    assert list(offered.queryset) == [assignment.course]
    assert listed(response) == []  # an invalid choice filters nothing in: no foreign rows


def test_list_filters_by_student_name_or_email(client, administrator, assignment, organization):
    CourseAssignmentFactory(organization=organization)
    client.force_login(administrator)

    by_name = client.get(reverse("assignments:list"), {"student": "maya oka"})
    by_email = client.get(reverse("assignments:list"), {"student": assignment.student.email})

    assert listed(by_name) == [assignment]
    assert listed(by_email) == [assignment]


def test_list_filters_by_status(client, administrator, assignment, organization):
    done = CourseAssignmentFactory(organization=organization, completed_at=timezone.now())
    client.force_login(administrator)

    completed = client.get(reverse("assignments:list"), {"status": "completed"})
    assigned = client.get(reverse("assignments:list"), {"status": "assigned"})

    assert listed(completed) == [done]
    assert listed(assigned) == [assignment]
    assert [field.label for field in completed.context["filter"].form] == [
        "Course",
        "Student",
        "Status",
    ]


def test_list_takes_a_fixed_number_of_queries(
    client, administrator, organization, django_assert_max_num_queries
):
    CourseAssignmentFactory.create_batch(30, organization=organization)
    client.force_login(administrator)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("assignments:list"), {"status": "assigned"})

    assert len(listed(response)) == 30


def test_instructor_may_not_open_course_assignments(client, instructor, assignment):
    client.force_login(instructor)

    assert client.get(reverse("assignments:list")).status_code == 403
    assert client.get(detail_url(assignment)).status_code == 403


# The assignment's page


def test_assignment_page_shows_student_course_status_dates_and_quick_access(
    client, administrator, assignment
):
    client.force_login(administrator)

    response = client.get(detail_url(assignment))

    content = response.content.decode()
    for text in [
        "Maya Okafor",
        "Incident Response",
        "Assigned",
        f"{assignment.assigned_at:%Y}",
        'aria-label="Quick access"',
        "Issue a Badge",
        "Mark complete",
        "No badge has been issued from this assignment yet.",
    ]:
        assert text in content
    assert f'href="{reverse("badges:student", args=[assignment.student.pk])}"' in content


def test_assignment_page_lists_the_badges_issued_from_it(
    client, administrator, assignment, manual_badge, organization
):
    BadgeIssuanceFactory(
        badge=manual_badge,
        recipient=assignment.student,
        source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
        source_assignment=assignment,
        issued_by=administrator,
    )
    BadgeIssuanceFactory(
        badge=BadgeFactory(organization=organization, name="From a class"),
        recipient=assignment.student,
    )
    client.force_login(administrator)

    response = client.get(detail_url(assignment))

    assert [i.badge for i in response.context["issuances"]] == [manual_badge]
    assert b"From a class" not in response.content


def test_assignment_of_another_organization_is_404(client, assignment, other_organization):
    client.force_login(AdministratorFactory(organization=other_organization))

    assert client.get(detail_url(assignment)).status_code == 404
    assert client.get(dialog_url(assignment)).status_code == 404


def test_administrator_marks_the_assignment_complete(client, administrator, assignment):
    client.force_login(administrator)

    response = client.post(reverse("assignments:complete", args=[assignment.pk]), follow=True)

    assert b"The course assignment is marked complete." in response.content
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert assignment.completion_recorded_at == assignment.completed_at


def test_completing_twice_keeps_the_first_date(client, administrator, assignment):
    first = timezone.now().replace(year=2025)
    CourseAssignment.objects.filter(pk=assignment.pk).update(completed_at=first)
    client.force_login(administrator)

    response = client.post(reverse("assignments:complete", args=[assignment.pk]), follow=True)

    assert b"already complete" in response.content
    assignment.refresh_from_db()
    assert assignment.completed_at == first


def test_completing_an_assignment_of_another_organization_is_404(
    client, assignment, other_organization
):
    client.force_login(AdministratorFactory(organization=other_organization))

    response = client.post(reverse("assignments:complete", args=[assignment.pk]))

    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.completed_at is None


# Issuing from the assignment


def test_dialog_lists_active_manual_badges_of_the_assignment_organization(
    client, administrator, assignment, manual_badge, organization, other_organization
):
    BadgeFactory(organization=organization, manual_issuance_enabled=False)
    BadgeFactory(organization=organization, is_active=False)
    BadgeFactory(organization=other_organization)
    BadgeIssuanceFactory(badge=manual_badge, recipient=assignment.student)
    client.force_login(administrator)

    response = client.get(dialog_url(assignment), headers=DIALOG)

    assert [(b, b.held) for b in response.context["badges"]] == [(manual_badge, True)]
    assert b"Choose Badge" in response.content


def test_administrator_issues_from_course_assignment(
    client, administrator, assignment, manual_badge
):
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": manual_badge.pk}, headers=DIALOG)

    assert b"Successfully Issued Badge" in response.content
    assert response.headers["HX-Trigger"] == (
        f'{{"badge-issued-from-assignment-{assignment.pk}": {{}}}}'
    )
    issuance = BadgeIssuance.objects.get()
    assert issuance.recipient == assignment.student
    assert issuance.source == BadgeIssuance.Source.COURSE_ASSIGNMENT
    assert issuance.source_assignment == assignment
    assert issuance.issued_by == administrator
    listing = client.get(reverse("assignments:issuances", args=[assignment.pk]))
    assert b"Star Participant" in listing.content


# Session, user, permissions (2), role groups, the assignment with its student, the badge, whether
# that student is a student (only students receive badges), savepoint, insert, release, and the
# dialog's badges: whether the user may issue here is decided once. On SQLite, the deliveries'
# outbox INSERT after the issuing one.
ASSIGNMENT_ISSUE_QUERIES = 12 + outbox_statements()


def test_issuing_from_an_assignment_takes_a_fixed_number_of_queries(
    client, administrator, assignment, manual_badge, django_assert_max_num_queries
):
    client.force_login(administrator)

    with django_assert_max_num_queries(ASSIGNMENT_ISSUE_QUERIES):
        response = client.post(dialog_url(assignment), {"badge": manual_badge.pk}, headers=DIALOG)

    assert b"Successfully Issued Badge" in response.content


def test_without_javascript_issuing_returns_to_the_assignment(
    client, administrator, assignment, manual_badge
):
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": manual_badge.pk})

    assert response.status_code == 302
    assert response.url == detail_url(assignment)
    assert BadgeIssuance.objects.filter(source_assignment=assignment).count() == 1


def assert_refused(response, reason):
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert b"Nothing was issued." in response.content
    assert not BadgeIssuance.objects.exists()


def test_issuing_a_badge_of_another_organization_is_refused(
    client, administrator, assignment, other_organization
):
    foreign = BadgeFactory(organization=other_organization)
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": foreign.pk}, headers=DIALOG)

    assert_refused(response, "badge belongs to another organization")


def test_issuing_a_badge_without_manual_issuance_is_refused(
    client, administrator, assignment, organization
):
    automatic = BadgeFactory(organization=organization, manual_issuance_enabled=False)
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": automatic.pk}, headers=DIALOG)

    assert_refused(response, "badge is not enabled for manual issuance")


def test_issuing_an_archived_badge_is_refused(client, administrator, assignment, organization):
    archived = BadgeFactory(organization=organization, is_active=False)
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": archived.pk}, headers=DIALOG)

    assert_refused(response, "badge is archived")


def test_issuing_an_unknown_badge_is_refused(client, administrator, assignment):
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": 987654}, headers=DIALOG)

    assert_refused(response, "badge does not exist")


def test_issuing_an_already_earned_badge_is_refused(
    client, administrator, assignment, manual_badge
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=assignment.student)
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": manual_badge.pk}, headers=DIALOG)

    assert b"already earned on" in response.content
    assert BadgeIssuance.objects.count() == 1


def test_issuing_with_a_non_numeric_badge_id_is_refused(client, administrator, assignment):
    client.force_login(administrator)

    response = client.post(dialog_url(assignment), {"badge": "1 OR 1=1"}, headers=DIALOG)

    assert_refused(response, "Enter a whole number.")


def test_student_may_not_issue_from_an_assignment(client, assignment, manual_badge):
    other_student = StudentFactory(organization=assignment.organization)
    client.force_login(other_student)

    response = client.post(dialog_url(assignment), {"badge": manual_badge.pk})

    assert response.status_code == 403
    assert not BadgeIssuance.objects.exists()


def test_assignment_page_takes_a_fixed_number_of_queries(
    client, administrator, assignment, organization, django_assert_max_num_queries
):
    for badge in BadgeFactory.create_batch(10, organization=organization):
        BadgeIssuanceFactory(
            badge=badge,
            recipient=assignment.student,
            source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
            source_assignment=assignment,
            issued_by=administrator,
        )
    client.force_login(administrator)

    with django_assert_max_num_queries(8):
        response = client.get(detail_url(assignment))

    assert len(response.context["issuances"]) == 10


def test_assignment_names_link_to_their_page_only_for_administrators(rf, administrator, assignment):
    from django.template.loader import render_to_string

    def assignment_link_for(user):
        request = rf.get("/")
        request.user = user
        return render_to_string(
            "assignments/includes/assignment_link.html", {"assignment": assignment}, request=request
        ).strip()

    assert assignment_link_for(administrator) == (
        f'<a href="{detail_url(assignment)}">Incident Response for Maya Okafor</a>'
    )
    assert assignment_link_for(assignment.student) == "Incident Response for Maya Okafor"
