"""The benchmarks, one function each. Every function returns a dict of figures; bench/run.py runs
them in order on one data set (made by bench/generate.py) and writes the report.

They run in the process that calls them (Django set up, PostgreSQL), except where a figure is
about a process of its own: the full sweep runs as `manage.py sweep_achievements` so that its peak
RSS is its own, and the load test runs gunicorn and wrk.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from achievements.criteria import ASSIGNMENTS, CLASSES, COURSE_TAGS, ENROLLMENTS
from achievements.models import Achievement, AchievementCompletion, SweepRun
from assignments.models import CourseAssignment
from awarding.sweep.runs import sweep_run
from awarding.sweep.students import achievements_evaluate_students
from badges.models import Badge, BadgeIssuance
from catalog.models import ExamAttempt, LabCompletion
from classes.models import CourseClass, Enrollment

ROOT = Path(__file__).resolve().parent.parent
Type = Achievement.CriteriaType


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _child_env() -> dict[str, str]:
    """The environment of a child process: this process's database (under pytest the test
    database) and settings."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "lms_portal.settings.production"
        ),
        "SECRET_KEY": settings.SECRET_KEY,
    }


class QueryCounter:
    """Counts the queries run on the default connection (no 9,000-query log limit, and not reset
    by the test client's requests as the debug query log is)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


# 1-3. The sweep ---------------------------------------------------------------------------------


def full_sweep() -> dict:
    """The first sweep over the whole set, in a process of its own (bench/sweep_child.py), which
    reports the duration the sweep records and its own peak RSS."""
    finished = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "bench" / "sweep_child.py")],
        cwd=ROOT,
        env=_child_env(),
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"The full sweep failed:\n{finished.stdout}{finished.stderr}")
    run = json.loads(finished.stdout.strip().splitlines()[-1])
    if run["status"] != SweepRun.Status.SUCCEEDED:
        raise RuntimeError(f"The full sweep failed:\n{run['error']}")
    return {
        "seconds": round(run["seconds"], 2),
        "peak_rss_mb": round(run["peak_rss_kb"] / 1024, 1),
        "achievements": run["achievements"],
        "completions_recorded": run["completions_recorded"],
        "badges_issued": run["badges_issued"],
        "issuances_total": BadgeIssuance.objects.count(),
        "completion_records": _completion_records(),
    }


def _completion_records() -> int:
    return (
        LabCompletion.objects.count()
        + ExamAttempt.objects.count()
        + Enrollment.objects.filter(completed_at__isnull=False).count()
        + CourseAssignment.objects.filter(completed_at__isnull=False).count()
    )


def nothing_new_sweep(*, repeats: int = 5) -> dict:
    """Sweeps with nothing recorded since the last one: the median of `repeats`."""
    durations = []
    for _ in range(repeats):
        seconds, run = _timed(sweep_run)
        if run.status != SweepRun.Status.SUCCEEDED or run.badges_issued:
            raise RuntimeError(f"A sweep with nothing new did work: {run.status} {run.error}")
        durations.append(seconds)
    return {"seconds": round(statistics.median(durations), 3), "repeats": repeats}


def sweep_after_new_completions(*, count: int, seed: int = 11) -> dict:
    """`count` new lab completions recorded now (COPY), then one sweep."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    student_ids = list(
        User.objects.filter(username__startswith="bench-s").values_list("pk", flat=True)
    )
    lab_ids = list(
        Achievement.objects.filter(criteria_type=Type.LAB, is_enabled=True).values_list(
            "lab_id", flat=True
        )
    )
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY catalog_labcompletion (student_id, lab_id, completed_at, recorded_at) FROM STDIN"
        ) as copy,
    ):
        for n in range(count):
            copy.write_row(
                (rng.choice(student_ids), rng.choice(lab_ids), now - timedelta(seconds=n), now)
            )
    seconds, run = _timed(sweep_run)
    if run.status != SweepRun.Status.SUCCEEDED:
        raise RuntimeError(f"The sweep failed: {run.error}")
    return {
        "seconds": round(seconds, 3),
        "new_completions": count,
        "achievements_evaluated": run.achievements_evaluated,
        "completions_recorded": run.achievements_completed,
        "badges_issued": run.badges_issued,
    }


# 4. The naive baseline ---------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _first_course_completion(student_id: int, course_id: int):
    """The naive way: two queries per course."""
    dates = [
        Enrollment.objects.filter(
            student_id=student_id, course_class__course_id=course_id, completed_at__isnull=False
        ).aggregate(first=Min("completed_at"))["first"],
        CourseAssignment.objects.filter(
            student_id=student_id, course_id=course_id, completed_at__isnull=False
        ).aggregate(first=Min("completed_at"))["first"],
    ]
    dates = [value for value in dates if value is not None]
    return min(dates) if dates else None


def _naive_first_met(achievement: Achievement, student_id: int):
    """When this student first met this achievement, or None: per student, through the ORM."""
    kind = achievement.criteria_type
    if kind == Type.LAB:
        return LabCompletion.objects.filter(
            student_id=student_id, lab_id=achievement.lab_id
        ).aggregate(first=Min("completed_at"))["first"]
    if kind in (Type.COURSE, Type.COURSE_SET, Type.LEARNING_PATH):
        if kind == Type.COURSE:
            course_ids = [achievement.course_id]
        elif kind == Type.COURSE_SET:
            course_ids = [course.pk for course in achievement.course_set.all()]
        else:
            course_ids = [step.course_id for step in achievement.learning_path.steps.all()]
        dates = [_first_course_completion(student_id, course_id) for course_id in course_ids]
        if not dates or None in dates:
            return None
        met = max(dates)
        if kind == Type.LEARNING_PATH:
            passed = ExamAttempt.objects.filter(
                student_id=student_id, exam_id=achievement.learning_path.exam_id, passed=True
            ).aggregate(first=Min("attempted_at"))["first"]
            return None if passed is None else max(met, passed)
        return met
    if kind == Type.TAGGED_COURSES:
        course_ids = achievement.tag.courses.values_list("pk", flat=True)
        dates = sorted(
            date
            for date in (_first_course_completion(student_id, pk) for pk in course_ids)
            if date is not None
        )
        return dates[achievement.min_courses - 1] if len(dates) >= achievement.min_courses else None
    if kind == Type.POINTS:
        completions = (
            AchievementCompletion.objects.filter(
                student_id=student_id,
                achievement__organization_id=achievement.organization_id,
                achievement__is_enabled=True,
                achievement__points__gt=0,
            )
            .exclude(achievement_id=achievement.pk)
            .select_related("achievement")
            .order_by("first_met_at", "achievement_id")
        )
        if (completions.aggregate(total=Sum("achievement__points"))["total"] or 0) < (
            achievement.points_threshold
        ):
            return None
        total = 0
        for completion in completions:
            total += completion.achievement.points
            if total >= achievement.points_threshold:
                return completion.first_met_at
    raise ValueError(kind)


def naive_evaluate(student_ids) -> tuple[set, set]:
    """What a straightforward implementation does: for each student, for each achievement, ask
    the ORM whether it is met, then create the completion and each mapped badge's issuance."""
    achievements = sorted(
        Achievement.objects.filter(is_enabled=True)
        .select_related("learning_path", "tag")
        .prefetch_related("available_to"),
        key=lambda a: (a.criteria_type == Type.POINTS, a.points_threshold or 0, a.pk),
    )
    now = timezone.now()
    for student_id in student_ids:
        student = User.objects.get(pk=student_id)
        for achievement in achievements:
            # An achievement counts the students of the organizations it counts who take part.
            if (
                student.organization_id not in _audience(achievement)
                or not student.participates_in_achievements
            ):
                continue
            if AchievementCompletion.objects.filter(
                achievement=achievement, student_id=student_id
            ).exists():
                continue
            first_met_at = _naive_first_met(achievement, student_id)
            if first_met_at is None:
                continue
            AchievementCompletion.objects.create(
                achievement=achievement, student_id=student_id, first_met_at=first_met_at
            )
            for badge in Badge.objects.filter(achievement=achievement, is_active=True):
                BadgeIssuance.objects.get_or_create(
                    badge=badge,
                    recipient_id=student_id,
                    defaults={
                        "issued_at": now,
                        "method": BadgeIssuance.Method.AUTOMATIC,
                        "source": BadgeIssuance.Source.ACHIEVEMENT,
                        "source_achievement": achievement,
                    },
                )
    return _outcome(student_ids)


def _outcome(student_ids) -> tuple[set, set]:
    completions = set(
        AchievementCompletion.objects.filter(student_id__in=student_ids).values_list(
            "achievement_id", "student_id"
        )
    )
    issuances = set(
        BadgeIssuance.objects.filter(
            recipient_id__in=student_ids, method=BadgeIssuance.Method.AUTOMATIC
        ).values_list("badge_id", "recipient_id")
    )
    return completions, issuances


def _forget(student_ids) -> None:
    BadgeIssuance.objects.filter(
        recipient_id__in=student_ids, method=BadgeIssuance.Method.AUTOMATIC
    ).delete()
    AchievementCompletion.objects.filter(student_id__in=student_ids).delete()


def naive_vs_sweep(*, sample: int, seed: int = 5) -> dict:
    """The naive evaluation and the sweep's evaluation of the same students (everything they
    completed, from scratch), each in a transaction rolled back afterwards; both must record the
    same completions and issue the same badges."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    all_students = list(
        User.objects.filter(username__startswith="bench-s").values_list("pk", flat=True)
    )
    student_ids = sorted(rng.sample(all_students, min(sample, len(all_students))))
    results = {}
    for name, evaluate in (
        ("naive", naive_evaluate),
        ("sweep", lambda ids: (achievements_evaluate_students(student_ids=ids), _outcome(ids))[1]),
    ):
        try:
            with transaction.atomic():
                _forget(student_ids)
                with QueryCounter() as queries:
                    seconds, outcome = _timed(evaluate, student_ids)
                results[name] = (seconds, outcome, len(queries))
                raise _Rollback
        except _Rollback:
            pass
    naive_seconds, naive_outcome, naive_queries = results["naive"]
    sweep_seconds, sweep_outcome, sweep_queries = results["sweep"]
    if naive_outcome != sweep_outcome:
        raise RuntimeError(
            "The naive evaluation and the sweep disagree: "
            f"{len(naive_outcome[0] ^ sweep_outcome[0])} completions, "
            f"{len(naive_outcome[1] ^ sweep_outcome[1])} issuances differ."
        )
    return {
        "students": len(student_ids),
        "naive_seconds": round(naive_seconds, 3),
        "naive_queries": naive_queries,
        "sweep_seconds": round(sweep_seconds, 3),
        "sweep_queries": sweep_queries,
        "completions": len(sweep_outcome[0]),
        "issuances": len(sweep_outcome[1]),
        "ratio": round(naive_seconds / sweep_seconds, 1),
    }


# 5. The lower bound ---------------------------------------------------------------------------

_LOWER_BOUND_TABLE = "bench_lower_bound_issuance"
_LOWER_BOUND_OUTBOX = "bench_lower_bound_delivery"

# Each student's completed courses through a class or a course assignment, among `{courses}`.
_COMPLETED_COURSES = (
    f"SELECT e.student_id, k.course_id FROM {ENROLLMENTS} e "
    f"JOIN {CLASSES} k ON k.id = e.course_class_id "
    "WHERE e.completed_at IS NOT NULL AND k.course_id {courses} "
    f"UNION SELECT a.student_id, a.course_id FROM {ASSIGNMENTS} a "
    "WHERE a.completed_at IS NOT NULL AND a.course_id {courses}"
)
_LISTED = _COMPLETED_COURSES.replace("{courses}", "= ANY(%(courses)s)")
_TAGGED = _COMPLETED_COURSES.replace(
    "{courses}", f"IN (SELECT t.course_id FROM {COURSE_TAGS} t WHERE t.tag_id = %(tag)s)"
)
# Only students receive badges (anyone else's completions, like those of bench-staff, earn none),
# and only the students of the organizations the achievement counts (its own and those it is
# available to: every bench organization) who take part in achievements.
_INSERT = (
    f"INSERT INTO {_LOWER_BOUND_TABLE} (badge_id, recipient_id, issued_at, method, source, "
    "source_achievement_id) SELECT %(badge)s, s.student_id, now(), 'automatic', 'achievement', "
    "%(achievement)s FROM ({students}) s WHERE EXISTS (SELECT 1 FROM accounts_user_groups m "
    "JOIN auth_group g ON g.id = m.group_id WHERE m.user_id = s.student_id AND g.name = 'Student') "
    "AND EXISTS (SELECT 1 FROM accounts_user u WHERE u.id = s.student_id "
    "AND u.organization_id = ANY(%(audience)s) AND u.participates_in_achievements)"
)
# With deliveries on, the sweep writes an award e-mail row per issuance (pending, or skipped
# with the reason) in the issuing statement: so does the bound, into a copy of the outbox.
_WITH_OUTBOX = (
    "WITH new AS ({insert} RETURNING id, badge_id, recipient_id) "
    f"INSERT INTO {_LOWER_BOUND_OUTBOX} (issuance_id, channel, action, status, last_error) "
    "SELECT q.id, 'email', 'issue', CASE WHEN q.reason = '' THEN 'pending' ELSE 'skipped' END, "
    "q.reason FROM (SELECT new.id, CASE WHEN NOT b.notify_recipients THEN 'off' "
    "WHEN NOT u.receives_award_emails THEN 'opted out' WHEN u.email = '' THEN 'no address' "
    "ELSE '' END AS reason FROM new JOIN badges_badge b ON b.id = new.badge_id "
    "JOIN accounts_user u ON u.id = new.recipient_id) q"
)
_LOWER_BOUND_SQL = {
    Type.LAB: "SELECT DISTINCT student_id FROM catalog_labcompletion WHERE lab_id = %(lab)s",
    Type.COURSE: f"SELECT c.student_id FROM ({_LISTED}) c",
    Type.COURSE_SET: (
        f"SELECT c.student_id FROM ({_LISTED}) c "
        "GROUP BY c.student_id HAVING COUNT(*) = cardinality(%(courses)s)"
    ),
    Type.TAGGED_COURSES: (
        f"SELECT c.student_id FROM ({_TAGGED}) c "
        "GROUP BY c.student_id HAVING COUNT(*) >= %(min_courses)s"
    ),
    Type.LEARNING_PATH: (
        f"SELECT c.student_id FROM ({_LISTED}) c "
        "WHERE EXISTS (SELECT 1 FROM catalog_examattempt x WHERE x.student_id = c.student_id "
        "AND x.exam_id = %(exam)s AND x.passed) "
        "GROUP BY c.student_id HAVING COUNT(*) = cardinality(%(courses)s)"
    ),
    # Points: the badges this lower bound has issued stand for the achievements met (one badge
    # per achievement in the generated data).
    Type.POINTS: (
        f"SELECT i.recipient_id AS student_id FROM {_LOWER_BOUND_TABLE} i "
        "JOIN achievements_achievement a ON a.id = i.source_achievement_id "
        "WHERE a.organization_id = %(organization)s AND a.is_enabled AND a.points > 0 "
        "GROUP BY i.recipient_id HAVING SUM(a.points) >= %(threshold)s"
    ),
}


def _audience(achievement: Achievement) -> list[int]:
    """The organizations whose students the achievement counts (the generated ones: its own,
    and with "chosen" availability those it is available to)."""
    chosen = [org.pk for org in achievement.available_to.all()]
    if chosen and achievement.availability != "chosen":
        raise ValueError(f"Unexpected availability {achievement.availability!r} in the bench set")
    return [achievement.organization_id, *chosen]


def lower_bound(*, outbox: bool | None = None) -> dict:
    """One hand-written INSERT … SELECT per achievement straight from the completion records into
    a copy of the issuance table (same columns, constraints and indexes, and the manual issuances
    the sweep found there), with no completions, watermarks or runs recorded. Checked equal to
    what the sweep issued. With `outbox` (by default when the full sweep wrote delivery rows,
    i.e. ran with deliveries on) each statement also writes the award e-mail row of each
    issuance into a copy of the outbox, in the same statement, as the sweep does."""
    from deliveries.models import Delivery

    if outbox is None:
        outbox = Delivery.objects.exists()
    achievements = sorted(
        Achievement.objects.filter(is_enabled=True)
        .select_related("learning_path")
        .prefetch_related("course_set", "learning_path__steps", "badges", "available_to"),
        key=lambda a: (a.criteria_type == Type.POINTS, a.points_threshold or 0, a.pk),
    )
    statements = []
    for achievement in achievements:
        if achievement.criteria_type == Type.LEARNING_PATH:
            courses = [step.course_id for step in achievement.learning_path.steps.all()]
        elif achievement.criteria_type == Type.COURSE:
            courses = [achievement.course_id]
        else:
            courses = [course.pk for course in achievement.course_set.all()]
        params = {
            "achievement": achievement.pk,
            "lab": achievement.lab_id,
            "courses": courses,
            "tag": achievement.tag_id,
            "min_courses": achievement.min_courses,
            "exam": achievement.learning_path.exam_id if achievement.learning_path else None,
            "organization": achievement.organization_id,
            "audience": _audience(achievement),
            "threshold": achievement.points_threshold,
        }
        for badge in achievement.badges.all():
            if badge.is_active:
                sql = _INSERT.format(students=_LOWER_BOUND_SQL[achievement.criteria_type])
                if outbox:
                    sql = _WITH_OUTBOX.format(insert=sql)
                statements.append((sql, {**params, "badge": badge.pk}))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_LOWER_BOUND_TABLE}")
        cursor.execute(
            f"CREATE TABLE {_LOWER_BOUND_TABLE} (LIKE {BadgeIssuance._meta.db_table} INCLUDING ALL)"
        )
        # As the sweep found the issuance table: with the badges issued by hand.
        columns = ", ".join(
            field.column for field in BadgeIssuance._meta.concrete_fields if not field.primary_key
        )
        cursor.execute(
            f"INSERT INTO {_LOWER_BOUND_TABLE} ({columns}) SELECT {columns} "
            f"FROM {BadgeIssuance._meta.db_table} WHERE method <> 'automatic'"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {_LOWER_BOUND_OUTBOX}")
        cursor.execute(
            f"CREATE TABLE {_LOWER_BOUND_OUTBOX} (LIKE {Delivery._meta.db_table} INCLUDING ALL)"
        )
        cursor.execute(f"ANALYZE {_LOWER_BOUND_TABLE}")
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
        seconds = time.perf_counter() - started
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {_LOWER_BOUND_TABLE} WHERE method = 'automatic'), "
            "(SELECT COUNT(*) FROM (SELECT badge_id, recipient_id FROM "
            f"{_LOWER_BOUND_TABLE} WHERE method = 'automatic' "
            "EXCEPT SELECT badge_id, recipient_id FROM "
            "badges_badgeissuance WHERE method = 'automatic') missing), "
            "(SELECT COUNT(*) FROM (SELECT badge_id, recipient_id FROM badges_badgeissuance "
            "WHERE method = 'automatic' EXCEPT SELECT badge_id, recipient_id FROM "
            f"{_LOWER_BOUND_TABLE} WHERE method = 'automatic') extra)"
        )
        rows, only_lower_bound, only_sweep = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) FROM {_LOWER_BOUND_OUTBOX}")
        (outbox_rows,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {_LOWER_BOUND_TABLE}, {_LOWER_BOUND_OUTBOX}")
    if only_lower_bound or only_sweep:
        raise RuntimeError(
            f"The lower bound and the sweep disagree: {only_lower_bound} issuances only in the "
            f"lower bound, {only_sweep} only from the sweep."
        )
    return {
        "seconds": round(seconds, 2),
        "statements": len(statements),
        "issuances": rows,
        "outbox_rows": outbox_rows,
    }


# 6, 7. The roster and the batch ---------------------------------------------------------------


def _largest_class() -> CourseClass:
    return (
        CourseClass.objects.filter(name__startswith="Bench class")
        .annotate(roster_size=Count("enrollments"))
        .order_by("-roster_size", "pk")
        .first()
    )


def _administrator_of(course_class: CourseClass) -> User:
    return User.objects.get(
        username__startswith="bench-admin-", organization_id=course_class.organization_id
    )


def roster_page(*, repeats: int) -> dict:
    """The Roster of the largest class (2,000 students in the large set), as its organization's
    administrator sees it: the median of `repeats` renders and the queries of one; the same for
    one of the smallest classes, to show the queries do not depend on the roster's size."""
    largest = _largest_class()
    smallest = (
        CourseClass.objects.filter(name__startswith="Bench class")
        .annotate(roster_size=Count("enrollments"))
        .filter(roster_size__gt=0)
        .order_by("roster_size", "pk")
        .first()
    )
    results = {}
    for name, course_class in (("", largest), ("small_", smallest)):
        client = _client(_administrator_of(course_class))
        seconds, queries = _median_render(
            client, reverse("classes:roster", args=[course_class.pk]), repeats=repeats
        )
        results[f"{name}students"] = course_class.roster_size
        results[f"{name}median_ms"] = _ms(seconds)
        results[f"{name}queries"] = queries
    results["renders"] = repeats
    results["ratio"] = round(results["median_ms"] / max(0.1, results["small_median_ms"]), 2)
    return results


def batch_issue(*, badges: int, students: int) -> dict:
    """Issue Badges: `badges` manual badges × `students` students of the largest class, posted to
    the page as its administrator, through the test client: time and queries of the POST."""
    course_class = _largest_class()
    administrator = _administrator_of(course_class)
    badge_ids = list(
        Badge.objects.filter(
            organization_id=course_class.organization_id,
            name__startswith="Bench manual badge",
        )
        .order_by("name")
        .values_list("pk", flat=True)[:badges]
    )
    student_ids = list(
        # The last students by id: the Roster's first page (benchmark 9) keeps its usual rows.
        course_class.enrollments.order_by("-student_id").values_list("student_id", flat=True)[
            :students
        ]
    )
    before = BadgeIssuance.objects.filter(source=BadgeIssuance.Source.BATCH).count()
    client = _client(administrator)
    url = reverse("classes:batch", args=[course_class.pk])
    with QueryCounter() as queries:
        seconds, response = _timed(
            client.post,
            url,
            {"badge": badge_ids, "student": student_ids, "action": "issue"},
            secure=True,
        )
    if response.status_code != 200:
        raise RuntimeError(f"POST {url}: {response.status_code}")
    issued = BadgeIssuance.objects.filter(source=BadgeIssuance.Source.BATCH).count() - before
    return {
        "badges": len(badge_ids),
        "students": len(student_ids),
        "pairs": len(badge_ids) * len(student_ids),
        "issued": issued,
        "seconds": round(seconds, 2),
        "queries": len(queries),
    }


# 8. Find Issued Badges ---------------------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _get(client: Client, url: str):
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return response


def _median_render(client: Client, url: str, *, repeats: int) -> tuple[float, int]:
    """Median time of `repeats` GETs (after one warm-up), and the queries of one."""
    _get(client, url)
    with QueryCounter() as queries:
        _get(client, url)
    durations = [_timed(_get, client, url)[0] for _ in range(repeats)]
    return statistics.median(durations), len(queries)


def _consume(response) -> tuple[int, int]:
    rows = size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size


def _export(client: Client, url: str, *, trace: bool) -> dict:
    gc.collect()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, secure=True)
    rows, size = _consume(response)
    seconds = time.perf_counter() - started
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"rows": rows, "bytes": size, "seconds": seconds, "peak_bytes": peak}


def find_issued_badges(*, repeats: int, export_term: str) -> dict:
    """The first page, without and with filters, for platform staff (who search every
    issuance); the CSV export of the students matching `export_term` and of a tenth of them."""
    staff = User.objects.get(username="bench-staff")
    client = _client(staff)
    base = reverse("badges:issued")
    busiest = (
        BadgeIssuance.objects.values("badge_id")
        .annotate(issued=Count("id"))
        .order_by("-issued")
        .first()["badge_id"]
    )
    plain_seconds, plain_queries = _median_render(client, base, repeats=repeats)
    filtered = f"{base}?badge={busiest}&student={export_term}&method=automatic&sort=student"
    filtered_seconds, filtered_queries = _median_render(client, filtered, repeats=repeats)
    export = reverse("badges:issued_export")
    large = _export(client, f"{export}?student={export_term}", trace=False)
    large_memory = _export(client, f"{export}?student={export_term}", trace=True)
    small_memory = _export(client, f"{export}?student={export_term}0", trace=True)
    return {
        "issuances": BadgeIssuance.objects.count(),
        "first_page_ms": _ms(plain_seconds),
        "first_page_queries": plain_queries,
        "filtered_page_ms": _ms(filtered_seconds),
        "filtered_page_queries": filtered_queries,
        "csv_rows": large["rows"],
        "csv_seconds": round(large["seconds"], 2),
        "csv_peak_mb": round(large_memory["peak_bytes"] / 2**20, 2),
        "csv_small_rows": small_memory["rows"],
        "csv_small_peak_mb": round(small_memory["peak_bytes"] / 2**20, 2),
        "csv_memory_ratio": round(
            large_memory["peak_bytes"] / max(1, small_memory["peak_bytes"]), 2
        ),
    }


# 9. Load -----------------------------------------------------------------------------------------

_WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
"""


def ensure_wrk() -> str:
    """The wrk load generator, installed with apt-get if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise RuntimeError("The load benchmark needs wrk: install it (apt-get install wrk).")
    subprocess.run(  # noqa: S603 - fixed command
        ["apt-get", "install", "-y", "-q", "wrk"],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("wrk")


def _database_url() -> str:
    """The URL of the database this process uses (under pytest: the test database)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(port: int, *, extra_env: dict | None = None) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "lms_portal.wsgi:application",
        ],
        cwd=ROOT,
        env={**_child_env(), **(extra_env or {})},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped as it started.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start listening in 30 s.")


def _wrk(wrk: str, url: str, *, users: int, seconds: int, headers: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_WRK_REPORT)
        script.flush()
        command = [wrk, "-t", "1", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s"]
        command += ["-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run(  # noqa: S603 - our own command line
            [*command, url], check=True, capture_output=True, text=True
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, duration_us, p50, p95, p99, errors, non_2xx = map(int, line.split()[1:])
    return {
        "users": users,
        "seconds": seconds,
        "requests": requests,
        "rps": round(requests / (duration_us / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "errors": errors + non_2xx,
    }


def load(*, users: int, seconds: int) -> dict:
    """gunicorn with 2 workers on 127.0.0.1, wrk with `users` connections for `seconds` against
    the Roster of the largest class, then against its Choose Badge dialog (as htmx fetches it),
    with the session cookie of the class's organization's administrator."""
    wrk = ensure_wrk()
    course_class = _largest_class()
    student_id = course_class.enrollments.order_by("student_id").values_list(
        "student_id", flat=True
    )[0]
    client = _client(_administrator_of(course_class))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    server = _start_gunicorn(port)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Cookie": cookie}
        roster = reverse("classes:roster", args=[course_class.pk])
        dialog = reverse("classes:issue_badge", args=[course_class.pk, student_id])
        dialog_headers = {**headers, "HX-Request": "true", "HX-Target": "portal-dialog-body"}
        for path, extra in ((roster, headers), (dialog, dialog_headers)):
            _check_status(f"{base}{path}", extra)
        results = {
            "roster": _wrk(wrk, f"{base}{roster}", users=users, seconds=seconds, headers=headers),
            "choose_badge": _wrk(
                wrk, f"{base}{dialog}", users=users, seconds=seconds, headers=dialog_headers
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def _check_status(url: str, headers: dict) -> None:
    """One request before the load: a page that is not a 200 would make the figures meaningless."""
    import urllib.request

    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            raise RuntimeError(f"GET {url}: {response.status} at {response.url}")
