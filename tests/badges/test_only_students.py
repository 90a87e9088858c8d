"""Only students receive badges: every issuing path (the Django admin, Choose Badge, Issue Badges,
a course assignment, the sweep) refuses anyone else with a reason, and writes nothing for them.
Found by probing: platform staff could issue a badge to an administrator from the Django admin."""

import pytest
from django.urls import reverse

from badges.models import BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.outcomes import Refusal
from tests.factories import (
    AdministratorFactory,
    CourseAssignmentFactory,
    EnrollmentFactory,
    InstructorFactory,
    LabCompletionFactory,
    UserFactory,
)

from ..achievements.scenarios import lab_scenario
from ..achievements.test_sweep import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(organization=None, is_staff=True, is_superuser=True)


def test_the_service_refuses_an_administrator_as_recipient(staff, administrator, manual_badge):
    [outcome] = badge_issue_many(
        context=IssueContext.for_admin(actor=staff), pairs=[(manual_badge.pk, administrator.pk)]
    )

    assert not outcome.issued
    assert outcome.reason == Refusal.NOT_A_STUDENT
    assert not BadgeIssuance.objects.exists()


def test_the_django_admin_shows_the_refusal_as_a_form_error_and_issues_nothing(
    client, staff, administrator, student, manual_badge
):
    client.force_login(staff)

    response = client.post(
        reverse("admin:badges_badgeissuance_add"),
        {"badge": manual_badge.pk, "recipients": [student.pk, administrator.pk]},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["recipients"]
    assert errors == [f"{administrator.display_name}: {Refusal.NOT_A_STUDENT}. Nothing was issued."]
    assert Refusal.NOT_A_STUDENT in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_the_django_admin_still_issues_to_students(client, staff, student, manual_badge):
    client.force_login(staff)

    response = client.post(
        reverse("admin:badges_badgeissuance_add"),
        {"badge": manual_badge.pk, "recipients": [student.pk]},
    )

    assert response.status_code == 302
    assert BadgeIssuance.objects.get().recipient == student


def test_a_batch_refuses_an_instructor_enrolled_on_the_roster(
    client, instructor, course_class, student, manual_badge, organization
):
    enrolled_instructor = EnrollmentFactory(
        course_class=course_class, student=InstructorFactory(organization=organization)
    ).student
    client.force_login(instructor)

    response = client.post(
        reverse("classes:batch", args=[course_class.pk]),
        {
            "badge": [manual_badge.pk],
            "student": [student.pk, enrolled_instructor.pk],
            "action": "issue",
        },
    )

    [failure] = response.context["results"]["failed"]
    assert failure["reason"] == Refusal.NOT_A_STUDENT
    assert set(BadgeIssuance.objects.values_list("recipient_id", flat=True)) == {student.pk}


def test_choose_badge_refuses_a_roster_member_who_is_not_a_student(
    client, instructor, course_class, manual_badge, organization
):
    enrolled_admin = EnrollmentFactory(
        course_class=course_class, student=AdministratorFactory(organization=organization)
    ).student
    client.force_login(instructor)

    response = client.post(
        reverse("classes:issue_badge", args=[course_class.pk, enrolled_admin.pk]),
        {"badge": manual_badge.pk},
    )

    assert response.status_code == 200
    assert Refusal.NOT_A_STUDENT in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_a_course_assignment_of_someone_who_is_not_a_student_issues_nothing(
    client, administrator, organization, manual_badge
):
    assignment = CourseAssignmentFactory(
        organization=organization, student=InstructorFactory(organization=organization)
    )
    client.force_login(administrator)

    response = client.post(
        reverse("assignments:issue_badge", args=[assignment.pk]), {"badge": manual_badge.pk}
    )

    assert response.status_code == 200
    assert Refusal.NOT_A_STUDENT in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_the_sweep_issues_nothing_to_someone_who_is_not_a_student(organization):
    scenario = lab_scenario(organization)
    instructor = InstructorFactory(organization=organization)
    LabCompletionFactory(student=instructor, lab=scenario.achievement.lab)

    sweep()

    holders = set(scenario.badge.issuances.values_list("recipient_id", flat=True))
    assert holders == {scenario.meets.pk}
