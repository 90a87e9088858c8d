"""The retry policy every delivery channel shares: which failures are tried again, and when.

A channel raises `RetryableDeliveryError` for what may succeed later (a timeout, a refused or
dropped connection, a 5xx, a 429, an SMTP 4xx) and `PermanentDeliveryError` for an answer that
says the request itself is wrong (401, 403, 404, 422, an SMTP 5xx): sending it again would get the
same answer. The outbox records the message of either on the delivery (`last_error`).

Backoff is exponential with full jitter: after attempt n (1-based) the next one waits a random
time in [0, min(DELIVERY_RETRY_MAX_SECONDS, DELIVERY_RETRY_BASE_SECONDS × 2^(n-1))], at least one
second, so that deliveries that failed together (a provider's outage) do not all come back at the
same moment. A provider's `Retry-After` is a floor under that delay, itself capped by
DELIVERY_RETRY_AFTER_MAX_SECONDS so that a hostile or broken answer cannot park a delivery for a
year. After DELIVERY_MAX_ATTEMPTS attempts the delivery stays failed (and visible) until someone
resends it.
"""

import email.utils
import random
from datetime import datetime

from django.conf import settings

# Provider messages go into the delivery row and onto status pages: long bodies are cut.
MESSAGE_MAX_LENGTH = 1000
MIN_DELAY_SECONDS = 1.0


class DeliveryError(Exception):
    """A delivery attempt that did not succeed, with the provider's message (never a secret)."""

    def __init__(self, message: str, *, status_code: int | None = None):
        message = " ".join(str(message).split()) or "Delivery failed"
        if len(message) > MESSAGE_MAX_LENGTH:
            message = message[: MESSAGE_MAX_LENGTH - 1] + "…"
        super().__init__(message)
        self.message = message
        # The provider's HTTP status or SMTP code, when the failure was an answer.
        self.status_code = status_code


class RetryableDeliveryError(DeliveryError):
    """May succeed later: timeouts, connection errors, 5xx, 429 (with the provider's Retry-After
    in seconds when it gave one)."""

    def __init__(
        self, message: str, retry_after: float | None = None, *, status_code: int | None = None
    ):
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """The request is wrong as it stands (bad token, unknown template, invalid data): no retry."""


# 408 Request Timeout, 425 Too Early and 429 Too Many Requests are the 4xx answers that say
# "later", not "never".
RETRYABLE_4XX = frozenset({408, 425, 429})


def status_is_retryable(status_code: int) -> bool:
    return status_code >= 500 or status_code in RETRYABLE_4XX


def error_for_http_status(
    status_code: int, message: str, *, retry_after: float | None = None
) -> DeliveryError:
    """The exception an HTTP channel raises for an unsuccessful status."""
    text = f"HTTP {status_code}: {message}" if message else f"HTTP {status_code}"
    if status_is_retryable(status_code):
        return RetryableDeliveryError(text, retry_after=retry_after, status_code=status_code)
    return PermanentDeliveryError(text, status_code=status_code)


def error_for_smtp_code(code: int, message: str) -> DeliveryError:
    """SMTP says it in the first digit: 4xx is transient (try later), 5xx permanent."""
    text = f"SMTP {code}: {message}" if message else f"SMTP {code}"
    if 400 <= code < 500:
        return RetryableDeliveryError(text, status_code=code)
    return PermanentDeliveryError(text, status_code=code)


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """The wait a `Retry-After` header asks for, in seconds: delta-seconds ("120") or an
    HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"). A date in the past means now (0). Bounded by
    DELIVERY_RETRY_AFTER_MAX_SECONDS; None when the header is absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    ceiling = float(settings.DELIVERY_RETRY_AFTER_MAX_SECONDS)
    if value.isascii() and value.isdigit():
        if len(value) > 12:
            return ceiling
        return min(float(int(value)), ceiling)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        # RFC 9110 dates are always GMT; a date without a zone is not one of them.
        return None
    seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), ceiling)


def next_attempt_delay(*, attempt: int, retry_after: float | None = None, rng=random) -> float:
    """Seconds to wait before the attempt after `attempt` (the 1-based number of the one that
        just failed): full jitter over an exponential window, with Retry-After as a floor. `rng` is
    anything with `uniform(a, b)` (the random module, or a seeded random.Random in tests)."""
    base = float(settings.DELIVERY_RETRY_BASE_SECONDS)
    cap = float(settings.DELIVERY_RETRY_MAX_SECONDS)
    exponent = min(max(attempt, 1) - 1, 62)
    window = min(cap, base * (2**exponent))
    delay = max(rng.uniform(0, window), MIN_DELAY_SECONDS)
    if retry_after is not None and retry_after > 0:
        floor = min(float(retry_after), float(settings.DELIVERY_RETRY_AFTER_MAX_SECONDS))
        delay = max(delay, floor)
    return delay


def attempts_exhausted(attempts: int) -> bool:
    """True once a delivery has been tried DELIVERY_MAX_ATTEMPTS times: it stays failed."""
    return attempts >= settings.DELIVERY_MAX_ATTEMPTS
