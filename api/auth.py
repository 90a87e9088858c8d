"""Who is calling: a bearer token of an active API client, with the scope the route needs, within
its requests per minute. Nothing here reads the session cookie, so no write is ever accepted on
one."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .errors import Problem, body_size_check
from .models import ApiClient
from .ratelimit import rate_limit_take
from .tokens import token_hash

# A token longer than this is no token of ours: refused before it is hashed.
MAX_TOKEN_LENGTH = 200
# last_used_at is written at most this often per client: one conditional UPDATE, not one per
# request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _touch(client: ApiClient) -> None:
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
        pk=client.pk,
    ).update(last_used_at=now)
    client.last_used_at = now


class ApiToken(HttpBearer):
    """`auth=ApiToken("completions:write")` on a route: the request must carry the token of an
    active client that holds the scope. `request.auth` is then the ApiClient."""

    def __init__(self, scope: str):
        super().__init__()
        if scope not in ApiClient.Scope.values:
            raise ValueError(f"Unknown scope {scope!r}")
        self.scope = scope

    def __call__(self, request: HttpRequest):
        body_size_check(request)
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        client = (
            ApiClient.objects.select_related("organization", "service_user")
            .filter(token_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if client is None:
            return None
        retry_after = rate_limit_take(client_id=client.pk, per_minute=client.requests_per_minute)
        if retry_after is not None:
            raise Problem(
                429,
                "rate-limited",
                "Too many requests",
                f"This client may send {client.requests_per_minute} requests per minute; "
                f"try again in {retry_after} seconds.",
                headers={"Retry-After": str(retry_after)},
            )
        _touch(client)
        if self.scope not in client.scopes:
            raise Problem(
                403,
                "missing-scope",
                "Missing scope",
                f"This token lacks the scope {self.scope}.",
            )
        return client
