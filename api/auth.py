"""Who is calling: a bearer token of an active API client, with the scope the route needs.
Nothing here reads the session cookie, so no write is ever accepted on one."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .errors import Problem
from .models import ApiClient
from .tokens import token_hash

# A token longer than this is no token of ours: refused before it is hashed.
MAX_TOKEN_LENGTH = 200


class ApiToken(HttpBearer):
    """`auth=ApiToken("completions:write")` on a route: the request must carry the token of an
    active client that holds the scope. `request.auth` is then the ApiClient."""

    def __init__(self, scope: str):
        super().__init__()
        if scope not in ApiClient.Scope.values:
            raise ValueError(f"Unknown scope {scope!r}")
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        client = (
            ApiClient.objects.select_related("organization")
            .filter(token_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if client is None:
            return None
        if self.scope not in client.scopes:
            raise Problem(
                403,
                "missing-scope",
                "Missing scope",
                f"This token lacks the scope {self.scope}.",
            )
        return client
