"""The Credly client: issue a badge to a recipient, revoke it, find it again.

It follows Credly's Web Service API v1 (https://www.credly.com/docs/web_service_api and
https://www.credly.com/docs/issued_badges):

- every request goes to `<API URL>/v1/organizations/<organization id>/…` with HTTP Basic
  authentication, the organization's authorization token as the user name and an empty password,
  JSON in and out;
- "Issue a badge": `POST …/badges` with `badge_template_id`, `recipient_email`,
  `issued_to_first_name`, `issued_to_last_name`, `issued_at` ("2014-04-01 09:41:00 -0500"),
  `issuer_earner_id` and optionally `expires_at`; the answer is `{"data": {<badge>}, "metadata":
  …}` whose badge has an `id` and a `state` (pending until the earner accepts);
- "Get issued badges": `GET …/badges?filter=issuer_earner_id::<value>`, answering
  `{"data": [<badge>, …], "metadata": {…pages…}}`;
- "Get an issued badge": `GET …/badges/<id>`;
- "Revoke a badge": `PUT …/badges/<id>/revoke` with `reason` and
  `suppress_revoke_notification_email`;
- errors come as a status and `{"data": {"message": "…"}, "metadata": null}` (422 for a request
  Credly refuses, such as a duplicate badge or an unknown template).

Idempotency: the `issuer_earner_id` we send is the issuance's UUID. Credly refuses a duplicate (same
template and same recipient e-mail or same issuer_earner_id) with a 422, and a retry looks the badge
up by its issuer_earner_id before issuing again, so an issue whose answer was lost (a timeout after
Credly created the badge) never makes a second badge: the retry finds and returns the first.

Every failure is a `RetryableDeliveryError` (timeouts, connection errors, 5xx, 429 with its
Retry-After) or a `PermanentDeliveryError` (401, 403, 404, 422…) carrying Credly's own message and
never the token. There is no global state: each call takes the account, and an `httpx.Client` when
the caller wants to reuse connections across a batch (`credly_http_client()` makes one with the
configured timeouts).
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils import timezone

from common.crypto import EncryptionKeyMissing, SecretUnreadable, decrypt_secret
from deliveries.models import CredlyConnection, Delivery
from deliveries.retry import (
    PermanentDeliveryError,
    RetryableDeliveryError,
    error_for_http_status,
    retry_after_seconds,
)

logger = logging.getLogger(__name__)

USER_AGENT = "badge-portal-credly-client/1"
# Credly states a badge may be in; a revoked badge no longer counts as the issuance's badge.
STATE_REVOKED = "revoked"
REVOKE_REASON_MAX_LENGTH = 1000


@dataclass(frozen=True)
class CredlyAccount:
    """Where and as whom to call Credly. The token stays out of repr(), logs and messages."""

    api_url: str
    organization_id: str
    token: str = field(repr=False)

    @property
    def organization_url(self) -> str:
        base = self.api_url.strip().rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        return f"{base}/organizations/{quote(self.organization_id.strip(), safe='')}"


@dataclass(frozen=True)
class CredlyBadge:
    """A badge as Credly keeps it: its id and its state (pending, accepted, rejected, revoked)."""

    id: str
    state: str


def credly_delivery_status(badge: CredlyBadge) -> str:
    """The delivery status a badge's Credly state means: accepted once the earner accepted it,
    sent otherwise (pending acceptance, rejected by the earner, or revoked for a revocation)."""
    if badge.state == "accepted":
        return Delivery.Status.ACCEPTED
    return Delivery.Status.SENT


def credly_account_for(connection: CredlyConnection) -> CredlyAccount:
    """The account of an organization's Credly connection, its token decrypted. A token no key
    decrypts is a permanent failure (an administrator enters it again); a deployment without
    ENCRYPTION_KEYS a retryable one (it works again once the key is back)."""
    try:
        token = decrypt_secret(connection.api_token).decode("utf-8")
    except SecretUnreadable:
        raise PermanentDeliveryError(
            "The stored Credly token cannot be decrypted: enter it again on the Credly settings "
            "page."
        ) from None
    except EncryptionKeyMissing:
        raise RetryableDeliveryError(
            "ENCRYPTION_KEYS is not set: the Credly token cannot be read."
        ) from None
    return CredlyAccount(
        api_url=connection.api_url,
        organization_id=connection.credly_organization_id,
        token=token,
    )


def credly_timeout() -> httpx.Timeout:
    return httpx.Timeout(
        settings.CREDLY_READ_TIMEOUT_SECONDS,
        connect=settings.CREDLY_CONNECT_TIMEOUT_SECONDS,
    )


def credly_http_client() -> httpx.Client:
    """An HTTP client for a batch of Credly calls (the caller closes it): explicit timeouts, no
    redirects followed (a redirect would carry the token elsewhere), no proxies from the
    environment's variables."""
    return httpx.Client(
        timeout=credly_timeout(),
        follow_redirects=False,
        trust_env=False,
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
    )


@contextmanager
def _client_for(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with credly_http_client() as own:
        yield own


def credly_time(moment: datetime) -> str:
    """A moment in the format Credly documents ("2014-04-01 09:41:00 -0500"), in UTC."""
    if timezone.is_naive(moment):
        raise ValueError("Credly needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S %z")


def _provider_message(response: httpx.Response) -> str:
    """Credly's own words for a failure: data.message, then any field errors, else the reason."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.reason_phrase or ""
    parts: list[str] = []
    if isinstance(body, dict):
        data = body.get("data", body)
        if isinstance(data, dict):
            message = data.get("message")
            if isinstance(message, str) and message.strip():
                parts.append(message.strip())
            errors = data.get("errors")
            if isinstance(errors, list):
                for error in errors[:10]:
                    if isinstance(error, dict):
                        attribute = error.get("attribute", "")
                        messages = error.get("messages") or error.get("message") or ""
                        if isinstance(messages, list):
                            messages = ", ".join(str(m) for m in messages)
                        parts.append(f"{attribute} {messages}".strip())
                    elif isinstance(error, str):
                        parts.append(error)
    return "; ".join(part for part in parts if part) or response.reason_phrase or ""


def _request(
    client: httpx.Client,
    account: CredlyAccount,
    method: str,
    path: str,
    *,
    params: dict | None = None,
    payload: dict | None = None,
) -> dict:
    """One call to Credly: the parsed JSON body of a 2xx answer, or the error it means."""
    url = account.organization_url + path
    try:
        response = client.request(
            method,
            url,
            params=params,
            json=payload,
            auth=httpx.BasicAuth(account.token, ""),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=credly_timeout(),
        )
    except httpx.TimeoutException as exc:
        raise RetryableDeliveryError(
            f"Credly did not answer in time ({type(exc).__name__})"
        ) from None
    except httpx.TransportError as exc:
        raise RetryableDeliveryError(f"Could not reach Credly ({type(exc).__name__})") from None
    logger.info(
        "credly request",
        extra={
            "method": method,
            "path": path,
            "status": response.status_code,
            "credly_organization": account.organization_id,
        },
    )
    if response.is_success:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise RetryableDeliveryError(
                f"Credly answered HTTP {response.status_code} with a body that is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise RetryableDeliveryError("Credly answered with an unexpected body")
        return body
    retry_after = retry_after_seconds(response.headers.get("Retry-After"), now=timezone.now())
    raise error_for_http_status(
        response.status_code, f"Credly: {_provider_message(response)}", retry_after=retry_after
    )


def _badge_from(data: object) -> CredlyBadge:
    if not isinstance(data, dict) or not data.get("id"):
        raise RetryableDeliveryError("Credly's answer has no badge id")
    return CredlyBadge(id=str(data["id"]), state=str(data.get("state") or ""))


def _one_badge(body: dict) -> CredlyBadge:
    return _badge_from(body.get("data"))


def credly_issue_badge(
    *,
    account: CredlyAccount,
    template_id: str,
    recipient_email: str,
    first_name: str,
    last_name: str,
    issued_at: datetime,
    issuer_earner_id: str,
    expires_at: datetime | None = None,
    client: httpx.Client | None = None,
    is_retry: bool = False,
) -> CredlyBadge:
    """Issue the badge of `template_id` to the recipient, once.

    `is_retry` (the delivery was attempted before, including by a worker killed before it could
    record the answer: pass `delivery.attempts > 0` when attempts are counted at claim time):
    look the badge up by `issuer_earner_id` first and return it if the earlier attempt did
    create it. A 422 (Credly's duplicate check,
    among others) is also answered by a look-up: the existing badge is returned, and only when
    there is none is the 422 a permanent failure. `expires_at` None leaves the template's own
    expiry (Credly's default)."""
    if not first_name.strip() or not last_name.strip():
        raise PermanentDeliveryError(
            "Credly needs the recipient's first and last name; the student's profile lacks one"
        )
    if not recipient_email.strip():
        raise PermanentDeliveryError("Credly needs the recipient's e-mail address")
    with _client_for(client) as http:
        if is_retry:
            existing = credly_find_badge(
                account=account,
                issuer_earner_id=issuer_earner_id,
                template_id=template_id,
                client=http,
            )
            if existing is not None:
                return existing
        payload = {
            "badge_template_id": template_id,
            "recipient_email": recipient_email.strip(),
            "issued_to_first_name": first_name.strip(),
            "issued_to_last_name": last_name.strip(),
            "issued_at": credly_time(issued_at),
            "issuer_earner_id": issuer_earner_id,
        }
        if expires_at is not None:
            payload["expires_at"] = credly_time(expires_at)
        try:
            body = _request(http, account, "POST", "/badges", payload=payload)
        except PermanentDeliveryError as error:
            if error.status_code != 422:
                raise
            existing = credly_find_badge(
                account=account,
                issuer_earner_id=issuer_earner_id,
                template_id=template_id,
                client=http,
            )
            if existing is None:
                raise
            return existing
        return _one_badge(body)


def credly_find_badge(
    *,
    account: CredlyAccount,
    issuer_earner_id: str,
    template_id: str | None = None,
    include_revoked: bool = False,
    client: httpx.Client | None = None,
) -> CredlyBadge | None:
    """The badge Credly holds for this issuer_earner_id (of this template, when given), or None.
    A revoked badge does not count unless `include_revoked`; of several, the newest."""
    with _client_for(client) as http:
        body = _request(
            http,
            account,
            "GET",
            "/badges",
            params={"filter": f"issuer_earner_id::{issuer_earner_id}", "sort": "-created_at"},
        )
    found = body.get("data")
    if not isinstance(found, list):
        raise RetryableDeliveryError("Credly's list of badges has an unexpected shape")
    for item in found:
        if not isinstance(item, dict) or str(item.get("issuer_earner_id")) != issuer_earner_id:
            continue
        template = item.get("badge_template")
        item_template = template.get("id") if isinstance(template, dict) else None
        if template_id and item_template and str(item_template) != template_id:
            continue
        badge = _badge_from(item)
        if badge.state == STATE_REVOKED and not include_revoked:
            continue
        return badge
    return None


def credly_get_badge(
    *, account: CredlyAccount, badge_id: str, client: httpx.Client | None = None
) -> CredlyBadge:
    """One badge by Credly's id (its current state: pending, accepted, rejected, revoked)."""
    with _client_for(client) as http:
        body = _request(http, account, "GET", f"/badges/{quote(badge_id, safe='')}")
    return _one_badge(body)


def credly_revoke_badge(
    *,
    account: CredlyAccount,
    badge_id: str,
    reason: str,
    client: httpx.Client | None = None,
) -> CredlyBadge:
    """Revoke a badge with the portal's reason; Credly tells the earner. Revoking a badge that is
    already revoked (a retry whose first answer was lost) returns it as it is."""
    reason = " ".join(reason.split()) or "Revoked by the issuer"
    reason = reason[:REVOKE_REASON_MAX_LENGTH]
    with _client_for(client) as http:
        try:
            body = _request(
                http,
                account,
                "PUT",
                f"/badges/{quote(badge_id, safe='')}/revoke",
                payload={"reason": reason, "suppress_revoke_notification_email": False},
            )
        except PermanentDeliveryError as error:
            if error.status_code != 422:
                raise
            current = credly_get_badge(account=account, badge_id=badge_id, client=http)
            if current.state != STATE_REVOKED:
                raise
            return current
    return _one_badge(body)
