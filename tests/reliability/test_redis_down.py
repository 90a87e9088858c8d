"""Redis (the Celery broker) stopped: the portal keeps serving pages and manual issuance, the
post-completion trigger fails softly (logged; the next sweep picks the student up), and a worker
carries on once Redis is back. Uses its own redis-server on a free port, never the shared one."""

import shutil
import subprocess
import time

import pytest
from django.urls import reverse

from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance
from tests.conftest import IN_CI
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
)
from tests.helpers import celery_worker_process, free_port, wait_until

from .conftest import Visitor, process_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]


class OwnRedis:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.dir),
            ],
            check=True,
            timeout=10,
        )
        wait_until(self.up, timeout=10, what="redis-server to start")

    def up(self) -> bool:
        ping = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, timeout=5
        )
        return ping.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
        )
        wait_until(lambda: not self.up(), timeout=10, what="redis-server to stop")


@pytest.fixture
def own_redis(tmp_path):
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        if IN_CI:
            pytest.fail("CI runs the Redis fault test: redis-server not found")
        pytest.skip("needs redis-server and redis-cli on PATH")
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    if redis.up():
        redis.stop()


@pytest.fixture
def celery_worker(own_redis, tmp_path):
    env = process_env(CELERY_BROKER_URL=own_redis.url, CELERY_TASK_ALWAYS_EAGER="off")
    with celery_worker_process(env, tmp_path / "worker.log") as log:
        yield log


def test_redis_down_then_back(own_redis, celery_worker, start_portal, organization):
    instructor = InstructorFactory(organization=organization)
    administrator = AdministratorFactory(organization=organization)
    course_class = CourseClassFactory(organization=organization, instructors=[instructor])
    first, second = (EnrollmentFactory(course_class=course_class).student for _ in range(2))
    achievement = AchievementFactory(
        organization=organization, criteria_type="course", course=course_class.course, lab=None
    )
    automatic = BadgeFactory(organization=organization, achievement=achievement, name="Auto")
    manual = BadgeFactory(organization=organization, name="By hand")
    sweep_run()  # the baseline: nothing completed yet, the watermark is set

    portal = start_portal(
        CELERY_BROKER_URL=own_redis.url, CELERY_TASK_ALWAYS_EAGER="off", LOG_LEVEL="INFO"
    )
    teacher = Visitor(portal, instructor)
    admin = Visitor(portal, administrator)

    own_redis.stop()
    pages = [
        (teacher, reverse("dashboard")),
        (teacher, reverse("classes:list")),
        (teacher, reverse("classes:roster", args=[course_class.pk])),
        (teacher, reverse("classes:batch", args=[course_class.pk])),
        (teacher, reverse("badges:issued")),
        (teacher, reverse("badges:student", args=[first.pk])),
        (admin, reverse("badges:list")),
        (admin, reverse("badges:profile", args=[manual.pk])),
        (admin, reverse("achievements:list")),
        (admin, reverse("achievements:sweep_runs")),
        (admin, reverse("assignments:list")),
    ]
    started = time.monotonic()
    statuses = {path: visitor.get(path)[0] for visitor, path in pages}
    assert set(statuses.values()) == {200}, statuses

    status, _ = teacher.post(
        reverse("classes:issue_badge", args=[course_class.pk, first.pk]), {"badge": manual.pk}
    )
    assert status == 302
    assert BadgeIssuance.objects.filter(badge=manual, recipient=first).exists()

    status, _ = teacher.post(
        reverse("classes:complete", args=[course_class.pk]), {"student": [first.pk]}
    )
    assert status == 302
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"pages and issuance took {elapsed:.1f}s with Redis down"
    wait_until(
        lambda: "the next sweep will" in portal.log.read_text(),
        timeout=10,
        what="the failed trigger to be logged",
    )
    assert not BadgeIssuance.objects.filter(badge=automatic, recipient=first).exists()

    sweep_run()  # the next sweep picks the student up
    issuance = BadgeIssuance.objects.get(badge=automatic, recipient=first)
    assert issuance.origin == "sweep"

    own_redis.start()
    status, _ = teacher.post(
        reverse("classes:complete", args=[course_class.pk]), {"student": [second.pk]}
    )
    assert status == 302
    wait_until(
        lambda: BadgeIssuance.objects.filter(badge=automatic, recipient=second).exists(),
        timeout=60,
        interval=0.25,
        what="the worker to issue the badge after Redis came back",
    )
    assert BadgeIssuance.objects.get(badge=automatic, recipient=second).origin == "re-evaluation"
    print(  # noqa: T201
        f"\nRedis stopped: {len(pages)} pages 200, manual issuance and completion in "
        f"{elapsed:.1f}s; trigger logged; sweep issued; worker issued after Redis restarted"
    )
