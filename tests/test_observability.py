"""Logs and errors in production: one JSON line per record with the request id (which the response
names), and Sentry started only when SENTRY_DSN is set. Sentry's sending is checked against a
server of the test's own on 127.0.0.1: nothing leaves the machine."""

import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import structlog
from django.test import override_settings
from django.urls import reverse

from common.observability import logging_config
from tests.helpers import ROOT

# --- logs ----------------------------------------------------------------------------------------


def _portal_formatter() -> logging.Formatter:
    return next(
        handler.formatter
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    )


@pytest.fixture
def portal_log_lines():
    """The lines the portal's handler writes while the test runs (formatted as they are emitted,
    while the request's context is bound), as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_portal_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.setLevel(level)
    root.removeHandler(handler)


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_every_line_of_a_request_carries_its_id_and_the_response_names_it(client, portal_log_lines):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})

    request_id = response["X-Request-ID"]
    rendered = portal_log_lines()
    of_the_request = [line for line in rendered if line.get("request_id") == request_id]
    events = {line["event"] for line in of_the_request}
    assert {"request_started", "request_finished"} <= events
    # A logger of the standard library (django-axes') inside the request gets the id as well.
    assert any(line["logger"].startswith("axes") for line in of_the_request)
    assert all({"timestamp", "level", "logger", "event"} <= set(line) for line in rendered)


@pytest.mark.django_db
def test_two_requests_have_two_ids(client):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]

    assert first != second


def test_an_exception_is_one_json_line_with_its_traceback():
    config = logging_config(log_format="json", level="INFO")
    formatter = structlog.stdlib.ProcessorFormatter(
        **{k: v for k, v in config["formatters"]["structured"].items() if k != "()"}
    )
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "portal", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )

    text = formatter.format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert line["event"] == "failed here"
    assert "ValueError: broken" in line["exception"]


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


# --- Sentry --------------------------------------------------------------------------------------

SENTRY_PROBE = """
import django
django.setup()
from django.conf import settings
import sentry_sdk
from django.test import Client

client = sentry_sdk.get_client()
print("started", settings.SENTRY_STARTED, client.is_active())
if client.is_active():
    print("integrations", sorted(client.integrations))
    response = Client(raise_request_exception=False).get("/healthz", secure=True)
    print("status", response.status_code)
    print("request id", response.get("X-Request-ID"))
    sentry_sdk.flush(timeout=10)
"""


def _probe(**env):
    return subprocess.run(
        [sys.executable, "-c", SENTRY_PROBE],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings.production",
            "SECRET_KEY": "sentry-probe-secret-key-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "testserver",
            # A database that cannot be opened: the health check fails with a 500.
            "DATABASE_URL": "sqlite:////nonexistent-folder-for-the-probe/portal.sqlite3",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


class _Envelopes(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        # sentry-sdk compresses with brotli when the package is installed (locust brings it),
        # else with gzip.
        if self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        elif self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_sentry():
    server = HTTPServer(("127.0.0.1", 0), _Envelopes)
    _Envelopes.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_without_a_dsn_sentry_does_not_start():
    result = _probe(SENTRY_DSN="")

    assert result.returncode == 0, result.stderr
    assert "started False False" in result.stdout


def test_with_a_dsn_a_server_error_reaches_sentry_with_the_django_and_celery_integrations(
    local_sentry,
):
    port = local_sentry.server_address[1]
    result = _probe(SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42")

    assert result.returncode == 0, result.stderr
    assert "started True True" in result.stdout
    integrations = result.stdout.split("integrations ", 1)[1].splitlines()[0]
    assert "'django'" in integrations
    assert "'celery'" in integrations
    assert "status 500" in result.stdout
    paths = {path for path, _ in _Envelopes.received}
    assert paths == {"/api/42/envelope/"}
    body = b"".join(body for _, body in _Envelopes.received)
    assert b"OperationalError" in body
    assert b'"django"' in body  # the event names the Django integration that caught it
    # The error page names its request id, and the event carries it: the logs find it.
    request_id = result.stdout.split("request id ", 1)[1].splitlines()[0]
    assert len(request_id) == 36
    assert request_id.encode() in body
