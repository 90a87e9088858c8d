"""What a client can send never gives a 5xx: bounded bodies and item counts with a clear
message, bad JSON, wrong types, huge numbers, NUL bytes. The rate limit, last-used time and
the interactive documentation."""

import json
import os
import re

import pytest
from django.utils import timezone

from api import ratelimit
from api.models import ApiClient
from badges.models import BadgeIssuance
from tests.api.conftest import make_integration

pytestmark = pytest.mark.django_db

URL = "/api/v1/issuances"


def _post(client, url, raw, it, content_type="application/json"):
    return client.post(url, raw, content_type=content_type, **it.headers)


@pytest.fixture
def it(world):
    return make_integration(organization=world.organization)


def _is_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_a_body_over_the_limit_is_413(client, it, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = _is_problem(_post(client, URL, json.dumps({"items": ["x" * 2000]}), it), 413)
    assert "at most 1,000 bytes" in body["detail"]


def test_the_default_limit_is_2_mb(client, it):
    raw = json.dumps({"items": [{"badge": 1, "student": "s" * 100}] * 25_000})
    assert len(raw) > 2 * 1024 * 1024
    _is_problem(_post(client, URL, raw, it), 413)


def test_more_than_1000_items_is_422_saying_so(client, world, it):
    items = [{"badge": world.badge.pk, "student": f"s{n}"} for n in range(1001)]
    body = _is_problem(_post(client, URL, json.dumps({"items": items}), it), 422)
    assert "At most 1,000 items" in body["detail"]
    assert BadgeIssuance.objects.count() == 2


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "{",
        "[]",
        "null",
        '{"items": "x"}',
        '{"items": [{"badge": "x", "student": 1}]}',
        '{"items": [{"badge": 18446744073709551616, "student": "ada"}]}',
        '{"items": [{"badge": 9223372036854775808, "student": "ada"}]}',
        '{"items": [{"badge": -1, "student": "ada"}]}',
        '{"items": [{"badge": 1e400, "student": "ada"}]}',
        '{"items": [{"badge": 1, "student": ""}]}',
        '{"items": [{"badge": 1, "student": "' + "x" * 151 + '"}]}',
        '{"items": []}',
        "\x00",
    ],
)
def test_bad_bodies_are_4xx_problems(client, it, raw):
    response = _post(client, URL, raw, it)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert BadgeIssuance.objects.count() == 2


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "multipart/form-data",
    ],
)
def test_a_body_that_is_not_json_is_a_400_problem(client, it, content_type):
    response = _post(client, URL, "items=\xff", it, content_type=content_type)
    body = _is_problem(response, 400)
    assert body["title"] == "Cannot parse request body"


def test_a_nul_in_a_username_is_refused_per_pair(client, world, it):
    raw = json.dumps({"items": [{"badge": world.badge.pk, "student": "ad\x00a"}]})
    response = _post(client, URL, raw, it)
    assert response.status_code == 200
    assert response.json()["results"][0]["reason"] == "student does not exist"


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (URL, {"badge": "99999999999999999999"}),
        (URL, {"badge": "x"}),
        (URL, {"limit": "501"}),
        (URL, {"limit": "0"}),
        (URL, {"student": "a\x00b"}),
        (URL, {"issued_from": "1000-01-01"}),
        (URL, {"updated_since": "yesterday"}),
        (URL, {"status": "gone"}),
        (URL, {"course_class": "9223372036854775807"}),
        (f"{URL}/not-a-uuid", {}),
        ("/api/v1/students/a%00b/badges", {}),
        ("/api/v1/students/" + "x" * 500 + "/badges", {}),
        ("/api/v1/badges", {"cursor": "x" * 201}),
        ("/api/v1/badges", {"cursor": "WzE4NDQ2NzQ0MDczNzA5NTUxNjE2XQ"}),
    ],
)
def test_bad_queries_are_4xx_problems(client, it, url, params):
    response = client.get(url, params, **it.headers)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"


@pytest.fixture(params=["redis", "cache"])
def limiter(request, settings):
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL not set")
        settings.API_RATE_LIMIT_URL = url
        settings.API_RATE_LIMIT_KEY_PREFIX = f"test-{os.getpid()}-{timezone.now().timestamp()}:"
    else:
        settings.API_RATE_LIMIT_URL = ""
        from django.core.cache import cache

        cache.clear()
    yield request.param
    ratelimit._clients.clear()


def test_past_its_requests_per_minute_a_client_gets_429(client, world, limiter):
    it = make_integration(organization=world.organization, requests_per_minute=3)
    statuses = [client.get("/api/v1/badges", **it.headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/badges", **it.headers)
    body = _is_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "3 requests per minute" in body["detail"]
    # Another client has its own count.
    other = make_integration(organization=world.organization, name="LMS", requests_per_minute=3)
    assert client.get("/api/v1/badges", **other.headers).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(
    client, it, django_assert_num_queries, django_assert_max_num_queries
):
    assert it.client.last_used_at is None
    client.get("/api/v1/badges", **it.headers)
    it.client.refresh_from_db()
    first = it.client.last_used_at
    assert first is not None
    # Within the minute: no UPDATE (the client and its service user, the role, the page).
    with django_assert_max_num_queries(3) as captured:
        client.get("/api/v1/badges", **it.headers)
    assert not any("UPDATE" in query["sql"] for query in captured.captured_queries)
    ApiClient.objects.filter(pk=it.client.pk).update(
        last_used_at=first - timezone.timedelta(minutes=2)
    )
    client.get("/api/v1/badges", **it.headers)
    it.client.refresh_from_db()
    assert it.client.last_used_at > first


def test_the_token_never_reaches_the_logs(client, it, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/badges", **it.headers)
        client.get("/api/v1/badges", HTTP_AUTHORIZATION=f"Bearer {it.token}x")
    assert it.token not in caplog.text


def test_the_docs_load_nothing_from_another_host(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    assert "swagger-ui-bundle.js" in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert '"validatorUrl": null' in page
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/issuances" in schema.json()["paths"]
    assert client.post("/api/docs").status_code == 405
