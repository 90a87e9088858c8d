"""Concurrency under load: the portal under gunicorn, 50 concurrent clients posting overlapping
batches and single issuances for the same (badge, student) pairs while sweeps run on the same
pairs. Afterwards: exactly one row per pair, every other attempt reported as already earned,
no 5xx."""

import random
import re
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from achievements.models import Achievement, SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    LabCompletionFactory,
)

from .conftest import Visitor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]

CLIENTS = 50
REQUESTS_PER_CLIENT = 6
STUDENTS = 30
ALREADY = re.compile(r"already earned on", re.IGNORECASE)
FAILED_ROW = re.compile(r"<tr><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td></tr>")


def test_fifty_clients_and_sweeps_on_the_same_pairs(start_portal, organization, record_property):
    instructors = [InstructorFactory(organization=organization) for _ in range(4)]
    administrator = AdministratorFactory(organization=organization)
    course_class = CourseClassFactory(organization=organization, instructors=instructors)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(STUDENTS)]
    achievement = AchievementFactory(organization=organization)
    for student in students:
        LabCompletionFactory(student=student, lab=achievement.lab)
    # Two badges issued both automatically (the sweep) and by hand; one by hand only.
    badges = [
        BadgeFactory(organization=organization, name="Both A", achievement=achievement),
        BadgeFactory(organization=organization, name="Both B", achievement=achievement),
        BadgeFactory(organization=organization, name="Manual C"),
    ]
    pairs = {(badge.pk, student.pk) for badge in badges for student in students}

    portal = start_portal(workers=3, threads=6)
    visitors = [Visitor(portal, user) for user in [*instructors, administrator]]
    batch_url = reverse("classes:batch", args=[course_class.pk])

    lock = threading.Lock()
    counts = {"requests": 0, "attempts": 0, "issued": 0, "already": 0, "5xx": 0, "other": []}
    start = threading.Barrier(CLIENTS + 2)  # the clients, the sweeper and this thread

    def client(number: int):
        rng = random.Random(number)
        visitor = visitors[number % len(visitors)]
        start.wait(timeout=60)
        for _ in range(REQUESTS_PER_CLIENT):
            if rng.random() < 0.5:
                chosen_badges = rng.sample(badges, rng.randint(1, 3))
                chosen_students = rng.sample(students, rng.randint(1, 8))
                data = {
                    "badge": [b.pk for b in chosen_badges],
                    "student": [s.pk for s in chosen_students],
                    "action": "issue",
                }
                status, body = visitor.post(batch_url, data)
                attempts = len(chosen_badges) * len(chosen_students)
                reasons = FAILED_ROW.findall(body) if 'data-testid="failed-list"' in body else []
                already = sum(1 for reason in reasons if ALREADY.search(reason))
                other = [reason for reason in reasons if not ALREADY.search(reason)]
                issued = attempts - len(reasons) if status == 200 else 0
            else:
                badge, student = rng.choice(badges), rng.choice(students)
                url = reverse("classes:issue_badge", args=[course_class.pk, student.pk])
                status, body = visitor.post(url, {"badge": badge.pk})
                attempts = 1
                issued = 1 if status == 302 else 0
                already = 1 if status == 200 and ALREADY.search(body) else 0
                other = [] if issued or already else [f"single {status}"]
            with lock:
                counts["requests"] += 1
                counts["attempts"] += attempts
                counts["issued"] += issued
                counts["already"] += already
                counts["5xx"] += status >= 500
                counts["other"].extend(other if status < 500 else [])

    sweeps = {"runs": 0, "issued": 0}
    done = threading.Event()

    def sweeper():
        try:
            start.wait(timeout=60)
            while not done.is_set() and sweeps["runs"] < 20:
                # A changed criteria makes each sweep look at the whole history again.
                Achievement.objects.filter(pk=achievement.pk).update(
                    criteria_changed_at=timezone.now()
                )
                run = sweep_run()
                assert run.status in (SweepRun.Status.SUCCEEDED, SweepRun.Status.SKIPPED)
                sweeps["runs"] += 1
                sweeps["issued"] += run.badges_issued
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    sweep_thread = threading.Thread(target=sweeper)
    for thread in [*threads, sweep_thread]:
        thread.start()
    start.wait(timeout=60)
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=200)
    elapsed = time.monotonic() - started
    done.set()
    sweep_thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in [*threads, sweep_thread])

    rows = list(BadgeIssuance.objects.values_list("badge_id", "recipient_id", "method"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {BadgeIssuance._meta.db_table} "
            "GROUP BY badge_id, recipient_id HAVING count(*) > 1) d"
        )
        duplicates = cursor.fetchone()[0]
    manual_rows = sum(1 for *_, method in rows if method == BadgeIssuance.Method.MANUAL)
    automatic_rows = len(rows) - manual_rows

    assert counts["5xx"] == 0
    assert counts["other"] == []
    assert duplicates == 0
    assert {(b, s) for b, s, _ in rows} <= pairs
    # Every attempt was either the one issuance of its pair or reported as already earned.
    assert counts["issued"] + counts["already"] == counts["attempts"]
    assert counts["issued"] == manual_rows
    assert sweeps["issued"] == automatic_rows
    # The sweep issued both automatic badges to every student who was not issued them by hand.
    automatic_pairs = {(b.pk, s.pk) for b in badges[:2] for s in students}
    assert automatic_pairs <= {(b, s) for b, s, _ in rows}
    assert counts["already"] > 0  # the clients did collide

    figures = {
        **{key: value for key, value in counts.items() if key != "other"},
        "sweeps": sweeps["runs"],
        "sweep_issued": sweeps["issued"],
        "rows": len(rows),
        "duplicates": duplicates,
        "seconds": round(elapsed, 1),
    }
    for key, value in figures.items():
        record_property(key, value)
    print(f"\nLoad: {figures}")  # noqa: T201 - the figures docs/reliability.md quotes
