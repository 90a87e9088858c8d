"""GET /api/v1/badges and /api/v1/achievements: the client's organization's only, a page at a
time."""

import pytest

from tests.api.conftest import make_integration
from tests.factories import AchievementFactory, BadgeFactory

pytestmark = pytest.mark.django_db


def test_badges_are_the_organizations_only_and_paged(client, world, django_assert_max_num_queries):
    it = make_integration(organization=world.organization)
    for n in range(4):
        BadgeFactory(organization=world.organization, name=f"Extra {n}")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(4):
            body = client.get("/api/v1/badges", params, **it.headers).json()
        seen += [row["name"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["Linux", "Extra 0", "Extra 1", "Extra 2", "Extra 3"])
    assert "Foreign" not in seen
    row = client.get("/api/v1/badges", **it.headers).json()["items"][0]
    assert row["badge_class_url"].endswith(f"/public/badges/{world.badge.pk}")


def test_achievements_are_the_organizations_only(client, world):
    mine = AchievementFactory(organization=world.organization, name="All labs")
    AchievementFactory(organization=world.other_organization, name="Theirs")
    it = make_integration(organization=world.organization)
    body = client.get("/api/v1/achievements", **it.headers).json()
    assert [(row["id"], row["name"]) for row in body["items"]] == [(mine.pk, "All labs")]
