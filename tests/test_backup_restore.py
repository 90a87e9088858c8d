"""Backups (README, "Operating it"): a dump made with `pg_dump -Fc` and restored with
`pg_restore --no-owner` into a fresh database holds the same issuances, revocations and
completions, and the same number of rows in every table. PostgreSQL only."""

import secrets
import shutil
import subprocess

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from achievements.models import AchievementCompletion
from awarding.sweep.runs import sweep_run
from badges.models import BadgeIssuance, IssuanceEvent
from badges.services.revocation import badge_issuance_revoke
from catalog.models import LabCompletion
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    EnrollmentFactory,
    LabCompletionFactory,
)
from tests.helpers import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"needs {name} (apt-get install postgresql-client)")
    return path


def _counts(url: str) -> dict[str, int]:
    # Every table of every installed app (sessions, axes' attempts and the portal's, whichever
    # floors it has by then).
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    with psycopg.connect(url) as db:
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def _revoked(url: str) -> int:
    table = BadgeIssuance._meta.db_table
    with psycopg.connect(url) as db:
        return db.execute(
            f'SELECT count(*) FROM "{table}" WHERE revoked_at IS NOT NULL'  # noqa: S608
        ).fetchone()[0]


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards; yields its URL."""
    settings = connection.settings_dict
    name = f"restore_{secrets.token_hex(4)}"
    admin_url = database_url({**settings, "NAME": "postgres"})
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url({**settings, "NAME": name})
    finally:
        with psycopg.connect(admin_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_fresh_database_has_the_same_records(
    organization, administrator, course_class, manual_badge, fresh_database, tmp_path
):
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    achievement = AchievementFactory(organization=organization)
    BadgeFactory(organization=organization, achievement=achievement)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(4)]
    for student in students[:3]:
        LabCompletionFactory(student=student, lab=achievement.lab)
    sweep_run()
    manual = [
        BadgeIssuanceFactory(badge=manual_badge, recipient=student, issued_by=administrator)
        for student in students[2:]
    ]
    badge_issuance_revoke(actor=administrator, issuance=manual[0], reason="Issued by mistake")

    expected = {
        "issuances": BadgeIssuance.objects.count(),
        "revocations": BadgeIssuance.objects.filter(revoked_at__isnull=False).count(),
        "events": IssuanceEvent.objects.count(),
        "completions": AchievementCompletion.objects.count(),
        "lab completions": LabCompletion.objects.count(),
    }
    assert all(expected.values()), expected
    source = database_url()
    dump = tmp_path / "portal.dump"

    subprocess.run(  # the README's command
        [pg_dump, "--format=custom", f"--file={dump}", f"--dbname={source}"],
        check=True,
        timeout=120,
    )
    subprocess.run(
        [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={fresh_database}", str(dump)],
        check=True,
        timeout=120,
    )

    restored = _counts(fresh_database)
    assert {
        "issuances": restored[BadgeIssuance._meta.db_table],
        "revocations": _revoked(fresh_database),
        "events": restored[IssuanceEvent._meta.db_table],
        "completions": restored[AchievementCompletion._meta.db_table],
        "lab completions": restored[LabCompletion._meta.db_table],
    } == expected
    assert restored == _counts(source)
    # The restored database is a working one: its constraints came back with it.
    with psycopg.connect(fresh_database) as db:
        constraints = db.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [BadgeIssuance._meta.db_table],
        ).fetchone()[0]
    assert constraints >= 1
