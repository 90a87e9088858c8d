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
    finally:
        beat.terminate()
        output, _ = beat.communicate(timeout=20)
    assert "beat: Starting..." in output
