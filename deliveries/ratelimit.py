"""Sends per second per channel, shared by every worker: a fixed-window counter in Redis
(DELIVERY_RATE_LIMIT_URL, the broker's Redis by default), one INCR per send. Without Redis (the
embedded setup, the tests) each worker paces itself at the same rate."""

from __future__ import annotations

import logging
import math
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis | None:
    url = settings.DELIVERY_RATE_LIMIT_URL
    if not url:
        return None
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]


def channel_rate(channel: str) -> float:
    return float(getattr(settings, f"DELIVERY_{channel.upper()}_PER_SECOND", 0) or 0)


class ChannelPace:
    """`take()` waits until this channel may send once more."""

    def __init__(self, channel: str, per_second: float | None = None):
        self.channel = channel
        self.per_second = channel_rate(channel) if per_second is None else per_second
        # A window of at least a second, holding at least one send.
        self.window = max(1.0, 1.0 / self.per_second) if self.per_second > 0 else 0.0
        self.limit = max(1, math.floor(self.per_second * self.window)) if self.window else 0
        self._next_local = 0.0

    def take(self) -> None:
        if not self.limit:
            return
        client = _redis()
        if client is not None:
            try:
                self._take_shared(client)
                return
            except redis.RedisError:
                logger.warning("Delivery rate limit: Redis unreachable, pacing this worker alone.")
        self._take_local()

    def _take_shared(self, client: redis.Redis) -> None:
        while True:
            now = time.time()
            window = math.floor(now / self.window)
            prefix = settings.DELIVERY_RATE_LIMIT_KEY_PREFIX
            key = f"{prefix}deliveries:rate:{self.channel}:{window}"
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, math.ceil(self.window) + 1)
            count, _ = pipe.execute()
            if count <= self.limit:
                return
            time.sleep(max((window + 1) * self.window - now, 0.001))

    def _take_local(self) -> None:
        now = time.monotonic()
        if self._next_local > now:
            time.sleep(self._next_local - now)
            now = self._next_local
        self._next_local = now + 1.0 / self.per_second
