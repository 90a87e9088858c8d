"""Real processes on the test database: the portal under gunicorn, sweeps in `manage.py`
subprocesses. Tests here are `slow`, need PostgreSQL (other processes must see what the test
wrote, so they use transactional tests) and are bounded in time."""

import http.client
import os
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils.http import urlencode

from tests.helpers import PYTHON, ROOT, database_url, free_port, stop_process, wait_until


def process_env(**extra) -> dict:
    """The environment of a portal process on the test database (test settings: no TLS
    redirect, plain static files), with no broker unless one is given."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reliability.process_settings",
        "DATABASE_URL": database_url(),
    }
    env.update(extra)
    return env


class Portal:
    """A gunicorn serving the portal; `url(path)` is where to reach a page."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port, self.process, self.log = port, process, log

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


class Visitor:
    """A logged-in user talking HTTP to a Portal: a session made in the test database, a CSRF
    token sent the way the page's forms send it. Redirects are not followed."""

    def __init__(self, portal: Portal, user):
        client = Client()
        client.force_login(user)
        self.portal = portal
        self.csrf = secrets.token_hex(16)
        self.cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={self.csrf}"

    def request(self, method: str, path: str, data=None, timeout: float = 60):
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf}, doseq=True)
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.portal.port, timeout=timeout)
        try:
            conn.request(method, path, body=body if method == "POST" else None, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        return self.request("POST", path, data, **kwargs)


@pytest.fixture
def start_portal(tmp_path):
    """Start gunicorn (gthread workers) on a free port with the given environment overrides."""
    started: list[subprocess.Popen] = []

    def start(*, workers: int = 3, threads: int = 4, **env) -> Portal:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        with log.open("w") as handle:
            process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "lms_portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--worker-class",
                    "gthread",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                ],
                cwd=ROOT,
                env=process_env(**env),
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        portal = Portal(port, process, log)
        try:
            wait_until(portal.healthy, timeout=30, what="gunicorn to answer /healthz")
        except AssertionError:
            process.kill()
            raise AssertionError(log.read_text()) from None
        return portal

    yield start
    for process in started:
        stop_process(process, timeout=10)


def wait_for_other_connections_to_end(timeout: float = 60) -> None:
    """A killed client's backend finishes its statement before PostgreSQL notices the client is
    gone (and drops its advisory lock): wait until this test's database has no other session."""

    def alone() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0] == 0

    wait_until(alone, timeout=timeout, interval=0.2, what="other database sessions to end")
