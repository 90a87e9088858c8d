"""Progress toward achievements not met yet, per criteria type, for the Achievements/Badges page:
"30 of 40 points", "3 of 5 courses"; one query for them all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from achievements.models import Achievement
from achievements.progress import achievements_in_progress_for_student
from catalog.models import LearningPathCourse
from tests.factories import (
    AchievementCompletionFactory,
    AchievementFactory,
    CourseFactory,
    ExamAttemptFactory,
    LabCompletionFactory,
    LabFactory,
    LearningPathFactory,
    StudentFactory,
    TagFactory,
)

from .scenarios import complete_course, day

Type = Achievement.CriteriaType

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(organization):
    return StudentFactory(organization=organization)


def _progress(student):
    return {
        item.achievement.name: item.text
        for item in achievements_in_progress_for_student(student=student)
    }


def _course_set(organization, name, courses):
    achievement = AchievementFactory(
        organization=organization, name=name, criteria_type=Type.COURSE_SET, lab=None
    )
    achievement.course_set.set(courses)
    return achievement


def test_course_set_counts_the_distinct_courses_completed(organization, learner):
    courses = CourseFactory.create_batch(5)
    _course_set(organization, "Five courses", courses)
    complete_course(student=learner, course=courses[0], at=day(1), organization=organization)
    complete_course(
        student=learner, course=courses[0], at=day(2), organization=organization, through="class"
    )
    complete_course(student=learner, course=courses[1], at=day(3), organization=organization)
    complete_course(
        student=learner, course=courses[2], at=day(4), organization=organization, through="class"
    )

    assert _progress(learner) == {"Five courses": "3 of 5 courses"}


def test_points_count_the_points_of_the_organizations_achievements_met(
    organization, other_organization, learner
):
    AchievementFactory(
        organization=organization,
        name="Forty points",
        criteria_type=Type.POINTS,
        lab=None,
        points=0,
        points_threshold=40,
    )
    for points, org in [(20, organization), (10, organization), (50, other_organization)]:
        AchievementCompletionFactory(
            student=learner, achievement=AchievementFactory(organization=org, points=points)
        )

    assert _progress(learner) == {"Forty points": "30 of 40 points"}


def test_tagged_courses_lab_and_learning_path(organization, learner):
    tag = TagFactory(name="Cloud")
    tagged = CourseFactory.create_batch(3)
    for course in tagged:
        course.tags.add(tag)
    AchievementFactory(
        organization=organization,
        name="Cloud trio",
        criteria_type=Type.TAGGED_COURSES,
        lab=None,
        tag=tag,
        min_courses=3,
    )
    complete_course(student=learner, course=tagged[0], at=day(1), organization=organization)
    complete_course(student=learner, course=tagged[1], at=day(1), organization=organization)
    AchievementFactory(organization=organization, name="A lab", lab=LabFactory())
    path = LearningPathFactory()
    path_courses = CourseFactory.create_batch(3)
    for position, course in enumerate(path_courses):
        LearningPathCourse.objects.create(learning_path=path, course=course, position=position)
    AchievementFactory(
        organization=organization,
        name="Path",
        criteria_type=Type.LEARNING_PATH,
        lab=None,
        learning_path=path,
    )
    complete_course(student=learner, course=path_courses[0], at=day(2), organization=organization)
    ExamAttemptFactory(student=learner, exam=path.exam, passed=True)
    ExamAttemptFactory(student=learner, exam=path.exam, passed=True)

    assert _progress(learner) == {
        "Cloud trio": "2 of 3 courses tagged Cloud",
        "A lab": "0 of 1 lab",
        "Path": "2 of 4 steps (the path's 3 courses and its exam)",
    }


def test_met_disabled_and_other_organizations_achievements_are_left_out(
    organization, other_organization, learner
):
    lab = LabFactory()
    met = AchievementFactory(organization=organization, name="Met", lab=lab)
    AchievementCompletionFactory(student=learner, achievement=met)
    LabCompletionFactory(student=learner, lab=lab, completed_at=day(1))
    AchievementFactory(organization=organization, name="Off", is_enabled=False)
    AchievementFactory(organization=other_organization, name="Theirs")
    AchievementFactory(organization=organization, name="Open")

    assert _progress(learner) == {"Open": "0 of 1 lab"}


def test_another_students_records_do_not_count(organization, learner):
    courses = CourseFactory.create_batch(2)
    _course_set(organization, "Pair", courses)
    complete_course(
        student=StudentFactory(organization=organization),
        course=courses[0],
        at=day(1),
        organization=organization,
    )

    assert _progress(learner) == {"Pair": "0 of 2 courses"}


def test_progress_takes_four_queries_whatever_the_number_of_achievements(organization, learner):
    def count():
        with CaptureQueriesContext(connection) as queries:
            achievements_in_progress_for_student(student=learner)
        return len(queries)

    def add_path(name):
        path = LearningPathFactory()
        LearningPathCourse.objects.create(learning_path=path, course=CourseFactory(), position=1)
        AchievementFactory(
            organization=organization,
            name=name,
            criteria_type=Type.LEARNING_PATH,
            lab=None,
            learning_path=path,
        )

    _course_set(organization, "One", CourseFactory.create_batch(2))
    add_path("First path")
    few = count()
    for number in range(15):
        _course_set(organization, f"Set {number}", CourseFactory.create_batch(3))
        AchievementFactory(organization=organization, name=f"Lab {number}")
        add_path(f"Path {number}")

    assert count() == few
    assert few <= 4
    assert len(achievements_in_progress_for_student(student=learner)) == 47


def test_the_student_page_shows_the_progress(client, organization, learner):
    courses = CourseFactory.create_batch(5)
    _course_set(organization, "Five courses", courses)
    complete_course(student=learner, course=courses[0], at=day(1), organization=organization)
    client.force_login(learner)

    response = client.get(reverse("badges:student", args=[learner.pk]))

    text = response.content.decode()
    assert "1 of 5 courses" in text
    assert '<progress class="achievement-progress mt-1" max="5" value="1"' in text
