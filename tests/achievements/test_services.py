"""Writes about achievements: mapping badges, changing criteria, and the re-evaluation queued when
a completion is recorded in the portal."""

import logging
import time

import pytest
from django.core.exceptions import ValidationError

from achievements.models import Achievement, AchievementCompletion
from achievements.services import achievement_set_enabled, achievement_update
from awarding.services.recording import course_assignment_complete, enrollments_complete
from badges.models import BadgeChange, BadgeIssuance
from badges.services.profiles import badge_map_to_achievement
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    CourseAssignmentFactory,
    EnrollmentFactory,
)

Type = Achievement.CriteriaType


@pytest.fixture
def course_achievement(course_class):
    achievement = AchievementFactory(
        organization=course_class.organization,
        criteria_type=Type.COURSE,
        lab=None,
        course=course_class.course,
    )
    badge = BadgeFactory(organization=course_class.organization, achievement=achievement)
    return achievement, badge


def test_marking_enrollments_complete_issues_the_mapped_badge_after_commit(
    instructor, course_class, student, course_achievement, django_capture_on_commit_callbacks
):
    achievement, badge = course_achievement
    other = EnrollmentFactory(course_class=course_class).student

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrollments_complete(actor=instructor, course_class=course_class, student_ids=[student.pk])

    # The re-evaluation, and the delivery drain its issuance queued (deliveries' outbox).
    assert [callback.__qualname__ for callback in callbacks] == [
        "students_reevaluate_on_commit.<locals>.enqueue",
        "_queue_drain",
    ]
    assert BadgeIssuance.objects.get(badge=badge).recipient == student
    assert not AchievementCompletion.objects.filter(student=other).exists()


def test_completing_a_course_assignment_issues_the_mapped_badge_after_commit(
    administrator, course_achievement, django_capture_on_commit_callbacks
):
    achievement, badge = course_achievement
    assignment = CourseAssignmentFactory(
        organization=administrator.organization, course=achievement.course
    )

    with django_capture_on_commit_callbacks(execute=True):
        course_assignment_complete(actor=administrator, course_assignment=assignment)

    assert BadgeIssuance.objects.get(badge=badge).recipient == assignment.student


def test_completion_is_recorded_when_the_broker_is_down(
    instructor,
    course_class,
    student,
    course_achievement,
    portal_app_on,
    caplog,
    django_capture_on_commit_callbacks,
):
    portal_app_on("redis://127.0.0.1:1/0")
    started = time.monotonic()

    with (
        caplog.at_level(logging.WARNING, logger="awarding.services.reevaluation"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        completed = enrollments_complete(
            actor=instructor, course_class=course_class, student_ids=[student.pk]
        )

    assert completed == [student.pk]
    assert time.monotonic() - started < 2
    assert "the next sweep will" in caplog.text
    assert not BadgeIssuance.objects.exists()


def test_mapping_a_badge_of_another_organization_is_refused(other_organization):
    from tests.factories import AdministratorFactory

    achievement = AchievementFactory()
    badge = BadgeFactory(organization=other_organization)
    administrator = AdministratorFactory(organization=other_organization)

    with pytest.raises(ValidationError):
        badge_map_to_achievement(actor=administrator, badge=badge, achievement=achievement)

    badge.refresh_from_db()
    assert badge.achievement is None


def test_mapping_and_unmapping_mark_the_achievement_changed_and_are_recorded(
    organization, administrator
):
    achievement = AchievementFactory(organization=organization, name="Lab Hero")
    badge = BadgeFactory(organization=organization)
    before = achievement.criteria_changed_at

    badge_map_to_achievement(actor=administrator, badge=badge, achievement=achievement)
    achievement.refresh_from_db()
    mapped_at = achievement.criteria_changed_at
    badge_map_to_achievement(actor=administrator, badge=badge, achievement=None)
    achievement.refresh_from_db()

    assert before < mapped_at < achievement.criteria_changed_at
    badge.refresh_from_db()
    assert badge.achievement is None
    changes = list(BadgeChange.objects.filter(badge=badge).order_by("pk"))
    assert [(c.actor_id, c.changes) for c in changes] == [
        (administrator.pk, [{"field": "Automatic Issuance", "old": "None", "new": "Lab Hero"}]),
        (administrator.pk, [{"field": "Automatic Issuance", "old": "Lab Hero", "new": "None"}]),
    ]


def test_renaming_does_not_mark_the_criteria_changed_but_a_new_lab_does(organization):
    from tests.factories import LabFactory

    achievement = AchievementFactory(organization=organization)
    before = achievement.criteria_changed_at

    achievement.name = "Renamed"
    achievement_update(achievement=achievement)
    assert Achievement.objects.get().criteria_changed_at == before

    achievement.lab = LabFactory()
    achievement_update(achievement=achievement)
    assert Achievement.objects.get().criteria_changed_at > before


def test_enabling_or_repointing_an_achievement_marks_the_points_achievements_changed(
    organization,
):
    lab_achievement = AchievementFactory(organization=organization, points=10)
    points = AchievementFactory(
        organization=organization, criteria_type=Type.POINTS, lab=None, points_threshold=10
    )
    before = points.criteria_changed_at

    achievement_set_enabled(achievement=lab_achievement, enabled=False)

    points.refresh_from_db()
    assert points.criteria_changed_at > before
    assert not Achievement.objects.get(pk=lab_achievement.pk).is_enabled


def test_changing_the_criteria_in_the_django_admin_marks_them_changed(client, organization):
    from tests.factories import LabFactory, UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True, organization=None)
    achievement = AchievementFactory(organization=organization)
    before = achievement.criteria_changed_at
    client.force_login(staff)

    response = client.post(
        f"/admin/achievements/achievement/{achievement.pk}/change/",
        {
            "organization": organization.pk,
            "name": achievement.name,
            "description": "",
            "is_enabled": "on",
            "points": achievement.points,
            "criteria_type": "lab",
            "lab": LabFactory().pk,
            "availability": "own",
        },
    )

    assert response.status_code == 302
    assert Achievement.objects.get().criteria_changed_at > before
