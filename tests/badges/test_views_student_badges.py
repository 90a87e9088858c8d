"""The Achievements/Badges page of a student: what it shows and who may open it."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.models import BadgeIssuance
from tests.factories import (
    AchievementCompletionFactory,
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)


def _page(client, student):
    return client.get(reverse("badges:student", args=[student.pk]))


def test_the_page_lists_badges_with_image_date_and_how_each_was_issued(
    client, organization, instructor, course_class, student
):
    achievement = AchievementFactory(organization=organization, name="Deployed a VM", points=10)
    automatic = BadgeFactory(organization=organization, name="Cloud Explorer")
    from_roster = BadgeFactory(organization=organization, name="Star Participant")
    from_assignment = BadgeFactory(organization=organization, name="Diligent")
    assignment = CourseAssignmentFactory(
        organization=organization, student=student, course__title="Data Protection"
    )
    issued_at = datetime(2026, 3, 12, 14, 5, tzinfo=timezone.get_current_timezone())
    BadgeIssuanceFactory(
        badge=automatic,
        recipient=student,
        method=BadgeIssuance.Method.AUTOMATIC,
        source=BadgeIssuance.Source.ACHIEVEMENT,
        source_achievement=achievement,
        issued_at=issued_at,
    )
    BadgeIssuanceFactory(
        badge=from_roster,
        recipient=student,
        issued_by=instructor,
        source=BadgeIssuance.Source.ROSTER,
        source_class=course_class,
    )
    BadgeIssuanceFactory(
        badge=from_assignment,
        recipient=student,
        source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
        source_assignment=assignment,
    )
    AchievementCompletionFactory(
        achievement=achievement,
        student=student,
        first_met_at=datetime(2026, 3, 1, 9, 0, tzinfo=timezone.get_current_timezone()),
    )
    client.force_login(student)

    response = _page(client, student)

    content = " ".join(response.content.decode().split())
    assert "12 March 2026, 14:05" in content
    assert "Automatic, via the achievement <strong>Deployed a VM</strong>" in content
    by_hand = f"Manual, by {instructor.display_name}, from the roster of {course_class.name}"
    assert by_hand in content
    assert f"from the course assignment Data Protection for {student.display_name}" in content
    assert content.count('<img src="/badges/generated/') == 3
    assert "Deployed a VM" in content
    assert "1 March 2026" in content
    assert response.context["points"] == 10


def test_students_do_not_get_links_to_badge_profiles_but_administrators_do(
    client, administrator, student, manual_badge
):
    BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    profile = reverse("badges:profile", args=[manual_badge.pk])

    client.force_login(student)
    as_student = _page(client, student).content.decode()
    client.force_login(administrator)
    as_admin = _page(client, student).content.decode()

    assert profile not in as_student
    assert profile in as_admin


def test_an_administrator_sees_only_their_organizations_badges_on_a_shared_students_page(
    client, administrator, foreign_student, other_organization, manual_badge
):
    """Least privilege: the student is shared (a Contoso member in a Northwind class); Northwind's
    administrator sees Northwind's badge and not Contoso's, which the student sees."""
    foreign_badge = BadgeFactory(organization=other_organization, name="Contoso Only")
    BadgeIssuanceFactory(badge=foreign_badge, recipient=foreign_student)
    BadgeIssuanceFactory(badge=manual_badge, recipient=foreign_student)
    client.force_login(administrator)

    content = _page(client, foreign_student).content.decode()

    assert manual_badge.name in content
    assert "Contoso Only" not in content
    assert reverse("badges:profile", args=[foreign_badge.pk]) not in content

    client.force_login(foreign_student)
    own = _page(client, foreign_student).content.decode()
    assert "Contoso Only" in own
    assert manual_badge.name in own


def test_an_administrator_sees_only_their_organizations_achievements_on_a_shared_page(
    client, administrator, foreign_student, other_organization, organization
):
    from achievements.models import AchievementCompletion
    from tests.factories import AchievementFactory

    theirs = AchievementFactory(organization=other_organization, name="Contoso Lab")
    ours = AchievementFactory(organization=organization, name="Northwind Lab")
    for achievement in (theirs, ours):
        AchievementCompletion.objects.create(
            achievement=achievement, student=foreign_student, first_met_at=timezone.now()
        )
    client.force_login(administrator)
    content = _page(client, foreign_student).content.decode()
    assert "Northwind Lab" in content
    assert "Contoso Lab" not in content

    client.force_login(foreign_student)
    own = _page(client, foreign_student).content.decode()
    assert "Contoso Lab" in own
    assert "Northwind Lab" in own


def test_an_administrator_cannot_open_the_page_of_their_organizations_instructor(
    client, administrator, instructor, student
):
    client.force_login(administrator)
    assert _page(client, instructor).status_code == 404
    assert _page(client, student).status_code == 200


@pytest.fixture
def people(organization, other_organization, course_class, student, foreign_student):
    """Everyone the permission rules distinguish, around `course_class` (Northwind)."""
    other_class = CourseClassFactory(organization=organization)
    unrelated_student = StudentFactory(organization=other_organization)
    return {
        "student": student,
        "foreign_student": foreign_student,  # Contoso member enrolled in the Northwind class
        "classmate": EnrollmentFactory(course_class=course_class).student,
        "other_class_student": EnrollmentFactory(course_class=other_class).student,
        "unrelated_student": unrelated_student,  # Contoso, in no Northwind class
        "other_class_instructor": InstructorFactory(organization=organization),
        "other_class": other_class,
        "other_admin": AdministratorFactory(organization=other_organization),
    }


def _visible(client, viewer, people, names):
    client.force_login(viewer)
    return {name: _page(client, people[name]).status_code for name in names}


STUDENTS = ["student", "foreign_student", "classmate", "other_class_student", "unrelated_student"]


def test_a_student_sees_only_their_own_page(client, people):
    statuses = _visible(client, people["student"], people, STUDENTS)

    assert statuses == {
        "student": 200,
        "foreign_student": 404,
        "classmate": 404,
        "other_class_student": 404,
        "unrelated_student": 404,
    }


def test_an_administrator_sees_members_and_students_enrolled_in_their_classes(
    client, administrator, people
):
    statuses = _visible(client, administrator, people, STUDENTS)

    assert statuses == {
        "student": 200,
        "foreign_student": 200,
        "classmate": 200,
        "other_class_student": 200,
        "unrelated_student": 404,
    }


def test_an_administrator_of_another_organization_sees_only_their_own(client, people):
    statuses = _visible(client, people["other_admin"], people, STUDENTS)

    # The foreign student and the unrelated student are Contoso members.
    assert statuses == {
        "student": 404,
        "foreign_student": 200,
        "classmate": 404,
        "other_class_student": 404,
        "unrelated_student": 200,
    }


def test_an_organization_instructor_sees_own_organization_students_of_their_class(
    client, instructor, people
):
    statuses = _visible(client, instructor, people, STUDENTS)

    assert statuses == {
        "student": 200,
        "foreign_student": 404,
        "classmate": 200,
        "other_class_student": 404,
        "unrelated_student": 404,
    }


def test_a_contract_instructor_sees_every_student_of_their_class(client, contractor, people):
    statuses = _visible(client, contractor, people, STUDENTS)

    assert statuses == {
        "student": 200,
        "foreign_student": 200,
        "classmate": 200,
        "other_class_student": 404,
        "unrelated_student": 404,
    }


def test_an_instructor_of_another_class_sees_only_that_class(client, people):
    statuses = _visible(client, people["other_class_instructor"], people, STUDENTS)

    assert statuses == {
        "student": 404,
        "foreign_student": 404,
        "classmate": 404,
        "other_class_student": 404,
        "unrelated_student": 404,
    }
    people["other_class"].instructors.add(people["other_class_instructor"])
    assert _visible(client, people["other_class_instructor"], people, ["other_class_student"]) == {
        "other_class_student": 200
    }


def test_anonymous_visitors_are_sent_to_log_in(client, student):
    response = _page(client, student)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_student_is_404(client, administrator):
    client.force_login(administrator)

    assert client.get(reverse("badges:student", args=[99999999])).status_code == 404


def _earn(student, organization, count):
    for _ in range(count):
        BadgeIssuanceFactory(badge=BadgeFactory(organization=organization), recipient=student)
        AchievementCompletionFactory(
            student=student, achievement=AchievementFactory(organization=organization)
        )


def _work_toward(organization, count):
    from catalog.models import LearningPathCourse
    from tests.factories import CourseFactory, LearningPathFactory

    for _ in range(count):
        achievement = AchievementFactory(
            organization=organization, criteria_type="course_set", lab=None
        )
        achievement.course_set.set(CourseFactory.create_batch(2))
        path = LearningPathFactory()
        LearningPathCourse.objects.create(learning_path=path, course=CourseFactory(), position=1)
        AchievementFactory(
            organization=organization, criteria_type="learning_path", lab=None, learning_path=path
        )


def test_the_page_takes_a_fixed_number_of_queries(
    client, organization, student, django_assert_num_queries
):
    """Session, user, roles, the student, the issuances, their deliveries (the Issued Status),
    the completions, the permissions (2), the organization shown in the top bar, and the
    achievements in progress with their course sets, learning paths and the progress of them
    all: 14, whatever the number of rows."""
    client.force_login(student)
    _earn(student, organization, 1)
    _work_toward(organization, 1)
    with django_assert_num_queries(14):
        _page(client, student)

    _earn(student, organization, 20)
    _work_toward(organization, 20)
    with django_assert_num_queries(14):
        response = _page(client, student)
    assert len(response.context["issuances"]) == 21
