"""The retry policy every channel shares (deliveries/retry.py)."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from deliveries.retry import (
    MESSAGE_MAX_LENGTH,
    PermanentDeliveryError,
    RetryableDeliveryError,
    attempts_exhausted,
    error_for_http_status,
    error_for_smtp_code,
    next_attempt_delay,
    retry_after_seconds,
)

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 30
    settings.DELIVERY_RETRY_MAX_SECONDS = 3600
    settings.DELIVERY_RETRY_AFTER_MAX_SECONDS = 6 * 3600
    settings.DELIVERY_MAX_ATTEMPTS = 8


class Highest:
    """A generator that always draws the top of the window."""

    def uniform(self, a, b):
        return b


class Lowest:
    def uniform(self, a, b):
        return a


@pytest.mark.parametrize(
    ("attempt", "window"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600), (40, 3600)],
)
def test_backoff_window_doubles_per_attempt_up_to_the_maximum(attempt, window):
    assert next_attempt_delay(attempt=attempt, rng=Highest()) == window


def test_backoff_never_retries_at_once():
    assert next_attempt_delay(attempt=1, rng=Lowest()) == 1.0


def test_a_huge_attempt_number_stays_at_the_maximum():
    assert next_attempt_delay(attempt=10_000, rng=Highest()) == 3600


def test_backoff_is_jittered_over_the_whole_window():
    rng = random.Random(13)
    delays = [next_attempt_delay(attempt=4, rng=rng) for _ in range(500)]
    assert all(1.0 <= delay <= 240 for delay in delays)
    # Full jitter: the draws spread over the window rather than cluster at its top.
    assert min(delays) < 40
    assert max(delays) > 200
    assert len(set(delays)) > 450


def test_backoff_uses_the_module_generator_by_default():
    random.seed(5)
    first = next_attempt_delay(attempt=3)
    random.seed(5)
    assert next_attempt_delay(attempt=3) == first


def test_settings_change_the_window(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 2
    settings.DELIVERY_RETRY_MAX_SECONDS = 10
    assert next_attempt_delay(attempt=2, rng=Highest()) == 4
    assert next_attempt_delay(attempt=5, rng=Highest()) == 10


def test_retry_after_is_a_floor_under_the_backoff():
    assert next_attempt_delay(attempt=1, retry_after=120, rng=Lowest()) == 120
    # A Retry-After shorter than the draw does not shorten it.
    assert next_attempt_delay(attempt=3, retry_after=5, rng=Highest()) == 120


def test_retry_after_beyond_the_backoff_maximum_is_honoured_up_to_its_own_cap():
    assert next_attempt_delay(attempt=1, retry_after=7200, rng=Lowest()) == 7200
    assert next_attempt_delay(attempt=1, retry_after=10**9, rng=Lowest()) == 6 * 3600


def test_attempts_are_exhausted_at_the_maximum(settings):
    assert not attempts_exhausted(7)
    assert attempts_exhausted(8)
    assert attempts_exhausted(9)
    settings.DELIVERY_MAX_ATTEMPTS = 3
    assert attempts_exhausted(3)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("99999999", 6 * 3600.0),
        ("9" * 40, 6 * 3600.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Wed, 02 Dec 2026 06:05:00 GMT", 300.0),
        # A date already past asks for no wait at all.
        ("Wed, 02 Dec 2026 05:00:00 GMT", 0.0),
        ("Fri, 31 Dec 2100 23:59:59 GMT", 6 * 3600.0),
    ],
)
def test_retry_after_header_is_read_as_seconds_or_http_date(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds


@pytest.mark.parametrize(
    "header",
    [None, "", "   ", "-5", "1.5", "soon", "Wed, 99 Foo 2026", "٣", "12 GMT", "\x00"],
)
def test_retry_after_garbage_is_ignored(header):
    assert retry_after_seconds(header, now=NOW) is None


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_statuses_that_say_later_are_retried(status):
    error = error_for_http_status(status, "busy", retry_after=3)
    assert isinstance(error, RetryableDeliveryError)
    assert error.retry_after == 3
    assert str(error) == f"HTTP {status}: busy"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_statuses_that_say_the_request_is_wrong_are_not_retried(status):
    error = error_for_http_status(status, "no")
    assert isinstance(error, PermanentDeliveryError)
    assert not isinstance(error, RetryableDeliveryError)


def test_smtp_codes_follow_their_first_digit():
    assert isinstance(error_for_smtp_code(451, "try later"), RetryableDeliveryError)
    assert isinstance(error_for_smtp_code(550, "no such user"), PermanentDeliveryError)


def test_error_messages_are_one_line_and_bounded():
    error = PermanentDeliveryError("line one\nline two\t" + "x" * 5000)
    assert "\n" not in error.message
    assert error.message.startswith("line one line two")
    assert len(error.message) == MESSAGE_MAX_LENGTH
    assert str(error) == error.message
    assert RetryableDeliveryError("").message == "Delivery failed"
    assert RetryableDeliveryError("x").retry_after is None


@given(text=st.text(max_size=80))
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_retry_after_header_is_read_or_ignored_never_an_error(text):
    seconds = retry_after_seconds(text, now=NOW)
    assert seconds is None or 0 <= seconds <= 6 * 3600


@given(
    attempt=st.integers(min_value=-5, max_value=10**6),
    retry_after=st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e12)),
    seed=st.integers(min_value=0, max_value=2**32),
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_every_delay_is_within_its_bounds(attempt, retry_after, seed):
    delay = next_attempt_delay(attempt=attempt, retry_after=retry_after, rng=random.Random(seed))
    assert 1.0 <= delay <= 6 * 3600
    if retry_after is not None and retry_after > 0:
        assert delay >= min(retry_after, 6 * 3600)
    else:
        assert delay <= 3600
