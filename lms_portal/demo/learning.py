"""The demo's catalog and learning records: courses with tags, labs, a learning path with its
exam, classes whose rosters mix organizations, course assignments, lab completions and exam
attempts, dated in the past so that the first sweep has history to award."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from assignments.models import CourseAssignment
from catalog.models import (
    Course,
    Exam,
    ExamAttempt,
    Lab,
    LabCompletion,
    LearningPath,
    LearningPathCourse,
    Tag,
)
from classes.models import CourseClass, Enrollment

from .people import DemoPeople

EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@dataclass(frozen=True)
class DemoLearning:
    tags: dict[str, Tag]
    courses: dict[str, Course]
    labs: dict[str, Lab]
    path: LearningPath
    nw_cloud: CourseClass
    nw_safety: CourseClass
    co_leaders: CourseClass


def demo_learning(people: DemoPeople, rng: random.Random) -> DemoLearning:
    northwind, contoso, admins = people.northwind, people.contoso, people.admins
    nw_instructor, co_instructor = people.nw_instructor, people.co_instructor
    contractor, students = people.contractor, people.students
    nw_students, co_students = people.nw_students, people.co_students
    tags = {
        name: Tag.objects.get_or_create(name=name)[0]
        for name in ("cloud", "safety", "leadership", "compliance")
    }
    course_specs = [
        ("CLD-101", "Cloud Foundations", ["cloud"]),
        ("CLD-201", "Cloud Architecture", ["cloud"]),
        ("CLD-301", "Cloud Security", ["cloud", "compliance"]),
        ("SAF-101", "Workplace Safety", ["safety", "compliance"]),
        ("SAF-201", "Incident Response", ["safety"]),
        ("LDR-101", "Leading Teams", ["leadership"]),
        ("LDR-201", "Coaching Skills", ["leadership"]),
        ("CMP-101", "Data Protection Essentials", ["compliance"]),
    ]
    courses = {}
    for code, title, course_tags in course_specs:
        course, _ = Course.objects.get_or_create(code=code, defaults={"title": title})
        course.tags.set([tags[t] for t in course_tags])
        courses[code] = course
    labs = {
        code: Lab.objects.get_or_create(code=code, defaults={"title": title})[0]
        for code, title in [
            ("LAB-VM", "Deploy a virtual machine"),
            ("LAB-NET", "Configure a private network"),
            ("LAB-IAM", "Set up identity and access"),
            ("LAB-FIRE", "Fire drill simulation"),
        ]
    }
    exam, _ = Exam.objects.get_or_create(
        title="Cloud Practitioner Exam", defaults={"pass_mark": 70}
    )
    path, _ = LearningPath.objects.get_or_create(
        title="Cloud Practitioner",
        defaults={"exam": exam, "description": "From foundations to security."},
    )
    for position, code in enumerate(["CLD-101", "CLD-201", "CLD-301"], start=1):
        LearningPathCourse.objects.get_or_create(
            learning_path=path, course=courses[code], defaults={"position": position}
        )

    # Classes whose rosters mix organizations.
    nw_cloud = _class(
        northwind,
        courses["CLD-101"],
        "Cloud Foundations — Spring cohort",
        date(2025, 3, 3),
        [nw_instructor, contractor],
    )
    nw_safety = _class(
        northwind,
        courses["SAF-101"],
        "Workplace Safety — Contracted",
        date(2025, 5, 12),
        [contractor],
    )
    co_leaders = _class(
        contoso, courses["LDR-101"], "Leading Teams — Autumn", date(2025, 9, 1), [co_instructor]
    )
    rosters = {
        nw_cloud: nw_students[:24] + co_students[:6],
        nw_safety: nw_students[10:30] + co_students[5:10],
        co_leaders: co_students + nw_students[:4],
    }
    for course_class, roster in rosters.items():
        for position, student in enumerate(roster):
            enrolled_at = timezone.make_aware(
                datetime.combine(course_class.starts_on, datetime.min.time())
            )
            completed = position % 3 != 0
            completed_at = enrolled_at + timedelta(days=30 + position) if completed else None
            Enrollment.objects.get_or_create(
                course_class=course_class,
                student=student,
                defaults={
                    "enrolled_at": enrolled_at,
                    "completed_at": completed_at,
                    "completion_recorded_at": completed_at,
                },
            )

    for index, student in enumerate(students[::3]):
        organization = northwind if student.organization_id == northwind.pk else contoso
        course = list(courses.values())[index % len(courses)]
        assigned_at = EPOCH + timedelta(days=20 * index)
        completed_at = assigned_at + timedelta(days=14) if index % 2 == 0 else None
        CourseAssignment.objects.get_or_create(
            organization=organization,
            course=course,
            student=student,
            defaults={
                "assigned_by": admins[organization],
                "assigned_at": assigned_at,
                "due_on": (assigned_at + timedelta(days=30)).date(),
                "completed_at": completed_at,
                "completion_recorded_at": completed_at,
            },
        )

    # A cohort of Northwind students on the Cloud Practitioner learning path: the rest of its
    # courses through course assignments, so the path, tag and points achievements are met.
    cohort = nw_students[1:7]
    for index, student in enumerate(cohort):
        for step, code in enumerate(["CLD-201", "CLD-301"], start=1):
            assigned_at = EPOCH + timedelta(days=120 + 30 * step + index)
            completed_at = assigned_at + timedelta(days=21) if index < 5 else None
            CourseAssignment.objects.get_or_create(
                organization=northwind,
                course=courses[code],
                student=student,
                defaults={
                    "assigned_by": admins[northwind],
                    "assigned_at": assigned_at,
                    "due_on": (assigned_at + timedelta(days=30)).date(),
                    "completed_at": completed_at,
                    "completion_recorded_at": completed_at,
                },
            )

    lab_rows, exam_rows = [], []
    exam_rows.extend(
        ExamAttempt(
            student=student,
            exam=exam,
            score=82,
            passed=True,
            attempted_at=EPOCH + timedelta(days=260 + index),
        )
        for index, student in enumerate(cohort[:4])
    )
    for index, student in enumerate(students):
        lab_rows.extend(
            LabCompletion(
                student=student,
                lab=lab,
                completed_at=EPOCH + timedelta(days=index * 5 + lab.pk),
            )
            for lab in labs.values()
            if rng.random() < 0.45
        )
        if index % 4 == 0:
            score = rng.randint(55, 98)
            exam_rows.append(
                ExamAttempt(
                    student=student,
                    exam=exam,
                    score=score,
                    passed=score >= exam.pass_mark,
                    attempted_at=EPOCH + timedelta(days=200 + index),
                )
            )
    LabCompletion.objects.bulk_create(lab_rows, ignore_conflicts=True)
    ExamAttempt.objects.bulk_create(exam_rows, ignore_conflicts=True)

    return DemoLearning(
        tags=tags,
        courses=courses,
        labs=labs,
        path=path,
        nw_cloud=nw_cloud,
        nw_safety=nw_safety,
        co_leaders=co_leaders,
    )


def _class(organization, course, name, starts_on, instructors) -> CourseClass:
    course_class, _ = CourseClass.objects.get_or_create(
        organization=organization,
        name=name,
        defaults={
            "course": course,
            "starts_on": starts_on,
            "ends_on": starts_on + timedelta(days=60),
        },
    )
    course_class.instructors.add(*instructors)
    return course_class
