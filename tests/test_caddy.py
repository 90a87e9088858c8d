"""docker-compose's Caddy (deploy/Caddyfile, the same file) run for real in front of the portal,
all on loopback addresses: Caddy on 127.0.0.1, clients on 127.0.0.2 and 127.0.0.3. It serves the
static files and the badge images itself, and the portal, trusting Caddy only, sees each client's
own address: one client's failed logins lock that client, not the others behind the same proxy,
whatever X-Forwarded-For a client sends. Needs Debian's caddy (skipped without it; CI installs
it)."""

import http.client
import logging
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

from tests.conftest import IN_CI
from tests.factories import TEST_PASSWORD
from tests.helpers import free_port, stop_process, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HASHED = "portal.0123456789ab.css"


@pytest.fixture
def caddy(live_server, settings, tmp_path):
    """Caddy on 127.0.0.1 in front of the live server, with static and media folders of its own;
    yields its port."""
    binary = shutil.which("caddy")
    if binary is None:
        if IN_CI:
            pytest.fail("CI runs the Caddy test: caddy is not installed")
        pytest.skip("needs caddy (apt-get install caddy)")
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    static, media = tmp_path / "static", tmp_path / "media" / "badges"
    static.mkdir()
    media.mkdir(parents=True)
    (static / HASHED).write_text("body { color: black; }")
    (media / "star.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
        "PORTAL_UPSTREAM": live_server.url.removeprefix("http://"),
        "STATIC_DIR": str(static),
        "MEDIA_DIR": str(tmp_path / "media"),
    }
    log = tmp_path / "caddy.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            [binary, "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"],
            cwd=ROOT_DIR,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: _answers(port), timeout=30, interval=0.2, what="Caddy to listen", log=log
        )
        yield port
    finally:
        stop_process(process)


def _answers(port) -> bool:
    try:
        _request(port, "GET", "/static/" + HASHED, source="127.0.0.2")
    except OSError:
        return False
    return True


def _request(port, method, path, *, source, body=None, headers=None):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Browser:
    """A client on its own loopback address, keeping its cookies and posting the login form with
    its CSRF token, through Caddy."""

    def __init__(self, port, source):
        self.port, self.source, self.cookies = port, source, {}

    def _send(self, method, path, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, answer, content = _request(
            self.port, method, path, source=self.source, body=body, headers=headers
        )
        for value in answer.get_all("Set-Cookie") or []:
            key, _, rest = value.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        return status, answer, content

    def log_in(self, username, password, forwarded_for=None) -> int:
        _, _, page = self._send("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        status, _, _ = self._send("POST", "/accounts/login/", body=form, headers=headers)
        return status


def test_caddy_serves_the_static_files_and_the_badge_images(caddy):
    status, headers, body = _request(caddy, "GET", f"/static/{HASHED}", source="127.0.0.2")
    assert status == 200
    assert body == b"body { color: black; }"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"

    status, headers, body = _request(caddy, "GET", "/media/badges/star.png", source="127.0.0.2")
    assert status == 200
    assert body.startswith(b"\x89PNG")
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_behind_caddy_the_portal_sees_each_clients_own_address(caddy, caplog):
    with caplog.at_level(logging.INFO, logger="django_structlog"):
        status, headers, _ = _request(
            caddy,
            "GET",
            "/accounts/login/",
            source="127.0.0.3",
            headers={"Host": f"127.0.0.1:{caddy}", "X-Forwarded-For": "198.51.100.1"},
        )

    assert status == 200
    assert headers["X-Request-ID"]
    addresses = {
        record.msg["ip"]
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "request_started"
    }
    # Not Caddy's 127.0.0.1, nor what the client wrote: the address Caddy saw.
    assert addresses == {"127.0.0.3"}


def test_behind_caddy_one_clients_lockout_does_not_lock_the_others(caddy, settings, administrator):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Browser(caddy, "127.0.0.2")
    statuses = [attacker.log_in(administrator.username, "wrong") for _ in range(3)]
    assert statuses == [200, 200, 429]

    # Writing another address into X-Forwarded-For does not help: Caddy replaces it.
    assert attacker.log_in(administrator.username, TEST_PASSWORD, "198.51.100.7") == 429
    assert Browser(caddy, "127.0.0.3").log_in(administrator.username, TEST_PASSWORD) == 302
