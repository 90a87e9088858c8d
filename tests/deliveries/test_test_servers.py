"""The local servers the delivery tests and the bench talk to: a real SMTP conversation with
aiosmtpd, and the Credly stand-in's own rules (auth, duplicates, scripted faults)."""

import smtplib
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

from tests.tools.credly_standin import DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, CredlyStandin


def test_django_smtp_backend_talks_to_the_local_server(smtp_server):
    message = EmailMultiAlternatives(
        subject="Your badge: Lab Safety",
        body="You earned Lab Safety.",
        from_email="badges@portal.example",
        to=["ada@example.org"],
        bcc=["audit@example.org"],
    )
    message.attach_alternative("<p>You earned <b>Lab Safety</b>.</p>", "text/html")
    assert message.send() == 1

    [received] = smtp_server.messages
    assert received.sender == "badges@portal.example"
    assert received.recipients == ("ada@example.org", "audit@example.org")
    assert received.subject == "Your badge: Lab Safety"
    assert received.body("plain").strip() == "You earned Lab Safety."
    assert "<b>Lab Safety</b>" in received.body("html")
    assert smtp_server.messages_to("AUDIT@example.org") == [received]
    assert smtp_server.url == f"smtp://127.0.0.1:{smtp_server.port}"


def test_a_refused_recipient_is_an_smtp_error(smtp_server):
    smtp_server.refuse_next(450, "Mailbox busy")
    connection = get_connection(fail_silently=False)
    message = EmailMultiAlternatives("s", "b", "from@example.org", ["to@example.org"])
    message.connection = connection
    with pytest.raises(smtplib.SMTPRecipientsRefused) as raised:
        message.send()
    assert raised.value.recipients["to@example.org"][0] == 450
    assert smtp_server.messages == []


def test_standin_refuses_a_wrong_basic_auth():
    with CredlyStandin(token="right") as standin:
        url = f"{standin.api_url}/v1/organizations/{standin.organization_id}/badges"
        assert httpx.get(url, auth=("wrong", "")).status_code == 401
        assert httpx.get(url, auth=("right", "x")).status_code == 401
        assert httpx.get(url).status_code == 401
        answer = httpx.get(url, auth=("right", ""))
        assert answer.status_code == 200
        assert answer.json() == {
            "data": [],
            "metadata": {
                "count": 0,
                "current_page": 1,
                "total_count": 0,
                "total_pages": 1,
                "per": 50,
                "previous_page_url": None,
                "next_page_url": None,
            },
        }


def test_standin_refuses_a_duplicate_and_missing_fields_like_credly():
    body = {
        "recipient_email": "ada@example.org",
        "issued_to_first_name": "Ada",
        "issued_to_last_name": "Lovelace",
        "badge_template_id": "t-1",
        "issued_at": "2014-04-01 09:41:00 -0500",
        "issuer_earner_id": "e-1",
    }
    with CredlyStandin(token="k") as standin:
        url = f"{standin.api_url}/v1/organizations/{standin.organization_id}/badges"
        first = httpx.post(url, json=body, auth=("k", ""))
        assert first.status_code == 201
        assert first.json()["data"]["issued_at"] == "2014-04-01T14:41:00.000Z"
        same_email = httpx.post(url, json={**body, "issuer_earner_id": "e-2"}, auth=("k", ""))
        same_earner = httpx.post(
            url, json={**body, "recipient_email": "b@example.org"}, auth=("k", "")
        )
        for answer in (same_email, same_earner):
            assert answer.status_code == 422
            assert answer.json() == {
                "data": {"message": "User already has this badge"},
                "metadata": None,
            }
        other_template = httpx.post(url, json={**body, "badge_template_id": "t-2"}, auth=("k", ""))
        assert other_template.status_code == 201
        missing = httpx.post(url, json={"recipient_email": "x@example.org"}, auth=("k", ""))
        assert missing.status_code == 422
        attributes = [error["attribute"] for error in missing.json()["data"]["errors"]]
        assert "badge_template_id" in attributes
        assert len(standin.issued()) == 2


def test_standin_scripted_faults_apply_in_order_to_their_endpoint():
    with CredlyStandin(token="k") as standin:
        base = f"{standin.api_url}/v1/organizations/{standin.organization_id}"
        standin.fail_next(500, endpoint="issue")
        standin.fail_next(429, retry_after="7")
        assert httpx.get(f"{base}/badges", auth=("k", "")).status_code == 429
        answer = httpx.get(f"{base}/badges", auth=("k", ""))
        assert answer.status_code == 200
        failed = httpx.post(f"{base}/badges", json={}, auth=("k", ""))
        assert failed.status_code == 500
        assert httpx.get(f"{base}/badges", auth=("k", "")).headers.get("Retry-After") is None


def test_standin_runs_alone_for_the_bench_and_developers():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.tools.credly_standin", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner
        assert DEFAULT_TOKEN not in banner
        url = f"http://127.0.0.1:{port}/v1/organizations/{DEFAULT_ORGANIZATION_ID}/badges"
        assert httpx.get(url, auth=(DEFAULT_TOKEN, "")).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
