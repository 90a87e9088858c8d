"""Build a realistic demo world, idempotently: running it twice changes nothing."""

import random
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import INSTRUCTOR, ORGANIZATION_ADMINISTRATOR, STUDENT
from achievements.models import Achievement
from assignments.models import CourseAssignment
from badges.models import Badge
from badges.services import IssueContext, badge_issue_many
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

DEMO_PASSWORD = "demo-badges-2026"
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
]
LAST_NAMES = [
    "Okafor",
    "Larsen",
    "Dubois",
    "Petrov",
    "Yilmaz",
    "Haddad",
    "Silva",
    "Sato",
    "Novak",
    "Chen",
    "Mensah",
    "Fischer",
    "García",
    "Rahman",
    "Lindqvist",
    "Iyer",
    "Moreau",
    "Rossi",
    "Berg",
    "Aziz",
]
# Anchored so that every run produces the same dates.
EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


class Command(BaseCommand):
    help = (
        "Create demo organizations, people, catalog, classes, completions, badges and achievements."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        groups = {
            name: Group.objects.get(name=name)
            for name in (ORGANIZATION_ADMINISTRATOR, INSTRUCTOR, STUDENT)
        }
        northwind = self._organization("Northwind Health", "northwind")
        contoso = self._organization("Contoso Engineering", "contoso")

        staff = self._user("staff", "Pat", "Staff", None, [], is_staff=True)
        admins = {
            northwind: self._user(
                "admin.northwind", "Alice", "Admin", northwind, [groups[ORGANIZATION_ADMINISTRATOR]]
            ),
            contoso: self._user(
                "admin.contoso", "Carlos", "Admin", contoso, [groups[ORGANIZATION_ADMINISTRATOR]]
            ),
        }
        nw_instructor = self._user(
            "instructor.northwind", "Nora", "Teach", northwind, [groups[INSTRUCTOR]]
        )
        co_instructor = self._user(
            "instructor.contoso", "Cody", "Teach", contoso, [groups[INSTRUCTOR]]
        )
        contractor = self._user("contractor", "Kim", "Contract", None, [groups[INSTRUCTOR]])

        students = []
        for index in range(60):
            organization = northwind if index < 36 else contoso
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
            students.append(
                self._user(f"student{index + 1:02d}", first, last, organization, [groups[STUDENT]])
            )
        nw_students = [s for s in students if s.organization_id == northwind.pk]
        co_students = [s for s in students if s.organization_id == contoso.pk]

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
        nw_cloud = self._class(
            northwind,
            courses["CLD-101"],
            "Cloud Foundations — Spring cohort",
            date(2025, 3, 3),
            [nw_instructor, contractor],
        )
        nw_safety = self._class(
            northwind,
            courses["SAF-101"],
            "Workplace Safety — Contracted",
            date(2025, 5, 12),
            [contractor],
        )
        co_leaders = self._class(
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

        achievements = {
            "vm": self._achievement(
                northwind, "Deployed a VM", "lab", points=10, lab=labs["LAB-VM"]
            ),
            "cloud101": self._achievement(
                northwind,
                "Cloud Foundations graduate",
                "course",
                points=20,
                course=courses["CLD-101"],
            ),
            "safety": self._achievement(
                northwind,
                "Safety curriculum",
                "course_set",
                points=30,
                courses=[courses["SAF-101"], courses["SAF-201"]],
            ),
            "compliance": self._achievement(
                northwind,
                "Compliance minded",
                "tagged_courses",
                points=25,
                tag=tags["compliance"],
                min_courses=2,
            ),
            "path": self._achievement(
                northwind,
                "Cloud Practitioner certified",
                "learning_path",
                points=50,
                learning_path=path,
            ),
            "points": self._achievement(
                northwind, "Northwind 40 points club", "points", points=0, points_threshold=40
            ),
            "leader": self._achievement(
                contoso, "Team leader", "course", points=20, course=courses["LDR-101"]
            ),
            "net": self._achievement(
                contoso, "Network builder", "lab", points=10, lab=labs["LAB-NET"]
            ),
        }

        badge_specs = [
            (
                northwind,
                "Cloud Explorer",
                "Deployed a first virtual machine.",
                achievements["vm"],
                False,
                True,
            ),
            (
                northwind,
                "Cloud Foundations",
                "Completed Cloud Foundations.",
                achievements["cloud101"],
                True,
                True,
            ),
            (
                northwind,
                "Safety Champion",
                "Recognised for outstanding safety practice.",
                None,
                True,
                True,
            ),
            (northwind, "Star Participant", "Went above and beyond in class.", None, True, True),
            (
                northwind,
                "Cloud Practitioner",
                "Completed the learning path and passed the exam.",
                achievements["path"],
                False,
                True,
            ),
            (
                northwind,
                "Points Club",
                "Earned 40 points across Northwind achievements.",
                achievements["points"],
                False,
                True,
            ),
            (northwind, "Pilot Programme 2024", "Took part in the 2024 pilot.", None, True, False),
            (
                contoso,
                "Team Leader",
                "Completed Leading Teams.",
                achievements["leader"],
                True,
                True,
            ),
            (
                contoso,
                "Network Builder",
                "Configured a private network.",
                achievements["net"],
                False,
                True,
            ),
            (contoso, "Mentor of the Month", "Chosen by peers.", None, True, True),
        ]
        badges = {}
        for organization, name, description, achievement, manual, active in badge_specs:
            badges[name], _ = Badge.objects.get_or_create(
                organization=organization,
                name=name,
                defaults={
                    "description": description,
                    "achievement": achievement,
                    "manual_issuance_enabled": manual,
                    "is_active": active,
                },
            )

        # A few issued by hand, through the one issuing service (already earned on a rerun).
        badge_issue_many(
            context=IssueContext.for_class(actor=nw_instructor, course_class=nw_cloud, batch=True),
            pairs=[(badges["Star Participant"].pk, s.pk) for s in nw_students[1:6]],
        )
        badge_issue_many(
            context=IssueContext.for_class(actor=contractor, course_class=nw_safety),
            pairs=[
                (badges["Safety Champion"].pk, nw_students[12].pk),
                (badges["Safety Champion"].pk, co_students[6].pk),
            ],
        )
        badge_issue_many(
            context=IssueContext.for_class(actor=co_instructor, course_class=co_leaders),
            pairs=[(badges["Mentor of the Month"].pk, co_students[2].pk)],
        )

        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:")
        )
        logins = [
            ("admin.northwind", "organization administrator, Northwind Health"),
            ("admin.contoso", "organization administrator, Contoso Engineering"),
            ("instructor.northwind", "organization instructor (Northwind class)"),
            ("instructor.contoso", "organization instructor (Contoso class)"),
            ("contractor", "contract instructor (teaches Northwind classes)"),
            ("student01", "student, Northwind Health"),
            ("student40", "student, Contoso Engineering"),
            (staff.username, "platform staff (Django admin at /admin/)"),
        ]
        for username, role in logins:
            self.stdout.write(f"  {username:<22} {DEMO_PASSWORD}   {role}")

    def _organization(self, name: str, slug: str) -> Organization:
        return Organization.objects.get_or_create(slug=slug, defaults={"name": name})[0]

    def _user(self, username, first, last, organization, groups, is_staff=False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "organization": organization,
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*groups)
        return user

    def _class(self, organization, course, name, starts_on, instructors) -> CourseClass:
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

    def _achievement(
        self, organization, name, criteria_type, *, points, courses=(), **criteria
    ) -> Achievement:
        achievement, _ = Achievement.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={"criteria_type": criteria_type, "points": points, **criteria},
        )
        if courses:
            achievement.course_set.set(courses)
        return achievement
