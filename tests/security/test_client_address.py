"""Behind the proxy, the client is not the proxy: the login lockout, the audit trail and the logs
take the client's address from one helper (common.client_address), which believes X-Forwarded-For
only from a trusted proxy (TRUSTED_PROXIES). Each case with and without a proxy."""

import json
import logging
import os
import subprocess
import sys

import pytest
import structlog
from django.test import Client, override_settings
from django.urls import reverse

from badges.models import BadgeIssuance
from common.client_address import client_address
from tests.factories import TEST_PASSWORD, BadgeIssuanceFactory
from tests.helpers import ROOT

PROXY = "10.0.0.2"
BEHIND_PROXY = override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])


def meta(peer, forwarded=None):
    values = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        values["HTTP_X_FORWARDED_FOR"] = forwarded
    return values


# --- the helper ----------------------------------------------------------------------------------


def test_without_trusted_proxies_the_socket_address_is_the_client_and_the_header_is_ignored():
    assert client_address(meta("203.0.113.7")) == "203.0.113.7"
    assert client_address(meta("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_address(meta(PROXY, "198.51.100.1")) == PROXY


@BEHIND_PROXY
def test_a_trusted_proxy_gives_the_address_it_forwards():
    assert client_address(meta(PROXY, "203.0.113.7")) == "203.0.113.7"


@BEHIND_PROXY
def test_the_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored():
    assert client_address(meta("203.0.113.66", "198.51.100.1")) == "203.0.113.66"


@BEHIND_PROXY
def test_what_a_client_writes_at_the_left_of_the_header_is_never_believed():
    # The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the real address.
    assert client_address(meta(PROXY, "198.51.100.1, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "192.0.2.10"])
def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop():
    assert client_address(meta(PROXY, "198.51.100.1, 203.0.113.7, 192.0.2.10")) == "203.0.113.7"
    assert client_address(meta(PROXY, "192.0.2.10, 10.0.0.9")) == "192.0.2.10"


@BEHIND_PROXY
@pytest.mark.parametrize("header", ["", "not an address", "203.0.113.7, <script>", "a" * 5000])
def test_a_malformed_header_from_the_proxy_leaves_the_proxy_as_the_client(header):
    assert client_address(meta(PROXY, header)) == PROXY


@override_settings(TRUSTED_PROXIES=["fd00::/8"])
def test_ipv6_proxies_and_clients():
    assert client_address(meta("fd00::2", "2001:db8::7")) == "2001:db8::7"
    assert client_address(meta("2001:db8::66", "2001:db8::7")) == "2001:db8::66"


def test_no_socket_address_is_unknown():
    assert client_address({}) == "unknown address"


# --- the login lockout ---------------------------------------------------------------------------


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _fail_three_times(client, username, **extra):
    statuses = [_login(client, username, "wrong", **extra).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the third failure locks


@pytest.mark.django_db
@BEHIND_PROXY
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_behind_the_proxy_a_lockout_of_one_client_does_not_lock_the_others(administrator):
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    _fail_three_times(Client(), administrator.username, **attacker)

    assert _login(Client(), administrator.username, TEST_PASSWORD, **attacker).status_code == 429
    assert _login(Client(), administrator.username, TEST_PASSWORD, **owner).status_code == 302


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_without_a_proxy_a_forged_header_does_not_escape_the_lockout(administrator):
    for number in range(3):
        forged = {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": f"198.51.100.{number}"}
        _login(Client(), administrator.username, "wrong", **forged)

    again = {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert _login(Client(), administrator.username, TEST_PASSWORD, **again).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.20"}
    assert _login(Client(), administrator.username, TEST_PASSWORD, **other).status_code == 302


@pytest.mark.django_db
@BEHIND_PROXY
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_peer_outside_the_trusted_proxies_cannot_pose_as_another_client(administrator):
    outsider = {"REMOTE_ADDR": "203.0.113.66"}
    _fail_three_times(Client(), administrator.username, **outsider)

    forged = {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert _login(Client(), administrator.username, TEST_PASSWORD, **forged).status_code == 429


# --- the audit trail -----------------------------------------------------------------------------


def _revoke(client, issuance, **extra):
    return client.post(
        reverse("badges:revoke", args=[issuance.pk]), {"reason": "Wrong student"}, **extra
    )


@pytest.fixture
def issuance(manual_badge, student, administrator):
    return BadgeIssuanceFactory(badge=manual_badge, recipient=student, issued_by=administrator)


@pytest.mark.django_db
@BEHIND_PROXY
def test_behind_the_proxy_the_audit_trail_records_the_client(admin_client, issuance):
    response = _revoke(
        admin_client, issuance, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )

    assert response.status_code == 302
    assert BadgeIssuance.objects.get(pk=issuance.pk).revoked_from.endswith(" from 203.0.113.7")


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_audit_trail_records_the_socket_address(admin_client, issuance):
    response = _revoke(
        admin_client, issuance, REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert response.status_code == 302
    assert BadgeIssuance.objects.get(pk=issuance.pk).revoked_from.endswith(" from 203.0.113.66")


# --- the logs ------------------------------------------------------------------------------------


def _logged_addresses(caplog) -> set[str]:
    return {
        record.msg["ip"]
        for record in caplog.records
        if record.name == "django_structlog.middlewares.request" and isinstance(record.msg, dict)
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trusted", "expected"), [(["10.0.0.0/24"], "203.0.113.7"), ([], PROXY)], ids=["proxy", "none"]
)
def test_request_log_lines_name_the_same_client_address(
    client, caplog, settings, trusted, expected
):
    settings.TRUSTED_PROXIES = trusted
    with caplog.at_level(logging.INFO, logger="django_structlog"):
        client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert _logged_addresses(caplog) == {expected}
    # And rendered as the JSON line production writes.
    formatter = next(
        handler.formatter
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    )
    line = json.loads(formatter.format(caplog.records[-1]))
    assert line["ip"] == expected


@pytest.mark.parametrize("variable", ["TRUSTED_PROXIES", "METRICS_ALLOWED_NETWORKS"])
def test_a_bad_network_in_the_settings_stops_the_start(variable):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "lms_portal.settings.production",
            variable: "10.0.0.0/8,proxy.example",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "'proxy.example' does not appear to be an IPv4 or IPv6 network" in result.stderr
