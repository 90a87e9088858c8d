"""The permission matrix of the API: every operation the API registers (whichever router, the
completions' and webhooks' too), with no token, a malformed one, a revoked client's, a client
without the operation's scope, and another organization's client. Built from the NinjaAPI's
own list of operations, so a new route is in the matrix the day it is added."""

import json
import re
import uuid

import pytest
from django.utils import timezone

from api.api import api
from api.auth import ApiToken
from api.models import ApiClient
from tests.api.conftest import make_integration

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"


def _operations():
    """(method, path template, scope) of every operation, from the routers themselves."""
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                # A route's own auth, or its router's (ninja resolves the latter when called).
                callbacks = operation.auth_callbacks or [router.auth]
                [auth] = [cb for cb in callbacks if isinstance(cb, ApiToken)]
                full = "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
                # A typed parameter ({int:endpoint_id}) is {endpoint_id} in the document.
                full = re.sub(r"\{\w+:(\w+)\}", r"{\1}", full)
                found.extend((method, "/" + full, auth.scope) for method in operation.methods)
    return sorted(set(found))


OPERATIONS = _operations()


def test_every_operation_of_the_openapi_document_is_in_the_matrix():
    schema = api.get_openapi_schema()
    documented = {
        (method.upper(), path.removeprefix(PREFIX))
        for path, item in schema["paths"].items()
        for method in item
    }
    assert documented == {(method, path) for method, path, _ in OPERATIONS}
    # Every operation declares the bearer scheme and its problems.
    for item in schema["paths"].values():
        for operation in item.values():
            assert operation.get("security"), operation["operationId"]
            responses = operation["responses"]
            assert {"401", "403", "413", "422", "429"} <= set(responses), operation["operationId"]
            assert responses["401"]["content"] == {
                "application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/ProblemSchema"}
                }
            }


def _url(path: str) -> str:
    def fill(match):
        name = match.group(1)
        if "uuid" in name:
            return str(uuid.uuid4())
        if name == "username":
            return "nobody"
        return "1"

    return PREFIX + re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


def _call(client, method, path, headers):
    url = _url(path)
    if method == "GET":
        return client.get(url, **headers)
    return client.generic(method, url, json.dumps({}), content_type="application/json", **headers)


def _ids(operations):
    return [f"{method} {path}" for method, path, _ in operations]


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS, ids=_ids(OPERATIONS))
@pytest.mark.parametrize(
    "who", ["no token", "not a token", "unknown token", "revoked", "session only"]
)
def test_without_a_valid_token_every_operation_is_401(client, method, path, scope, who):
    it = make_integration()
    headers = {
        "no token": {},
        "not a token": {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        "unknown token": {"HTTP_AUTHORIZATION": "Bearer lpt_" + "x" * 43},
        "revoked": it.headers,
        "session only": {},
    }[who]
    if who == "revoked":
        ApiClient.objects.filter(pk=it.client.pk).update(revoked_at=timezone.now())
    if who == "session only":
        # A logged-in administrator's session cookie is no credential of the API.
        from tests.factories import AdministratorFactory

        client.force_login(AdministratorFactory(organization=it.client.organization))
    before = _state()
    response = _call(client, method, path, headers)
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS, ids=_ids(OPERATIONS))
def test_a_token_without_the_operations_scope_is_403(client, method, path, scope):
    others = [value for value in ApiClient.Scope.values if value != scope]
    it = make_integration(scopes=others)
    before = _state()
    response = _call(client, method, path, it.headers)
    assert response.status_code == 403, response.content
    assert response.json()["title"] == "Missing scope"
    assert scope in response.json()["detail"]
    assert _state() == before


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS, ids=_ids(OPERATIONS))
def test_another_organizations_token_finds_none_of_its_objects(client, world, method, path, scope):
    """A token of another organization: an object of this one is 404 wherever the path names
    one; a list holds none of its rows; nothing is written; never a 5xx."""
    it = make_integration(organization=world.other_organization)
    url = PREFIX + path.replace("{uuid}", str(world.issuance.uuid)).replace(
        "{username}", world.student.username
    )
    url = re.sub(r"\{\w+\}", "1", url)
    before = _state()
    if method == "GET":
        response = client.get(url, **it.headers)
    else:
        response = client.generic(
            method, url, json.dumps({}), content_type="application/json", **it.headers
        )
    assert response.status_code < 500
    if "{uuid}" in path or "{username}" in path:
        assert response.status_code in (404, 422), response.content
    assert str(world.issuance.uuid) not in response.content.decode()
    if response.status_code >= 400:
        assert _state() == before


def _state():
    from badges.models import BadgeIssuance, IssuanceEvent

    return (
        BadgeIssuance.objects.count(),
        IssuanceEvent.objects.count(),
        list(BadgeIssuance.objects.order_by("pk").values_list("revoked_at", flat=True)),
    )
