"""Webhooks as Standard Webhooks (standardwebhooks.com) describes them: the secret's format, the
signature headers, the payload of an issuance event, and which URLs the portal may call.

Signing: `webhook-signature: v1,<base64 of HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.
<body>")>`, where the secret is the bytes behind `whsec_<base64>`, `webhook-id` the event's id (the
same on every attempt: a receiver refuses one it has seen) and `webhook-timestamp` the attempt's
Unix time (a receiver refuses one too far from its clock)."""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks.webhooks import Webhook

from badges.models import BadgeIssuance
from credentials.documents import assertion_url
from credentials.ob3_documents import credential_url

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def webhook_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def webhook_message_id(event_id) -> str:
    return f"msg_{event_id.hex}"


def webhook_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt, signed with the package's own code."""
    at = at.astimezone(UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def _isoformat(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def issuance_status(issuance: BadgeIssuance, *, now: datetime) -> str:
    if issuance.revoked_at is not None:
        return "revoked"
    if issuance.expires_at is not None and issuance.expires_at <= now:
        return "expired"
    return "active"


def webhook_payload(*, event_type: str, occurred_at: datetime, issuance: BadgeIssuance) -> dict:
    """The event as the receiver gets it: what happened, when, and the issuance as it stands
    when the event is first sent (with its credential URLs)."""
    badge = issuance.badge
    recipient = issuance.recipient
    return {
        "type": event_type,
        "timestamp": _isoformat(occurred_at),
        "data": {
            "issuance": str(issuance.uuid),
            "badge": {"id": badge.pk, "name": badge.name},
            "recipient": {"username": recipient.username, "email": recipient.email or None},
            "issued_at": _isoformat(issuance.issued_at),
            "expires_at": _isoformat(issuance.expires_at),
            "status": issuance_status(issuance, now=occurred_at),
            "revocation_reason": issuance.revocation_reason or None,
            "credentials": {
                "open_badges_2": assertion_url(issuance),
                "open_badges_3": credential_url(issuance),
            },
        },
    }


def webhook_body(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def webhook_url_problem(url: str) -> str | None:
    """Why the portal may not POST to this URL, or None. https to a public host only, so that the
    workers are no way into the internal network; WEBHOOK_ALLOW_LOCAL_URLS (development, tests)
    also allows http(s) to this machine (127.0.0.1, localhost, ::1)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return "Enter a full URL, such as https://lab.example.org/hooks/badges."
    if parts.username or parts.password:
        return "The URL may not contain a user name or password."
    if parts.fragment:
        return "The URL may not contain a fragment (#…)."
    if settings.WEBHOOK_ALLOW_LOCAL_URLS and host in LOCAL_HOSTS:
        return None if parts.scheme in {"http", "https"} else "The URL must start with https://."
    if parts.scheme != "https":
        return "The URL must start with https://."
    if host in LOCAL_HOSTS or host.endswith((".localhost", ".local", ".internal")):
        return "The URL must name a public host, not this machine or an internal one."
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not _is_public(str(literal)):
        return "The URL must name a public address, not a private, loopback or link-local one."
    return None


def webhook_address_problem(url: str) -> str | None:
    """Checked again before each request, after resolving the host: a public name that resolves
    to a private address is refused too."""
    problem = webhook_url_problem(url)
    if problem:
        return problem
    host = urlsplit(url).hostname or ""
    if settings.WEBHOOK_ALLOW_LOCAL_URLS and host.lower() in LOCAL_HOSTS:
        return None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # the request itself reports the unknown host (and is retried)
    if any(not _is_public(info[4][0]) for info in infos):
        return f"{host} resolves to a private or loopback address: not called."
    return None
