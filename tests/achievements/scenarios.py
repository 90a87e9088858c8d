"""One scenario per criteria type: an achievement with a mapped badge, a student who meets it (with
completion records dated before the achievement existed) and a student who misses one part.

Each scenario returns the achievement, the badge, the student who meets it with the moment they
first met it, and the student who misses it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from achievements.models import Achievement
from badges.models import Badge
from catalog.models import LearningPathCourse
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    CourseAssignmentFactory,
    CourseClassFactory,
    CourseFactory,
    EnrollmentFactory,
    ExamAttemptFactory,
    LabCompletionFactory,
    LabFactory,
    LearningPathFactory,
    StudentFactory,
    TagFactory,
)

Type = Achievement.CriteriaType
# Long before any achievement of the test exists: completions are retroactive.
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@dataclass
class Scenario:
    achievement: Achievement
    badge: Badge
    meets: object
    first_met_at: datetime
    misses: object


def _mapped(achievement: Achievement) -> Badge:
    return BadgeFactory(
        organization=achievement.organization,
        achievement=achievement,
        manual_issuance_enabled=False,
        name=f"Badge for {achievement.name}",
    )


def complete_course(*, student, course, at: datetime, organization, through: str = "assignment"):
    if through == "assignment":
        return CourseAssignmentFactory(
            organization=organization,
            course=course,
            student=student,
            completed_at=at,
            completion_recorded_at=at,
        )
    return EnrollmentFactory(
        course_class=CourseClassFactory(organization=organization, course=course),
        student=student,
        completed_at=at,
        completion_recorded_at=at,
    )


def lab_scenario(organization) -> Scenario:
    lab, other_lab = LabFactory(), LabFactory()
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    LabCompletionFactory(student=meets, lab=lab, completed_at=day(3))
    LabCompletionFactory(student=meets, lab=lab, completed_at=day(1))
    LabCompletionFactory(student=misses, lab=other_lab, completed_at=day(1))
    achievement = AchievementFactory(
        organization=organization, name="Lab", criteria_type=Type.LAB, lab=lab
    )
    return Scenario(achievement, _mapped(achievement), meets, day(1), misses)


def course_by_assignment_scenario(organization) -> Scenario:
    course = CourseFactory()
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    complete_course(student=meets, course=course, at=day(2), organization=organization)
    CourseAssignmentFactory(organization=organization, course=course, student=misses)
    achievement = AchievementFactory(
        organization=organization,
        name="Course",
        criteria_type=Type.COURSE,
        lab=None,
        course=course,
    )
    return Scenario(achievement, _mapped(achievement), meets, day(2), misses)


def course_by_enrollment_scenario(organization) -> Scenario:
    course = CourseFactory()
    course_class = CourseClassFactory(organization=organization, course=course)
    meets = EnrollmentFactory(
        course_class=course_class, completed_at=day(4), completion_recorded_at=day(4)
    ).student
    misses = EnrollmentFactory(course_class=course_class).student
    achievement = AchievementFactory(
        organization=organization,
        name="Class course",
        criteria_type=Type.COURSE,
        lab=None,
        course=course,
    )
    return Scenario(achievement, _mapped(achievement), meets, day(4), misses)


def course_set_scenario(organization) -> Scenario:
    first, second = CourseFactory(), CourseFactory()
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    complete_course(student=meets, course=first, at=day(2), organization=organization)
    complete_course(
        student=meets, course=second, at=day(9), organization=organization, through="class"
    )
    complete_course(student=misses, course=first, at=day(2), organization=organization)
    complete_course(
        student=misses, course=first, at=day(5), organization=organization, through="class"
    )
    achievement = AchievementFactory(
        organization=organization, name="Set", criteria_type=Type.COURSE_SET, lab=None
    )
    achievement.course_set.set([first, second])
    return Scenario(achievement, _mapped(achievement), meets, day(9), misses)


def tagged_courses_scenario(organization) -> Scenario:
    tag = TagFactory()
    tagged_a, tagged_b, untagged = CourseFactory(), CourseFactory(), CourseFactory()
    tagged_a.tags.add(tag)
    tagged_b.tags.add(tag)
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    complete_course(student=meets, course=untagged, at=day(1), organization=organization)
    complete_course(student=meets, course=tagged_a, at=day(3), organization=organization)
    complete_course(
        student=meets, course=tagged_b, at=day(6), organization=organization, through="class"
    )
    complete_course(
        student=meets, course=tagged_a, at=day(8), organization=organization, through="class"
    )
    # The same tagged course twice is one distinct course.
    complete_course(student=misses, course=tagged_a, at=day(3), organization=organization)
    complete_course(
        student=misses, course=tagged_a, at=day(4), organization=organization, through="class"
    )
    complete_course(student=misses, course=untagged, at=day(5), organization=organization)
    achievement = AchievementFactory(
        organization=organization,
        name="Tagged",
        criteria_type=Type.TAGGED_COURSES,
        lab=None,
        tag=tag,
        min_courses=2,
    )
    return Scenario(achievement, _mapped(achievement), meets, day(6), misses)


def learning_path_scenario(organization) -> Scenario:
    path = LearningPathFactory()
    first, second = CourseFactory(), CourseFactory()
    LearningPathCourse.objects.create(learning_path=path, course=first, position=1)
    LearningPathCourse.objects.create(learning_path=path, course=second, position=2)
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    for student in (meets, misses):
        complete_course(student=student, course=first, at=day(1), organization=organization)
        complete_course(
            student=student, course=second, at=day(2), organization=organization, through="class"
        )
        ExamAttemptFactory(
            student=student, exam=path.exam, score=50, passed=False, attempted_at=day(3)
        )
    ExamAttemptFactory(student=meets, exam=path.exam, score=90, passed=True, attempted_at=day(7))
    ExamAttemptFactory(student=meets, exam=path.exam, score=95, passed=True, attempted_at=day(8))
    achievement = AchievementFactory(
        organization=organization,
        name="Path",
        criteria_type=Type.LEARNING_PATH,
        lab=None,
        learning_path=path,
    )
    return Scenario(achievement, _mapped(achievement), meets, day(7), misses)


def points_scenario(organization) -> Scenario:
    """30 points needed: two lab achievements of 20 and 10 points, completed in the same sweep;
    a 50-point achievement of another organization does not count."""
    from tests.factories import OrganizationFactory

    twenty, ten, elsewhere = LabFactory(), LabFactory(), LabFactory()
    meets, misses = (
        StudentFactory(organization=organization),
        StudentFactory(organization=organization),
    )
    LabCompletionFactory(student=meets, lab=twenty, completed_at=day(2))
    LabCompletionFactory(student=meets, lab=ten, completed_at=day(5))
    LabCompletionFactory(student=misses, lab=twenty, completed_at=day(2))
    LabCompletionFactory(student=misses, lab=elsewhere, completed_at=day(3))
    AchievementFactory(organization=organization, name="Twenty", lab=twenty, points=20)
    AchievementFactory(organization=organization, name="Ten", lab=ten, points=10)
    AchievementFactory(
        organization=OrganizationFactory(slug="elsewhere"), name="Fifty", lab=elsewhere, points=50
    )
    achievement = AchievementFactory(
        organization=organization,
        name="Thirty points",
        criteria_type=Type.POINTS,
        lab=None,
        points=0,
        points_threshold=30,
    )
    return Scenario(achievement, _mapped(achievement), meets, day(5), misses)


SCENARIOS = {
    "lab": lab_scenario,
    "course_by_assignment": course_by_assignment_scenario,
    "course_by_enrollment": course_by_enrollment_scenario,
    "course_set": course_set_scenario,
    "tagged_courses": tagged_courses_scenario,
    "learning_path": learning_path_scenario,
    "points": points_scenario,
}
