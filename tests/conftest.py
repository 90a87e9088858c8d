import os
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.helpers import (
    REDIS_KEY_PREFIX,
    REDIS_URL,
    celery_conf,
    delete_keys_with_prefix,
    logged_in,
    redis_transport_options,
)

# axe-core from npm (package.json; `make test` runs `npm ci`), injected by the browser tests.
AXE_SOURCE_PATH = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# The property tests (tests/security/test_hostile_input.py) draw new examples on every local run,
# to keep finding what nobody thought of; CI draws the same ones every time (derandomize), so
# that a red run is reproducible from its commit alone. The worst cases known are tried on every
# run anyway (tests/security/test_no_overflow.py, test_bounded_requests.py).
# HYPOTHESIS_PROFILE=ci runs the CI's examples locally.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "default"))


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip with a reason on SQLite; in CI a missing PostgreSQL or browser
    fails the run instead."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    has_browser = shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)
    has_axe = AXE_SOURCE_PATH.exists()
    if IN_CI and not on_postgres:
        raise pytest.UsageError("CI runs on PostgreSQL: set DATABASE_URL=postgres://...")
    if IN_CI and not has_browser:
        raise pytest.UsageError(f"CI runs the browser tests: Chromium not found at {CHROMIUM}")
    if IN_CI and not has_axe:
        raise pytest.UsageError(f"CI runs the axe checks: {AXE_SOURCE_PATH} missing (npm ci)")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_browser = pytest.mark.skip(
        reason=f"needs Chromium at {CHROMIUM}"
        if not has_browser
        else f"needs axe-core at {AXE_SOURCE_PATH} (npm ci)"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not (has_browser and has_axe):
            item.add_marker(skip_browser)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def organization(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Northwind", slug="northwind")


@pytest.fixture
def other_organization(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Contoso", slug="contoso")


@pytest.fixture
def administrator(organization):
    from tests.factories import AdministratorFactory

    return AdministratorFactory(organization=organization, username="admin")


@pytest.fixture
def instructor(organization):
    from tests.factories import InstructorFactory

    return InstructorFactory(organization=organization, username="teacher")


@pytest.fixture
def contractor(other_organization):
    from tests.factories import InstructorFactory

    return InstructorFactory(organization=None, username="contractor")


@pytest.fixture
def course_class(organization, instructor, contractor):
    from tests.factories import CourseClassFactory

    return CourseClassFactory(organization=organization, instructors=[instructor, contractor])


@pytest.fixture
def student(course_class):
    from tests.factories import EnrollmentFactory

    return EnrollmentFactory(course_class=course_class).student


@pytest.fixture
def foreign_student(course_class, other_organization):
    """A student of another organization, enrolled in the class."""
    from tests.factories import EnrollmentFactory, StudentFactory

    student = StudentFactory(organization=other_organization)
    EnrollmentFactory(course_class=course_class, student=student)
    return student


@pytest.fixture
def manual_badge(organization):
    from tests.factories import BadgeFactory

    return BadgeFactory(organization=organization, name="Star Participant")


@pytest.fixture
def admin_client(client, administrator):
    """The test client logged in as the organization's administrator (replaces pytest-django's
    superuser `admin_client`)."""
    return logged_in(client, administrator)


@dataclass
class RedisBroker:
    """The shared Redis, as this run may use it: every key under `prefix` (tests/helpers.py)."""

    url: str
    prefix: str
    client: object

    @property
    def transport_options(self) -> dict:
        return redis_transport_options(self.prefix)

    def clean(self) -> int:
        """Delete this run's keys, and only those (never FLUSHDB)."""
        return delete_keys_with_prefix(self.client, self.prefix)


@pytest.fixture
def redis_broker():
    """The Redis at REDIS_URL for a broker whose keys are all under this run's prefix; its keys
    are deleted before and after the test. Skips without Redis (fails in CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if IN_CI:
            pytest.fail(f"CI runs the Redis tests: Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    broker = RedisBroker(url=REDIS_URL, prefix=REDIS_KEY_PREFIX, client=client)
    broker.clean()
    yield broker
    broker.clean()
    client.close()


@pytest.fixture(autouse=True)
def _portal_app_stays_current():
    """The portal's shared tasks follow Celery's *current* app. A test that made another app
    current (a bare `Celery()` is made current by default; tests.helpers.celery_sender is not)
    would leave every later test's on-commit drain and re-evaluation sent nowhere."""
    from lms_portal.celery import app as portal_app

    yield
    portal_app.set_current()


@pytest.fixture
def portal_app_on():
    """Point the portal's own Celery app at a real broker instead of eager mode, for one test:
    `portal_app_on(url, transport_options)`."""
    from lms_portal.celery import app as portal_app

    with ExitStack() as pointed:

        def point_at(broker_url: str, transport_options: dict | None = None):
            pointed.enter_context(
                celery_conf(
                    portal_app,
                    broker_url=broker_url,
                    broker_transport_options={
                        **(portal_app.conf.broker_transport_options or {}),
                        **(transport_options or {}),
                    },
                    task_always_eager=False,
                )
            )

        yield point_at
