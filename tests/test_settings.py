import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULES = [
    "lms_portal.settings.base",
    "lms_portal.settings.local",
    "lms_portal.settings.production",
    "lms_portal.settings.test",
]


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings.production",
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
        SITE_URL="https://badges.example.org",
        ENCRYPTION_KEYS="dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLTAxMjM0NTY=",
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


def test_deploy_check_warns_while_site_url_is_not_the_public_https_address():
    result = _manage(
        "check",
        "--deploy",
        DEBUG="off",
        SECRET_KEY="p" + "r0duction-S3cret-" * 4,
        ALLOWED_HOSTS="badges.example.org",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3",
    )

    assert "credentials.W001" in result.stdout + result.stderr


def test_deploy_check_refuses_production_without_its_key_encryption_key():
    result = _manage(
        "check",
        "--deploy",
        DEBUG="off",
        SECRET_KEY="p" + "r0duction-S3cret-" * 4,
        ALLOWED_HOSTS="badges.example.org",
        SITE_URL="https://badges.example.org",
        DATABASE_URL="sqlite:////tmp/deploy-check.sqlite3",
    )

    assert result.returncode != 0
    assert "common.E001" in result.stdout + result.stderr


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
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings.local",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == broker, result.stderr


def _copy_of_the_portal_package(tmp_path: Path) -> Path:
    """A copy of the lms_portal package (settings, Celery app) in an otherwise empty folder: its
    settings take that folder as BASE_DIR."""
    base_dir = tmp_path / "portal"
    shutil.copytree(
        ROOT / "lms_portal", base_dir / "lms_portal", ignore=shutil.ignore_patterns("__pycache__")
    )
    return base_dir


def _files_under(folder: Path) -> set[Path]:
    return {path.relative_to(folder) for path in folder.rglob("*")}


def _run_in(base_dir: Path, code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=base_dir,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(base_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", SETTINGS_MODULES)
@pytest.mark.parametrize("broker", ["", "filesystem://"])
def test_importing_the_settings_creates_nothing_on_disk(tmp_path, module, broker):
    base_dir = _copy_of_the_portal_package(tmp_path)
    before = _files_under(base_dir)
    env = {"CELERY_BROKER_URL": broker} if broker else {}

    result = _run_in(
        base_dir,
        "import importlib, os; settings = importlib.import_module(os.environ['SETTINGS']);"
        " print(settings.BASE_DIR)",
        SETTINGS=module,
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == str(base_dir)
    assert _files_under(base_dir) == before
    assert not (base_dir / "var").exists()


def test_the_celery_app_makes_the_filesystem_broker_folders_when_configured(tmp_path):
    base_dir = _copy_of_the_portal_package(tmp_path)

    imported = _run_in(
        base_dir,
        "import lms_portal.celery",
        DJANGO_SETTINGS_MODULE="lms_portal.settings.local",
        CELERY_BROKER_URL="filesystem://",
    )
    assert imported.returncode == 0, imported.stderr
    assert not (base_dir / "var").exists()

    # Sending a task configures the app, which makes the folders before Kombu writes the message.
    sent = _run_in(
        base_dir,
        "from lms_portal.celery import app; app.send_task('awarding.tasks.sweep_achievements')",
        DJANGO_SETTINGS_MODULE="lms_portal.settings.local",
        CELERY_BROKER_URL="filesystem://",
    )
    assert sent.returncode == 0, sent.stderr
    assert (base_dir / "var" / "celery-processed").is_dir()
    assert len(list((base_dir / "var" / "celery-broker").glob("*.msg"))) == 1


def test_the_celery_app_makes_no_folder_for_another_broker(tmp_path):
    base_dir = _copy_of_the_portal_package(tmp_path)

    result = _run_in(
        base_dir,
        # Reading a setting other than broker_url loads the whole configuration.
        "from lms_portal.celery import app; print(app.conf.broker_transport_options)",
        DJANGO_SETTINGS_MODULE="lms_portal.settings.local",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert "visibility_timeout" in result.stdout, result.stderr
    assert result.returncode == 0, result.stderr
    assert not (base_dir / "var").exists()


@pytest.mark.parametrize(
    ("module", "debug"),
    [
        ("lms_portal.settings.local", True),
        ("lms_portal.settings.production", False),
        ("lms_portal.settings.test", False),
    ],
)
def test_each_environment_has_its_debug_and_broker_defaults(tmp_path, module, debug):
    # In a copy, so that no .env file of this checkout is read.
    result = _run_in(
        _copy_of_the_portal_package(tmp_path),
        "import importlib, os; s = importlib.import_module(os.environ['SETTINGS']);"
        " print(s.DEBUG, bool(s.SECRET_KEY), s.CELERY_BROKER_URL or '-',"
        " getattr(s, 'SESSION_COOKIE_SECURE', False))",
        SETTINGS=module,
    )
    assert result.returncode == 0, result.stderr
    shown_debug, has_key, broker, secure_cookie = result.stdout.split()
    assert shown_debug == str(debug)
    # Only development falls back on a key of its own; the suite brings its test key.
    assert has_key == str(module != "lms_portal.settings.production")
    # Production's broker is Redis, never Celery's own AMQP default; development's the embedded one.
    assert broker == (
        "redis://127.0.0.1:6379/0"
        if module == "lms_portal.settings.production"
        else "filesystem://"
    )
    assert secure_cookie == str(not debug)


def test_the_beat_schedule_names_the_awarding_task():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["sweep-achievements"]["task"] == (
        "awarding.tasks.sweep_achievements"
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_portal_sessions_run_without_jit_unless_asked():
    """JIT compiling cost more than it saved on the sweep's and the export's statements."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    url = "postgres://postgres@127.0.0.1:5432/unused"
    local = {"DJANGO_SETTINGS_MODULE": "lms_portal.settings.local", "DATABASE_URL": url}
    off = _manage("shell", "-c", code, **local)
    on = _manage("shell", "-c", code, **local, DATABASE_JIT="on")
    assert off.stdout.strip().splitlines()[-1] == "-c jit=off"
    assert "jit" not in on.stdout
