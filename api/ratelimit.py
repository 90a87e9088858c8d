"""Requests per minute per API client: a fixed-window counter, one INCR per request, in Redis
(API_RATE_LIMIT_URL, the broker's Redis by default) so every web process counts together;
without Redis (or while it is unreachable) in Django's cache."""

from __future__ import annotations

import logging
import math
import time

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis | None:
    url = settings.API_RATE_LIMIT_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _clients[url]


def _count(key: str) -> int:
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS + 5)
            count, _ = pipe.execute()
            return int(count)
        except redis.RedisError:
            logger.warning("API rate limit: Redis unreachable, counting in Django's cache.")
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


def rate_limit_take(*, client_id: int, per_minute: int) -> int | None:
    """Count one request of this client. None when it may go on, else the seconds until the
    window ends (the Retry-After)."""
    now = time.time()
    window = math.floor(now / WINDOW_SECONDS)
    key = f"{settings.API_RATE_LIMIT_KEY_PREFIX}api:rate:{client_id}:{window}"
    if _count(key) <= per_minute:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
