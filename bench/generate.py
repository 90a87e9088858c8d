"""Generate a large data set on PostgreSQL for the sweep and the benchmarks, fast (COPY).

    DATABASE_URL=postgres://… python bench/generate.py --students 100000 --completions 1000000

Builds, in a migrated database: 5 organizations; the students, members of them; a catalog of
courses with tags, labs, exams and learning paths; classes with rosters of up to 2,000 students;
then the completion records, spread over three years: lab completions (40 %), completed class
enrollments (25 %), completed course assignments (20 %) and exam attempts (15 %); and about 100
achievements of every criteria type, each mapped to a badge. Popular labs and courses get most of
the records, so that many students meet the achievements and a full sweep issues many badges.

Records carry a `recorded_at` shortly after the moment they happened, as history imported long
ago: a sweep right after generating evaluates everything once (no watermarks yet), and the next
finds nothing new. `--reset` empties the portal's tables first (never use it on real data).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings.production")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-deployment-0123456789")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Availability, Organization, User  # noqa: E402
from accounts.roles import ORGANIZATION_ADMINISTRATOR, STUDENT  # noqa: E402
from achievements.models import Achievement  # noqa: E402
from badges.models import Badge  # noqa: E402
from catalog.models import Course, Exam, Lab, LearningPath, LearningPathCourse, Tag  # noqa: E402

ORGANIZATIONS = 5
LABS = 100
COURSES = 200
TAGS = 20
EXAMS = 10
PATHS = 10
MANUAL_BADGES = 25  # per organization: enough for a batch of 20 badges
# Badges issued by hand over the years, per completion record: with what a full sweep issues
# (about 0.64 per record) the issuances pass 1,000,000 for 1,000,000 records.
MANUAL_ISSUANCE_SHARE = 0.4
YEARS = 3
SHARES = {"lab": 0.40, "enrollment": 0.25, "assignment": 0.20, "exam": 0.15}
PORTAL_TABLES = [
    "credentials_signedcredential",  # benchmark 10's signed credentials, keys and status lists
    "credentials_statuslist",
    "credentials_issuerkey",
    "deliveries_delivery",
    "deliveries_credlyconnection",
    "badges_badgeissuance",
    "badges_badge",
    "achievements_achievementcompletion",
    "achievements_achievementwatermark",
    "achievements_sweeprun",
    "achievements_achievement_course_set",
    "achievements_achievement",
    "catalog_labcompletion",
    "catalog_examattempt",
    "classes_enrollment",
    "classes_courseclass_instructors",
    "classes_courseclass",
    "assignments_courseassignment",
    "catalog_learningpathcourse",
    "catalog_learningpath",
    "catalog_exam",
    "catalog_lab",
    "catalog_course_tags",
    "catalog_course",
    "catalog_tag",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument(
        "--completions",
        type=int,
        default=1_000_000,
        help="Completion records: lab completions, completed enrollments and assignments, "
        "exam attempts (open enrollments and assignments come on top).",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reset", action="store_true", help="Empty the portal's tables first (bench data only)."
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/generate.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    started = time.monotonic()
    generate(
        students=options.students,
        completions=options.completions,
        seed=options.seed,
        reset=options.reset,
    )
    print(f"Generated in {time.monotonic() - started:.1f} s.")


def generate(*, students: int, completions: int, seed: int = 2026, reset: bool = False) -> dict:
    """Build the data set; return how many rows of each kind were written."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=365 * YEARS + 1)
    span = int((now - timedelta(days=1) - start).total_seconds())
    counts: dict[str, int] = {}
    with transaction.atomic():
        if reset:
            _reset()
        if Organization.objects.filter(slug__startswith="bench-").exists():
            sys.exit("Bench data exists already: use --reset on a database kept for benchmarks.")
        organizations = [
            Organization.objects.create(name=f"Bench Organization {n}", slug=f"bench-{n}")
            for n in range(1, ORGANIZATIONS + 1)
        ]
        student_ids, student_orgs = _students(students, organizations, now)
        counts["students"] = len(student_ids)
        catalog = _catalog(rng)
        popular_labs = _weights(LABS, head=30)
        popular_courses = _weights(COURSES, head=40)

        def moment() -> datetime:
            return start + timedelta(seconds=rng.randrange(span))

        def recorded(at: datetime) -> datetime:
            return min(at + timedelta(seconds=rng.randrange(86_400)), now - timedelta(hours=2))

        counts["lab_completions"] = _lab_completions(
            rng,
            int(completions * SHARES["lab"]),
            student_ids,
            catalog,
            popular_labs,
            moment,
            recorded,
        )
        counts["exam_attempts"] = _exam_attempts(
            rng, int(completions * SHARES["exam"]), student_ids, catalog, moment, recorded
        )
        counts["enrollments_completed"] = _enrollments(
            rng,
            int(completions * SHARES["enrollment"]),
            student_ids,
            organizations,
            catalog,
            popular_courses,
            start,
            span,
            now,
        )
        # Assignments make up the rest, so that the records add up to `completions` exactly.
        counts["assignments_completed"] = _assignments(
            rng,
            completions
            - counts["lab_completions"]
            - counts["exam_attempts"]
            - counts["enrollments_completed"],
            student_ids,
            student_orgs,
            catalog,
            popular_courses,
            moment,
            now,
        )
        counts["achievements"] = _achievements(rng, organizations, catalog)
        counts["manual_badges"] = _manual_badges(organizations)
        counts["staff"] = _staff(organizations)
        counts["manual_issuances"] = _manual_issuances(
            rng, int(completions * MANUAL_ISSUANCE_SHARE), student_ids, student_orgs, moment
        )
    with connection.cursor() as cursor:
        # Like autovacuum would: statistics, and a visibility map for index-only scans.
        cursor.execute("VACUUM ANALYZE")
    for name, count in counts.items():
        print(f"  {name:<24} {count:>10,}")
    return counts


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(PORTAL_TABLES)} CASCADE")
        cursor.execute(
            "DELETE FROM accounts_user_groups WHERE user_id IN "
            "(SELECT id FROM accounts_user WHERE username LIKE 'bench-%%')"
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'bench-%%'")
        cursor.execute("DELETE FROM accounts_organization WHERE slug LIKE 'bench-%%'")


def _copy(table: str, columns: str, rows) -> int:
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _students(count: int, organizations, now) -> tuple[list[int], dict[int, int]]:
    org_ids = [organization.pk for organization in organizations]
    _copy(
        "accounts_user",
        "password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
        "date_joined, organization_id",
        (
            (
                "!",
                False,
                f"bench-s{n:07d}",
                "Student",
                f"{n:07d}",
                f"bench-s{n:07d}@example.org",
                False,
                True,
                now,
                org_ids[n % len(org_ids)],
            )
            for n in range(count)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, organization_id FROM accounts_user WHERE username LIKE 'bench-s%%' "
            "ORDER BY id"
        )
        rows = cursor.fetchall()
    group_id = Group.objects.get(name=STUDENT).pk
    _copy("accounts_user_groups", "user_id, group_id", ((pk, group_id) for pk, _ in rows))
    return [pk for pk, _ in rows], dict(rows)


def _catalog(rng: random.Random) -> dict:
    tags = Tag.objects.bulk_create([Tag(name=f"bench-tag-{n}") for n in range(TAGS)])
    courses = Course.objects.bulk_create(
        [Course(code=f"BENCH-C{n:04d}", title=f"Bench course {n}") for n in range(COURSES)]
    )
    Course.tags.through.objects.bulk_create(
        [
            Course.tags.through(course_id=course.pk, tag_id=tag.pk)
            for n, course in enumerate(courses)
            for tag in {tags[n % TAGS], tags[rng.randrange(TAGS)]}
        ]
    )
    labs = Lab.objects.bulk_create(
        [Lab(code=f"BENCH-L{n:04d}", title=f"Bench lab {n}") for n in range(LABS)]
    )
    exams = Exam.objects.bulk_create(
        [Exam(title=f"Bench exam {n}", pass_mark=70) for n in range(EXAMS)]
    )
    paths = LearningPath.objects.bulk_create(
        [LearningPath(title=f"Bench path {n}", exam=exams[n]) for n in range(PATHS)]
    )
    LearningPathCourse.objects.bulk_create(
        [
            LearningPathCourse(learning_path=path, course=course, position=position)
            for n, path in enumerate(paths)
            for position, course in enumerate(courses[n * 3 : n * 3 + 3], start=1)
        ]
    )
    return {"tags": tags, "courses": courses, "labs": labs, "exams": exams, "paths": paths}


def _weights(count: int, *, head: int) -> list[float]:
    """Cumulative weights: the first `head` items get most of the records."""
    weights = [8.0 if n < head else 1.0 for n in range(count)]
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _lab_completions(rng, count, student_ids, catalog, weights, moment, recorded) -> int:
    labs = [lab.pk for lab in catalog["labs"]]
    chosen = rng.choices(labs, cum_weights=weights, k=count)
    seen: set[tuple[int, int, datetime]] = set()

    def rows():
        for lab_id in chosen:
            row = (rng.choice(student_ids), lab_id, moment())
            if row in seen:
                continue
            seen.add(row)
            yield (*row, recorded(row[2]))

    return _copy("catalog_labcompletion", "student_id, lab_id, completed_at, recorded_at", rows())


def _enrollments(
    rng, completed, student_ids, organizations, catalog, weights, start, span, now
) -> int:
    """Classes with rosters of 50 to 2,000 (a few at 2,000); four in five enrollments completed."""
    courses = catalog["courses"]
    chosen_courses = rng.choices(courses, cum_weights=weights, k=max(1, completed // 250))
    classes = []
    for n, course in enumerate(chosen_courses):
        starts = (start + timedelta(seconds=rng.randrange(span))).date()
        classes.append(
            (
                organizations[n % len(organizations)].pk,
                course.pk,
                f"Bench class {n}",
                starts,
                starts + timedelta(days=60),
                2000 if n % 50 == 0 else rng.randint(50, 500),
            )
        )
    _copy(
        "classes_courseclass",
        "organization_id, course_id, name, starts_on, ends_on",
        (row[:5] for row in classes),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM classes_courseclass WHERE name LIKE 'Bench class %%' ORDER BY id"
        )
        class_ids = [pk for (pk,) in cursor.fetchall()]
    target = int(completed / 0.8)
    sizes = [row[5] for row in classes]
    scale = target / max(1, sum(sizes))
    written_completed = 0

    def rows():
        nonlocal written_completed
        for class_id, row, size in zip(class_ids, classes, sizes, strict=True):
            enrolled_at = timezone.make_aware(datetime.combine(row[3], datetime.min.time()))
            roster = rng.sample(student_ids, min(len(student_ids), max(1, int(size * scale))))
            for student_id in roster:
                completed_at = recorded_at = None
                if rng.random() < 0.8:
                    completed_at = enrolled_at + timedelta(
                        seconds=rng.randrange(30 * 86_400, 90 * 86_400)
                    )
                    completed_at = min(completed_at, now - timedelta(days=1))
                    recorded_at = completed_at
                    written_completed += 1
                yield (class_id, student_id, enrolled_at, completed_at, recorded_at)

    _copy(
        "classes_enrollment",
        "course_class_id, student_id, enrolled_at, completed_at, completion_recorded_at",
        rows(),
    )
    return written_completed


def _assignments(rng, completed, student_ids, student_orgs, catalog, weights, moment, now) -> int:
    """`completed` completed course assignments, and about 15 % more still open."""
    courses = [course.pk for course in catalog["courses"]]
    finished = [True] * max(0, completed) + [False] * int(max(0, completed) * 0.15 / 0.85)
    rng.shuffle(finished)
    chosen = rng.choices(courses, cum_weights=weights, k=len(finished))

    def rows():
        for course_id, done in zip(chosen, finished, strict=True):
            student_id = rng.choice(student_ids)
            assigned_at = moment()
            completed_at = None
            if done:
                completed_at = min(
                    assigned_at + timedelta(seconds=rng.randrange(86_400 * 60)),
                    now - timedelta(days=1),
                )
            yield (
                student_orgs[student_id],
                course_id,
                student_id,
                assigned_at,
                completed_at,
                completed_at,
            )

    _copy(
        "assignments_courseassignment",
        "organization_id, course_id, student_id, assigned_at, completed_at, completion_recorded_at",
        rows(),
    )
    return sum(finished)


def _exam_attempts(rng, count, student_ids, catalog, moment, recorded) -> int:
    exams = [exam.pk for exam in catalog["exams"]]
    seen: set[tuple[int, int, datetime]] = set()

    def rows():
        for _ in range(count):
            row = (rng.choice(student_ids), rng.choice(exams), moment())
            if row in seen:
                continue
            seen.add(row)
            score = rng.randint(40, 100)
            yield (*row, score, score >= 70, recorded(row[2]))

    return _copy(
        "catalog_examattempt",
        "student_id, exam_id, attempted_at, score, passed, recorded_at",
        rows(),
    )


def _achievements(rng, organizations, catalog) -> int:
    """About 100 achievements of every criteria type, spread over the organizations, each mapped
    to a badge of its organization."""
    Type = Achievement.CriteriaType
    courses, labs, tags, paths = (
        catalog["courses"],
        catalog["labs"],
        catalog["tags"],
        catalog["paths"],
    )
    specs: list[tuple[str, dict, list]] = []
    specs += [(Type.LAB, {"lab": labs[n]}, []) for n in range(30)]
    specs += [(Type.COURSE, {"course": courses[n]}, []) for n in range(25)]
    specs += [(Type.COURSE_SET, {}, rng.sample(courses[:40], rng.randint(2, 3))) for _ in range(15)]
    specs += [
        (Type.TAGGED_COURSES, {"tag": tags[n], "min_courses": rng.randint(2, 3)}, [])
        for n in range(15)
    ]
    specs += [(Type.LEARNING_PATH, {"learning_path": path}, []) for path in paths]
    created = []
    for n, (kind, criteria, course_set) in enumerate(specs):
        achievement = Achievement.objects.create(
            organization=organizations[n % len(organizations)],
            name=f"Bench achievement {n}",
            criteria_type=kind,
            points=rng.choice([5, 10, 20, 50]),
            **criteria,
        )
        if course_set:
            achievement.course_set.set(course_set)
        created.append(achievement)
    for n, organization in enumerate(organizations):
        created.append(
            Achievement.objects.create(
                organization=organization,
                name=f"Bench points {n}",
                criteria_type=Type.POINTS,
                points=0,
                points_threshold=30 + 10 * n,
            )
        )
    # Every student may earn every achievement (the table: 100 achievements met by the
    # students of all 5 organizations), not only those of their own organization's 20: each
    # achievement is made available to the other organizations.
    Achievement.objects.filter(pk__in=[a.pk for a in created]).update(
        availability=Availability.CHOSEN
    )
    Achievement.available_to.through.objects.bulk_create(
        [
            Achievement.available_to.through(achievement_id=a.pk, organization_id=o.pk)
            for a in created
            for o in organizations
            if o.pk != a.organization_id
        ]
    )
    Badge.objects.bulk_create(
        [
            Badge(
                organization_id=achievement.organization_id,
                name=f"Bench badge {n}",
                achievement=achievement,
                manual_issuance_enabled=n % 3 == 0,
            )
            for n, achievement in enumerate(created)
        ]
    )
    # Mapped long ago, like the records: the first sweep finds the achievements new anyway.
    Badge.objects.filter(achievement__in=created).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )
    return len(created)


def _manual_badges(organizations) -> int:
    """Badges for manual issuance only, in every organization: the batch and the Choose Badge
    dialog pick from them."""
    return len(
        Badge.objects.bulk_create(
            [
                Badge(
                    organization=organization,
                    name=f"Bench manual badge {n:02d}",
                    manual_issuance_enabled=True,
                )
                for organization in organizations
                for n in range(MANUAL_BADGES)
            ]
        )
    )


def _staff(organizations) -> int:
    """An administrator per organization (bench-admin-N) and a platform superuser (bench-staff)
    for the benchmarks of pages. They cannot log in with a password."""
    administrators = Group.objects.get(name=ORGANIZATION_ADMINISTRATOR)
    for n, organization in enumerate(organizations, start=1):
        user = User.objects.create(
            username=f"bench-admin-{n}",
            first_name="Admin",
            last_name=str(n),
            email=f"bench-admin-{n}@example.org",
            organization=organization,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(administrators)
    staff = User.objects.create(
        username="bench-staff",
        first_name="Platform",
        last_name="Staff",
        email="bench-staff@example.org",
        is_staff=True,
        is_superuser=True,
    )
    staff.set_unusable_password()
    staff.save(update_fields=["password"])
    return len(organizations) + 1


def _manual_issuances(rng, count, student_ids, student_orgs, moment) -> int:
    """`count` manual issuances of the manual badges, by the organization's administrator, to its
    own students, over the three years; at most one per (badge, student)."""
    badges: dict[int, list[int]] = {}
    for pk, organization_id in Badge.objects.filter(
        name__startswith="Bench manual badge"
    ).values_list("pk", "organization_id"):
        badges.setdefault(organization_id, []).append(pk)
    issuers = dict(
        User.objects.filter(username__startswith="bench-admin-").values_list(
            "organization_id", "pk"
        )
    )
    count = min(count, len(student_ids) * MANUAL_BADGES)
    seen: set[tuple[int, int]] = set()

    def rows():
        while len(seen) < count:
            student_id = rng.choice(student_ids)
            organization_id = student_orgs[student_id]
            pair = (rng.choice(badges[organization_id]), student_id)
            if pair in seen:
                continue
            seen.add(pair)
            yield (*pair, moment(), "manual", "admin", issuers[organization_id])

    return _copy(
        "badges_badgeissuance",
        "badge_id, recipient_id, issued_at, method, source, issued_by_id",
        rows(),
    )


if __name__ == "__main__":
    main()
