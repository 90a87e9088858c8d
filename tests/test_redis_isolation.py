"""The suite shares a developer's Redis without harming it: what a broker of the suite writes is
under the run's key prefix, and the clean-up deletes those keys and no other (never FLUSHDB)."""

import secrets

import pytest

from tests.helpers import REDIS_KEY_PREFIX, celery_sender, delete_keys_with_prefix

pytestmark = pytest.mark.redis


def _keys(client, pattern: str) -> set[bytes]:
    return set(client.scan_iter(match=pattern))


def test_a_key_outside_the_runs_prefix_survives_the_clean_up(redis_broker, monkeypatch):
    client = redis_broker.client
    monkeypatch.setattr(type(client), "flushdb", lambda *a, **k: pytest.fail("FLUSHDB called"))
    monkeypatch.setattr(type(client), "flushall", lambda *a, **k: pytest.fail("FLUSHALL called"))
    token = secrets.token_hex(6)
    outside = [
        f"developer:{token}",  # a developer's own key
        f"{REDIS_KEY_PREFIX.rstrip(':')}{token}",  # starts like the prefix, is not under it
        f"portal-tests-other-run-{token}:celery",  # another run's key
    ]
    try:
        for key in outside:
            client.set(key, "keep", ex=600)

        sender = celery_sender(redis_broker.url, **redis_broker.transport_options)
        sender.send_task("awarding.tasks.sweep_achievements", queue=f"isolation-{token}")
        sender.close()
        written = _keys(client, f"{REDIS_KEY_PREFIX}*")
        assert f"{REDIS_KEY_PREFIX}isolation-{token}".encode() in written
        assert not client.exists(f"isolation-{token}")  # the queue itself is only under the prefix

        assert redis_broker.clean() == len(written)

        assert _keys(client, f"{REDIS_KEY_PREFIX}*") == set()
        assert [client.get(key) for key in outside] == [b"keep"] * len(outside)
    finally:
        client.delete(*outside)


def test_the_clean_up_refuses_an_empty_prefix():
    with pytest.raises(ValueError, match="empty prefix"):
        delete_keys_with_prefix(object(), "")
