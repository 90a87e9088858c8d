"""The webhooks API (scope webhooks:manage): an API client manages its own organization's
endpoints, sees the secret once, reads the delivery log and redelivers."""

import pytest

from api.models import ApiClient
from badges.models import BadgeIssuance
from common.crypto import decrypt_secret
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services.webhooks import webhook_endpoint_create
from tests.api.conftest import make_integration
from tests.factories import BadgeFactory, BadgeIssuanceFactory, StudentFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/endpoints"
CREATED = WebhookEndpoint.Event.CREATED


def _post(client, integration, url, body):
    return client.post(url, body, content_type="application/json", **integration.headers)


def _patch(client, integration, url, body):
    return client.patch(url, body, content_type="application/json", **integration.headers)


def _failed_delivery(endpoint):
    issuance = BadgeIssuanceFactory(
        badge=BadgeFactory(organization=endpoint.organization),
        recipient=StudentFactory(organization=endpoint.organization),
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        issuance=issuance,
        event_id="6f1c0d3e-8b7a-4f3c-9a1b-2c3d4e5f6a7b",
        event_type=CREATED,
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        response_status=503,
        last_error="HTTP 503: Service Unavailable",
    )


def test_a_client_registers_an_endpoint_and_gets_its_secret_once(client, integration):
    response = _post(
        client,
        integration,
        BASE,
        {"url": "https://lab.example.org/hooks", "events": ["issuance.created"]},
    )

    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert body["secret"].startswith("whsec_")
    assert decrypt_secret(endpoint.secret).decode() == body["secret"]
    assert endpoint.organization == integration.client.organization
    assert "secret" not in client.get(f"{BASE}/{endpoint.pk}", **integration.headers).json()
    assert "secret" not in client.get(BASE, **integration.headers).json()[0]


def test_a_bad_endpoint_is_a_clear_problem_and_nothing_is_made(client, integration, settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False
    private = _post(
        client, integration, BASE, {"url": "https://10.1.2.3/x", "events": ["issuance.created"]}
    )
    unknown = _post(
        client, integration, BASE, {"url": "https://lab.example.org/", "events": ["nope"]}
    )
    empty = _post(client, integration, BASE, {"url": "https://lab.example.org/", "events": []})

    assert private.status_code == unknown.status_code == empty.status_code == 422
    assert private["Content-Type"] == "application/problem+json"
    assert "public address" in private.json()["detail"]
    assert private.json()["errors"][0]["loc"] == ["body", "url"]
    assert not WebhookEndpoint.objects.exists()


def test_a_client_changes_lists_and_deletes_its_endpoints(client, integration):
    organization = integration.client.organization
    endpoint = webhook_endpoint_create(
        organization=organization, url="https://lab.example.org/a", events=[CREATED]
    ).endpoint

    changed = _patch(
        client,
        integration,
        f"{BASE}/{endpoint.pk}",
        {"is_active": False, "events": ["issuance.revoked"]},
    )
    listed = client.get(BASE, **integration.headers)
    deleted = client.delete(f"{BASE}/{endpoint.pk}", **integration.headers)

    assert changed.status_code == 200
    assert (changed.json()["is_active"], changed.json()["events"]) == (False, ["issuance.revoked"])
    assert changed.json()["url"] == "https://lab.example.org/a"
    assert [e["id"] for e in listed.json()] == [endpoint.pk]
    assert deleted.status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_rolling_the_secret_returns_the_new_one(client, integration):
    created = webhook_endpoint_create(
        organization=integration.client.organization,
        url="https://lab.example.org/a",
        events=[CREATED],
    )

    response = _post(client, integration, f"{BASE}/{created.endpoint.pk}/roll-secret", {})

    assert response.status_code == 200
    assert response.json()["secret"] not in {created.secret, ""}


def test_a_client_reads_the_log_and_redelivers(client, integration, django_assert_max_num_queries):
    endpoint = webhook_endpoint_create(
        organization=integration.client.organization,
        url="https://lab.example.org/a",
        events=[CREATED],
    ).endpoint
    delivery = _failed_delivery(endpoint)

    with django_assert_max_num_queries(4):
        log = client.get(f"{BASE}/{endpoint.pk}/deliveries?limit=10", **integration.headers)
    again = _post(
        client, integration, f"{BASE}/{endpoint.pk}/deliveries/{delivery.pk}/redeliver", {}
    )

    [item] = log.json()["items"]
    assert log.json()["next_before"] is None
    assert item["event_id"] == "msg_6f1c0d3e8b7a4f3c9a1b2c3d4e5f6a7b"
    assert (item["status"], item["response_status"]) == ("failed", 503)
    assert item["issuance"] == str(BadgeIssuance.objects.get().uuid)
    assert again.status_code == 202
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)


def test_the_log_pages_with_a_cursor(client, integration):
    endpoint = webhook_endpoint_create(
        organization=integration.client.organization,
        url="https://lab.example.org/a",
        events=[CREATED],
    ).endpoint
    issuance = _failed_delivery(endpoint).issuance
    for n in range(4):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            issuance=issuance,
            event_id=f"00000000-0000-4000-8000-00000000000{n}",
            event_type=CREATED,
        )

    first = client.get(f"{BASE}/{endpoint.pk}/deliveries?limit=3", **integration.headers).json()
    rest = client.get(
        f"{BASE}/{endpoint.pk}/deliveries?limit=3&before={first['next_before']}",
        **integration.headers,
    ).json()

    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 5
    assert rest["next_before"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "/{id}"),
        ("patch", "/{id}"),
        ("delete", "/{id}"),
        ("post", "/{id}/roll-secret"),
        ("get", "/{id}/deliveries"),
        ("post", "/{id}/deliveries/{delivery}/redeliver"),
    ],
)
def test_every_route_refuses_who_may_not(client, method, path):
    mine = make_integration()
    endpoint = webhook_endpoint_create(
        organization=mine.client.organization, url="https://lab.example.org/a", events=[CREATED]
    ).endpoint
    delivery = _failed_delivery(endpoint)
    url = BASE + path.format(id=endpoint.pk, delivery=delivery.pk)
    other = make_integration()
    unscoped = make_integration(
        organization=mine.client.organization, scopes=["issuances:read"], name="Reader"
    )
    revoked = make_integration(organization=mine.client.organization, name="Old")
    ApiClient.objects.filter(pk=revoked.client.pk).update(revoked_at="2026-01-01T00:00:00Z")
    body = {"url": "https://lab.example.org/b", "events": ["issuance.created"]}

    def call(headers):
        send = getattr(client, method)
        if method in {"post", "patch"}:
            return send(url, body, content_type="application/json", **headers)
        return send(url, **headers)

    statuses = {
        "none": call({}).status_code,
        "revoked": call(revoked.headers).status_code,
        "scope": call(unscoped.headers).status_code,
        "other": call(other.headers).status_code,
    }

    expected_other = 201 if (method, path) == ("post", "") else 200 if path == "" else 404
    assert statuses == {"none": 401, "revoked": 401, "scope": 403, "other": expected_other}
    assert WebhookEndpoint.objects.get(organization=mine.client.organization).url.endswith("/a")
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
