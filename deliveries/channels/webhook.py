"""The webhook channel: each claimed event POSTed to its endpoint, signed (deliveries/webhooks.py),
through one httpx client per batch (explicit timeouts, no redirects, no proxies from the
environment). A 2xx answer is delivered; 5xx, 408, 425, 429, timeouts and connection errors are
tried again with the outbox's backoff (deliveries/retry.py); any other answer fails. The answer's
status and the start of its body are kept on the row.

The body is built when an event is first sent and kept: every later attempt (and a Redeliver)
sends the same bytes under the same id, only the timestamp and signature are new."""

from __future__ import annotations

import httpx
from django.conf import settings
from django.utils import timezone

from common.crypto import decrypt_secret
from deliveries.models import WebhookDelivery
from deliveries.ratelimit import ChannelPace
from deliveries.retry import (
    MESSAGE_MAX_LENGTH,
    RetryableDeliveryError,
    error_for_http_status,
    retry_after_seconds,
)
from deliveries.services.outbox import WEBHOOK, Failed, Outcome, Retry, Sent, Skipped
from deliveries.webhooks import (
    webhook_address_problem,
    webhook_body,
    webhook_headers,
    webhook_message_id,
    webhook_payload,
)

ENDPOINT_OFF = "The endpoint is turned off."
NOT_SUBSCRIBED = "The endpoint no longer receives this event."
# How much of a receiver's answer the delivery log keeps.
EXCERPT_LENGTH = 500
USER_AGENT = "badge-portal-webhooks/1"


def webhook_http_client() -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(
            settings.WEBHOOK_READ_TIMEOUT_SECONDS, connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS
        ),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
    )


def _excerpt(response: httpx.Response) -> str:
    text = response.text[: EXCERPT_LENGTH + 1]
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def webhook_body_of(delivery: WebhookDelivery) -> str:
    if delivery.body:
        return delivery.body
    return webhook_body(
        webhook_payload(
            event_type=delivery.event_type,
            occurred_at=delivery.occurred_at,
            issuance=delivery.issuance,
        )
    )


def _post(
    delivery: WebhookDelivery, client: httpx.Client, secrets: dict[int, str], pace: ChannelPace
) -> Outcome:
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        return Skipped(ENDPOINT_OFF)
    if delivery.event_type not in endpoint.events:
        return Skipped(NOT_SUBSCRIBED)
    body = webhook_body_of(delivery)
    kept = (("body", body),)
    problem = webhook_address_problem(endpoint.url)
    if problem:
        return Failed(problem, fields=kept)
    if endpoint.pk not in secrets:
        secrets[endpoint.pk] = decrypt_secret(endpoint.secret).decode("ascii")
    headers = webhook_headers(
        secret=secrets[endpoint.pk],
        message_id=webhook_message_id(delivery.event_id),
        body=body,
        at=timezone.now(),
    )
    pace.take()
    try:
        response = client.post(endpoint.url, content=body.encode("utf-8"), headers=headers)
    except httpx.TimeoutException:
        return Retry(
            "The endpoint did not answer in time.", fields=(*kept, ("response_status", None))
        )
    except httpx.HTTPError as error:
        message = f"Could not reach the endpoint: {type(error).__name__}: {error}"
        return Retry(message[:MESSAGE_MAX_LENGTH], fields=(*kept, ("response_status", None)))
    fields = (
        *kept,
        ("response_status", response.status_code),
        ("response_excerpt", _excerpt(response)),
    )
    if 200 <= response.status_code < 300:
        return Sent(fields=fields)
    error = error_for_http_status(
        response.status_code,
        response.reason_phrase,
        retry_after=retry_after_seconds(response.headers.get("Retry-After"), now=timezone.now()),
    )
    if isinstance(error, RetryableDeliveryError):
        return Retry(error.message, error.retry_after, fields=fields)
    return Failed(error.message, fields=fields)


def webhook_send_batch(deliveries: list[WebhookDelivery], pace: ChannelPace | None = None) -> dict:
    pace = pace or ChannelPace(WEBHOOK)
    outcomes: dict[int, Outcome] = {}
    secrets: dict[int, str] = {}
    with webhook_http_client() as client:
        for delivery in deliveries:
            outcomes[delivery.pk] = _post(delivery, client, secrets, pace)
    return outcomes
