"""GET/POST /api/v1/issuances, one issuance, revoke and reinstate, a student's badges: through
badges' selectors, filterset and services, scoped to the client's organization."""

import json

import pytest
from django.utils import timezone

from badges.models import BadgeIssuance, IssuanceEvent
from tests.api.conftest import make_integration
from tests.factories import BadgeFactory, BadgeIssuanceFactory, StudentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/issuances"


def _post(client, url, body, it):
    return client.post(url, json.dumps(body), content_type="application/json", **it.headers)


@pytest.fixture
def it(world):
    return make_integration(organization=world.organization)


def test_list_is_the_organizations_issuances_with_credential_urls(client, world, it):
    response = client.get(URL, **it.headers)
    assert response.status_code == 200
    body = response.json()
    assert [row["uuid"] for row in body["items"]] == [str(world.issuance.uuid)]
    row = body["items"][0]
    assert row["status"] == "active"
    assert row["badge"] == {"id": world.badge.pk, "name": "Linux"}
    assert row["student"]["username"] == "ada"
    assert row["assertion_url"].endswith(f"/public/assertions/{world.issuance.uuid}")
    assert row["credential_url"].endswith(f"/public/credentials/{world.issuance.uuid}")
    assert body["next_cursor"] is None


def test_filters_are_those_of_find_issued_badges(client, world, it):
    other_badge = BadgeFactory(organization=world.organization, name="Python")
    BadgeIssuanceFactory(
        badge=other_badge, recipient=StudentFactory(organization=world.organization)
    )
    found = client.get(URL, {"badge": world.badge.pk}, **it.headers).json()["items"]
    assert [row["badge"]["name"] for row in found] == ["Linux"]
    found = client.get(URL, {"student": "ada"}, **it.headers).json()["items"]
    assert [row["student"]["username"] for row in found] == ["ada"]
    assert client.get(URL, {"status": "revoked"}, **it.headers).json()["items"] == []
    # Another organization's badge is not a choice: a refused filter, never its issuances.
    response = client.get(URL, {"badge": world.other_badge.pk}, **it.headers)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["query", "badge"]


def test_cursor_walks_every_row_once(client, world, it):
    for _ in range(4):
        BadgeIssuanceFactory(
            badge=world.badge, recipient=StudentFactory(organization=world.organization)
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params, **it.headers).json()
        seen += [row["uuid"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4IiwxXQ", "WyIyMDI2LTAxLTAxIiwtMV0"])
def test_a_forged_cursor_is_a_422(client, it, cursor):
    response = client.get(URL, {"cursor": cursor}, **it.headers)
    assert response.status_code == 422
    assert response.json()["title"] == "Invalid cursor"


def test_updated_since_sees_a_revocation_and_a_reinstatement(client, world, it):
    first = client.get(URL, **it.headers).json()["items"]
    since = first[-1]["updated_at"]
    response = _post(client, f"{URL}/{world.issuance.uuid}/revoke", {"reason": "Cheated."}, it)
    assert response.status_code == 200, response.json()
    changed = client.get(URL, {"updated_since": since}, **it.headers).json()["items"]
    assert [(row["uuid"], row["status"], row["revocation_reason"]) for row in changed] == [
        (str(world.issuance.uuid), "revoked", "Cheated.")
    ]
    later = changed[-1]["updated_at"]
    assert later > since
    response = _post(client, f"{URL}/{world.issuance.uuid}/reinstate", {"reason": "Appeal."}, it)
    assert response.json()["status"] == "active"
    changed = client.get(URL, {"updated_since": later}, **it.headers).json()["items"]
    assert [row["status"] for row in changed] == ["active"]
    assert changed[0]["updated_at"] > later


def test_revoke_records_the_client_as_the_actor(client, world, it):
    _post(client, f"{URL}/{world.issuance.uuid}/revoke", {"reason": "Cheated."}, it)
    event = IssuanceEvent.objects.get(issuance=world.issuance)
    assert event.actor == it.client.service_user
    assert event.origin.startswith(f"POST {URL}/{world.issuance.uuid}/revoke")
    again = _post(client, f"{URL}/{world.issuance.uuid}/revoke", {"reason": "Again."}, it)
    assert again.status_code == 409
    empty = _post(client, f"{URL}/{world.issuance.uuid}/reinstate", {"reason": "   "}, it)
    assert empty.status_code == 422


def test_another_organizations_issuance_is_404(client, world, it):
    for url in (f"{URL}/{world.other_issuance.uuid}", f"{URL}/{world.other_issuance.uuid}/revoke"):
        response = (
            client.get(url, **it.headers)
            if not url.endswith("revoke")
            else _post(client, url, {"reason": "x"}, it)
        )
        assert response.status_code == 404
    assert BadgeIssuance.objects.get(pk=world.other_issuance.pk).revoked_at is None
    assert client.get("/api/v1/students/grace/badges", **it.headers).status_code == 404


def test_a_students_badges(client, world, it):
    response = client.get("/api/v1/students/ada/badges", **it.headers)
    assert [row["uuid"] for row in response.json()] == [str(world.issuance.uuid)]
    assert client.get("/api/v1/students/nobody/badges", **it.headers).status_code == 404


def test_issue_gives_an_outcome_per_pair_like_the_batch_page(client, world, it):
    new = StudentFactory(organization=world.organization, username="linus")
    archived = BadgeFactory(organization=world.organization, is_active=False)
    body = {
        "items": [
            {"badge": world.badge.pk, "student": "linus"},
            {"badge": world.badge.pk, "student": "ada"},
            {"badge": world.badge.pk, "student": "linus"},
            {"badge": world.other_badge.pk, "student": "linus"},
            {"badge": archived.pk, "student": "linus"},
            {"badge": world.badge.pk, "student": "grace"},
            {"badge": world.badge.pk, "student": "nobody"},
            {"badge": 999_999_999, "student": "linus"},
        ]
    }
    response = _post(client, URL, body, it)
    assert response.status_code == 200, response.json()
    out = response.json()
    results = [(r["student"], r["outcome"], r["reason"]) for r in out["results"]]
    assert results[0] == ("linus", "issued", "")
    assert results[1][1] == "already_earned"
    assert results[1][2].startswith("already earned on")
    assert results[2:] == [
        ("linus", "refused", "badge belongs to another organization"),
        ("linus", "refused", "badge is archived"),
        ("grace", "refused", "student is not a student of this organization"),
        ("nobody", "refused", "student does not exist"),
        ("linus", "refused", "badge does not exist"),
    ]
    assert (out["issued"], out["already_earned"], out["refused"]) == (1, 1, 5)
    issued = BadgeIssuance.objects.get(badge=world.badge, recipient=new)
    assert out["results"][0]["issuance"] == str(issued.uuid)
    assert issued.source == BadgeIssuance.Source.API
    assert issued.issued_by == it.client.service_user
    # Again: nothing issued twice.
    again = _post(client, URL, body, it).json()
    assert again["issued"] == 0
    assert again["already_earned"] == 2


def test_an_expired_issuance_is_renewed(client, world, it):
    BadgeIssuance.objects.filter(pk=world.issuance.pk).update(
        expires_at=timezone.now() - timezone.timedelta(days=1)
    )
    before = BadgeIssuance.objects.get(pk=world.issuance.pk).updated_at
    out = _post(client, URL, {"items": [{"badge": world.badge.pk, "student": "ada"}]}, it).json()
    assert out["results"][0]["outcome"] == "issued"
    assert out["results"][0]["renewed"]
    assert BadgeIssuance.objects.get(pk=world.issuance.pk).updated_at > before


def test_query_counts_are_pinned(client, world, it, django_assert_max_num_queries):
    for _ in range(30):
        BadgeIssuanceFactory(
            badge=world.badge, recipient=StudentFactory(organization=world.organization)
        )
    client.get(URL, **it.headers)  # last_used_at written once
    with django_assert_max_num_queries(8):
        assert len(client.get(URL, {"status": "valid"}, **it.headers).json()["items"]) == 31
    with django_assert_max_num_queries(6):
        client.get(f"{URL}/{world.issuance.uuid}", **it.headers)
    with django_assert_max_num_queries(6):
        client.get("/api/v1/students/ada/badges", **it.headers)
    students = [StudentFactory(organization=world.organization) for _ in range(50)]
    items = [{"badge": world.badge.pk, "student": s.username} for s in students]
    with django_assert_max_num_queries(16):
        out = _post(client, URL, {"items": items}, it).json()
    assert out["issued"] == 50
