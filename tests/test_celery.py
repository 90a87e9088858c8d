"""The Celery app is wired the standard way, and beat starts with the embedded broker."""

import os
import subprocess
import sys
import time
from pathlib import Path

from lms_portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def test_celery_reads_settings_under_the_celery_namespace(settings):
    assert app.main == "lms_portal"
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_beat_starts_with_the_embedded_filesystem_broker(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "on",
        "DJANGO_SETTINGS_MODULE": "lms_portal.settings.local",
        "CELERY_BROKER_URL": "filesystem://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'beat.sqlite3'}",
        "BEAT_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
    }
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms_portal",
            "beat",
            "--schedule",
            str(tmp_path / "schedule"),
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(6)
        assert beat.poll() is None, beat.stdout.read()
        # Its container's health check passes while it runs.
        assert _beat_health_check(env) == 0
    finally:
        beat.terminate()
        output, _ = beat.communicate(timeout=20)
    assert "beat: Starting..." in output
    # A heartbeat older than the health check allows: unhealthy.
    assert _beat_health_check({**env, "BEAT_HEARTBEAT_MAX_AGE": "0"}) == 1


def _beat_health_check(env) -> int:
    return subprocess.run(
        [sys.executable, "-m", "lms_portal.beat"], cwd=ROOT, env=env, timeout=60
    ).returncode


def test_beat_without_a_heartbeat_is_unhealthy(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "BEAT_HEARTBEAT_FILE": str(tmp_path / "none")}
    assert _beat_health_check(env) == 1


def test_every_task_of_the_portal_has_a_time_limit():
    app.loader.import_default_modules()
    tasks = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"awarding.tasks.sweep_achievements", "awarding.tasks.evaluate_students"} <= set(tasks)
    for name, task in tasks.items():
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert hard, name
        assert soft, name
        assert soft < hard, name
