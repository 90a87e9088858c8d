"""Factories that keep a student, a class and a badge in the same organization unless a test says
otherwise."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import INSTRUCTOR, ORGANIZATION_ADMINISTRATOR, STUDENT
from achievements.models import Achievement, AchievementCompletion
from assignments.models import CourseAssignment
from badges.models import Badge, BadgeIssuance
from catalog.models import Course, Exam, ExamAttempt, Lab, LabCompletion, LearningPath, Tag
from classes.models import CourseClass, Enrollment

TEST_PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


def _role(name: str | None):
    def add_role(user, create, extracted, **kwargs):
        role = extracted or name
        if create and role:
            user.groups.add(Group.objects.get(name=role))

    return factory.PostGeneration(add_role)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.django.Password(TEST_PASSWORD)
    role = _role(None)


class StudentFactory(UserFactory):
    role = _role(STUDENT)


class InstructorFactory(UserFactory):
    role = _role(INSTRUCTOR)


class AdministratorFactory(UserFactory):
    role = _role(ORGANIZATION_ADMINISTRATOR)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"C-{n:04d}")
    title = factory.Sequence(lambda n: f"Course {n}")


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab

    code = factory.Sequence(lambda n: f"L-{n:04d}")
    title = factory.Sequence(lambda n: f"Lab {n}")


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam

    title = factory.Sequence(lambda n: f"Exam {n}")
    pass_mark = 70


class LearningPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningPath

    title = factory.Sequence(lambda n: f"Path {n}")
    exam = factory.SubFactory(ExamFactory)


class CourseClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseClass
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    starts_on = factory.LazyFunction(lambda: date(2026, 1, 5))
    ends_on = factory.LazyAttribute(lambda c: c.starts_on + timedelta(days=30))

    @factory.post_generation
    def instructors(self, create, extracted, **kwargs):
        if create and extracted:
            self.instructors.add(*extracted)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    course_class = factory.SubFactory(CourseClassFactory)
    student = factory.SubFactory(
        StudentFactory, organization=factory.SelfAttribute("..course_class.organization")
    )
    enrolled_at = factory.LazyFunction(timezone.now)


class CourseAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseAssignment

    organization = factory.SubFactory(OrganizationFactory)
    course = factory.SubFactory(CourseFactory)
    student = factory.SubFactory(
        StudentFactory, organization=factory.SelfAttribute("..organization")
    )
    assigned_at = factory.LazyFunction(timezone.now)


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Achievement {n}")
    criteria_type = Achievement.CriteriaType.LAB
    lab = factory.SubFactory(LabFactory)
    points = 10


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Badge {n}")
    description = "Awarded for good work."
    manual_issuance_enabled = True
    is_active = True


class BadgeIssuanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BadgeIssuance

    badge = factory.SubFactory(BadgeFactory)
    recipient = factory.SubFactory(
        StudentFactory, organization=factory.SelfAttribute("..badge.organization")
    )
    method = BadgeIssuance.Method.MANUAL
    source = BadgeIssuance.Source.ROSTER


class LabCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabCompletion

    student = factory.SubFactory(StudentFactory)
    lab = factory.SubFactory(LabFactory)
    completed_at = factory.LazyFunction(timezone.now)


class ExamAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamAttempt

    student = factory.SubFactory(StudentFactory)
    exam = factory.SubFactory(ExamFactory)
    score = 80
    passed = True
    attempted_at = factory.LazyFunction(timezone.now)


class AchievementCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AchievementCompletion

    achievement = factory.SubFactory(AchievementFactory)
    student = factory.SubFactory(StudentFactory)
    first_met_at = factory.LazyFunction(timezone.now)
