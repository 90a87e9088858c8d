"""The roster's Choose Badge dialog: one badge to one student, and everything it refuses."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from badges.models import BadgeIssuance
from tests.deliveries.helpers import outbox_statements
from tests.factories import (
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    InstructorFactory,
    StudentFactory,
)
from tests.helpers import DIALOG, htmx_headers


def dialog_url(course_class, student):
    return reverse("classes:issue_badge", args=[course_class.pk, student.pk])


def test_dialog_lists_only_active_manual_badges_of_the_class_organization(
    client, instructor, course_class, student, manual_badge, organization, other_organization
):
    BadgeFactory(organization=organization, name="Automatic only", manual_issuance_enabled=False)
    BadgeFactory(organization=organization, name="Archived", is_active=False)
    BadgeFactory(organization=other_organization, name="Contoso manual")
    client.force_login(instructor)

    response = client.get(dialog_url(course_class, student), headers=DIALOG)

    assert response.status_code == 200
    assert list(response.context["badges"]) == [manual_badge]
    content = response.content.decode()
    assert "Choose Badge" in content
    assert "Select a Badge" in content
    assert "<html" not in content  # the body of the shared dialog, not a page


def test_dialog_marks_the_badges_the_student_already_holds(
    client, instructor, course_class, student, manual_badge, organization
):
    BadgeFactory(organization=organization, name="Not yet")
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    client.force_login(instructor)

    response = client.get(dialog_url(course_class, student), headers=DIALOG)

    held = {badge.name: badge.held for badge in response.context["badges"]}
    assert held == {"Not yet": False, "Star Participant": True}
    assert f'id="choose-badge-{manual_badge.pk}" required disabled' in response.content.decode()
    assert "Earned" in response.content.decode()


def test_search_narrows_the_list_as_one_types(
    client, instructor, course_class, student, organization
):
    BadgeFactory(organization=organization, name="Cloud Champion")
    BadgeFactory(organization=organization, name="Safety Star")
    client.force_login(instructor)

    response = client.get(
        dialog_url(course_class, student),
        {"q": "cloud"},
        headers=htmx_headers("choose-badge-list"),
    )

    assert [badge.name for badge in response.context["badges"]] == ["Cloud Champion"]
    assert "Safety Star" not in response.content.decode()
    assert "<form" not in response.content.decode()  # only the list is swapped


def test_without_javascript_the_dialog_is_a_full_page(client, instructor, course_class, student):
    client.force_login(instructor)

    response = client.get(dialog_url(course_class, student))

    assert b"<html" in response.content
    assert b"Choose Badge" in response.content
    assert b"hx-post" not in response.content


def test_instructor_issues_one_badge_from_roster(
    client, instructor, course_class, student, manual_badge
):
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert response.status_code == 200
    assert b"Successfully Issued Badge" in response.content
    assert response.headers["HX-Trigger"] == f'{{"badge-issued-to-{student.pk}": {{}}}}'
    issuance = BadgeIssuance.objects.get()
    assert (issuance.badge, issuance.recipient, issuance.issued_by) == (
        manual_badge,
        student,
        instructor,
    )
    assert issuance.source == BadgeIssuance.Source.ROSTER
    assert issuance.source_class == course_class


def test_without_javascript_issuing_returns_to_the_roster_with_a_message(
    client, instructor, course_class, student, manual_badge
):
    client.force_login(instructor)

    response = client.post(dialog_url(course_class, student), {"badge": manual_badge.pk})

    assert response.status_code == 302
    assert response.url == reverse("classes:roster", args=[course_class.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Star Participant was issued to {student.display_name}."
    ]
    assert BadgeIssuance.objects.filter(recipient=student).count() == 1


def test_contract_instructor_issues_to_a_student_of_another_organization(
    client, contractor, course_class, foreign_student, manual_badge
):
    client.force_login(contractor)

    response = client.post(
        dialog_url(course_class, foreign_student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert b"Successfully Issued Badge" in response.content
    assert BadgeIssuance.objects.filter(recipient=foreign_student).exists()


def test_administrator_issues_from_the_roster_of_an_organization_class(
    client, administrator, course_class, foreign_student, manual_badge
):
    client.force_login(administrator)

    response = client.post(
        dialog_url(course_class, foreign_student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert b"Successfully Issued Badge" in response.content
    assert BadgeIssuance.objects.get().issued_by == administrator


def test_dialog_takes_a_fixed_number_of_queries(
    client, instructor, course_class, student, organization, django_assert_max_num_queries
):
    for badge in BadgeFactory.create_batch(30, organization=organization):
        BadgeIssuanceFactory(badge=badge, recipient=student)
    client.force_login(instructor)

    with django_assert_max_num_queries(9):
        response = client.get(dialog_url(course_class, student), headers=DIALOG)

    assert len(response.context["badges"]) == 30


# Session, user, permissions (2), role groups, the class, the may-issue check, the student (with
# whether the context may issue to them, which the service reuses), the badge, savepoint, insert,
# release, and the dialog's badges. On SQLite, the deliveries' outbox INSERT after the insert.
ISSUE_ONE_QUERIES = 13 + outbox_statements()


def test_issuing_decides_access_once_per_request(
    client, instructor, course_class, student, manual_badge, django_assert_max_num_queries
):
    client.force_login(instructor)

    with django_assert_max_num_queries(ISSUE_ONE_QUERIES):
        response = client.post(
            dialog_url(course_class, student), {"badge": manual_badge.pk}, headers=DIALOG
        )

    assert b"Successfully Issued Badge" in response.content
    assert BadgeIssuance.objects.filter(badge=manual_badge, recipient=student).exists()


# Refusals: the dialog says why (or the page is 403/404) and no row is written.


def assert_refused_in_dialog(response, reason):
    assert response.status_code == 200
    content = response.content.decode()
    assert b"Successfully Issued Badge" not in response.content
    assert reason in content
    assert "Nothing was issued." in content
    assert "HX-Trigger" not in response.headers
    assert not BadgeIssuance.objects.exists()


def test_already_earned_badge_is_refused_with_its_date(
    client, instructor, course_class, student, manual_badge
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert f"Star Participant was not issued to {student.display_name}: already earned on" in (
        response.content.decode()
    )
    assert BadgeIssuance.objects.count() == 1


def test_badge_of_another_organization_is_refused_without_naming_it(
    client, instructor, course_class, student, other_organization
):
    foreign_badge = BadgeFactory(organization=other_organization, name="Contoso Secret")
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, student), {"badge": foreign_badge.pk}, headers=DIALOG
    )

    assert_refused_in_dialog(
        response, f"Badge #{foreign_badge.pk} was not issued to {student.display_name}: "
    )
    assert "badge belongs to another organization" in response.content.decode()
    assert "Contoso Secret" not in response.content.decode()


def test_unknown_badge_id_is_refused(client, instructor, course_class, student):
    client.force_login(instructor)

    response = client.post(dialog_url(course_class, student), {"badge": 987654}, headers=DIALOG)

    assert_refused_in_dialog(response, "badge does not exist")


def test_badge_without_manual_issuance_is_refused(
    client, instructor, course_class, student, organization
):
    automatic = BadgeFactory(organization=organization, manual_issuance_enabled=False)
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, student), {"badge": automatic.pk}, headers=DIALOG
    )

    assert_refused_in_dialog(response, "badge is not enabled for manual issuance")


def test_archived_badge_is_refused(client, instructor, course_class, student, organization):
    archived = BadgeFactory(organization=organization, is_active=False)
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, student), {"badge": archived.pk}, headers=DIALOG
    )

    assert_refused_in_dialog(response, "badge is archived")


@pytest.mark.parametrize("badge", ["abc", "1 OR 1=1", "-3", "1.5", "99999999999999999999999"])
def test_non_numeric_or_out_of_range_badge_id_is_refused(
    client, instructor, course_class, student, badge
):
    client.force_login(instructor)

    response = client.post(dialog_url(course_class, student), {"badge": badge}, headers=DIALOG)

    assert response.status_code == 200
    assert "Nothing was issued." in response.content.decode()
    assert not BadgeIssuance.objects.exists()


def test_missing_badge_is_refused(client, instructor, course_class, student):
    client.force_login(instructor)

    response = client.post(dialog_url(course_class, student), {}, headers=DIALOG)

    assert_refused_in_dialog(response, "Choose a badge.")


def test_student_not_on_the_roster_is_404(
    client, instructor, course_class, manual_badge, organization
):
    outsider = StudentFactory(organization=organization)
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, outsider), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


def test_unknown_student_id_is_404(client, instructor, course_class, manual_badge):
    client.force_login(instructor)

    response = client.post(
        reverse("classes:issue_badge", args=[course_class.pk, 987654]),
        {"badge": manual_badge.pk},
        headers=DIALOG,
    )

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


def test_organization_instructor_cannot_issue_to_a_student_of_another_organization(
    client, instructor, course_class, foreign_student, manual_badge
):
    client.force_login(instructor)

    response = client.post(
        dialog_url(course_class, foreign_student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


def test_class_not_taught_is_404(client, course_class, student, manual_badge, organization):
    client.force_login(InstructorFactory(organization=organization))

    response = client.post(
        dialog_url(course_class, student), {"badge": manual_badge.pk}, headers=DIALOG
    )

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


def test_administrator_of_another_organization_gets_404(
    client, course_class, student, manual_badge, other_organization
):
    client.force_login(AdministratorFactory(organization=other_organization))

    response = client.post(dialog_url(course_class, student), {"badge": manual_badge.pk})

    assert response.status_code == 404
    assert not BadgeIssuance.objects.exists()


def test_student_may_not_issue(client, course_class, student, manual_badge):
    client.force_login(student)

    response = client.post(dialog_url(course_class, student), {"badge": manual_badge.pk})

    assert response.status_code == 403
    assert not BadgeIssuance.objects.exists()


def test_instructor_without_the_issue_permission_is_403(
    client, instructor, course_class, student, manual_badge
):
    from django.contrib.auth.models import Permission

    instructor.groups.clear()
    instructor.user_permissions.add(
        Permission.objects.get(codename="view_courseclass", content_type__app_label="classes")
    )
    client.force_login(instructor)

    response = client.post(dialog_url(course_class, student), {"badge": manual_badge.pk})

    assert response.status_code == 403
    assert not BadgeIssuance.objects.exists()
