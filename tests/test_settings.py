import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_give_a_clean_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="off",
        SECRET_KEY="p" + "r0duction-S3cret-" * 4,
        ALLOWED_HOSTS="badges.example.org",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "-c", "import lms_portal.wsgi"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DEBUG": "off", "ALLOWED_HOSTS": "x.example"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_deploy_check_reports_a_missing_secret_key():
    result = _manage("check", "--deploy", DEBUG="off", ALLOWED_HOSTS="badges.example.org")

    assert "security.W009" in result.stdout + result.stderr


def test_tooling_without_a_secret_key_still_runs():
    result = _manage("makemigrations", "--check", "--dry-run", DEBUG="off")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("broker", ["filesystem://", "redis://127.0.0.1:6379/0"])
def test_celery_app_reads_the_broker_from_the_environment(broker):
    result = subprocess.run(
        [sys.executable, "-c", "from lms_portal.celery import app; print(app.conf.broker_url)"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DEBUG": "on",
            "CELERY_BROKER_URL": broker,
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == broker, result.stderr
