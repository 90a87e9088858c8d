"""The floors above hear of revocations inside the revoking transaction (badges/events.py)."""

import pytest

from badges import events
from badges.models import BadgeIssuance
from badges.services.revocation import badge_issuance_reinstate, badge_issuance_revoke
from tests.factories import BadgeIssuanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    monkeypatch.setattr(events, "_listeners", events.defaultdict(list))
    told: list[tuple[str, int, str]] = []
    for event in ("revoked", "reinstated"):
        events.issuance_listen(
            event, lambda issuance, reason, event=event: told.append((event, issuance.pk, reason))
        )
    return told


def test_a_revocation_and_a_reinstatement_are_announced_with_their_reasons(heard, administrator):
    issuance = BadgeIssuanceFactory(badge__organization=administrator.organization)

    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Copied")
    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Appeal")

    assert heard == [("revoked", issuance.pk, "Copied"), ("reinstated", issuance.pk, "Appeal")]


def test_a_listener_that_fails_undoes_the_revocation(monkeypatch, administrator):
    monkeypatch.setattr(events, "_listeners", events.defaultdict(list))

    def refuse(**payload):
        raise RuntimeError("status list unavailable")

    events.issuance_listen("revoked", refuse)
    issuance = BadgeIssuanceFactory(badge__organization=administrator.organization)

    with pytest.raises(RuntimeError):
        badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Copied")

    assert BadgeIssuance.objects.get(pk=issuance.pk).revoked_at is None


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="No such issuance event"):
        events.issuance_listen("deleted", print)
