"""Upgrading: revocations recorded before revocation became durable (the issuance was deleted
and its facts copied into a BadgeRevocation) come back as revoked issuances, so that the pair is
not issued again by the next sweep; a pair issued again since keeps its issuance, with the old
revocation in its history. Every existing issuance gets its own UUID and salt."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("badges", "0003_audit_origin_and_revocations")]
AFTER = [("badges", "0006_delete_badgerevocation")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Whatever happens here, the tests after this one find every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_revocations_become_revoked_issuances():
    old = _migrate(BEFORE)
    Organization = old.get_model("accounts", "Organization")
    User = old.get_model("accounts", "User")
    Badge = old.get_model("badges", "Badge")
    Issuance = old.get_model("badges", "BadgeIssuance")
    Revocation = old.get_model("badges", "BadgeRevocation")
    organization = Organization.objects.create(name="Northwind", slug="northwind")
    admin = User.objects.create(username="admin", organization=organization)
    gone, back = (
        User.objects.create(username=name, email=f"{name}@example.org", organization=organization)
        for name in ("gone", "back")
    )
    badge = Badge.objects.create(organization=organization, name="Star")
    issued_at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    revoked_at = datetime(2026, 3, 3, 9, tzinfo=UTC)
    for student in (gone, back):
        Revocation.objects.create(
            badge=badge,
            organization=organization,
            badge_name="Star",
            recipient=student,
            recipient_name=student.username,
            issued_at=issued_at,
            method="manual",
            source="roster",
            issued_by=admin,
            revoked_at=revoked_at,
            revoked_by=admin,
            reason="Wrong student",
        )
    # "back" was issued the badge again after the revocation; one more holds it untouched.
    Issuance.objects.create(badge=badge, recipient=back, method="manual", source="batch")
    Issuance.objects.create(
        badge=badge,
        recipient=User.objects.create(username="holder", organization=organization),
        method="manual",
        source="batch",
    )

    new = _migrate(AFTER)
    Issuance = new.get_model("badges", "BadgeIssuance")
    Event = new.get_model("badges", "IssuanceEvent")

    revoked = Issuance.objects.get(recipient__username="gone")
    assert revoked.revoked_at == revoked_at
    assert revoked.revocation_reason == "Wrong student"
    assert revoked.issued_at == issued_at
    assert revoked.revoked_by_id == admin.pk
    current = Issuance.objects.get(recipient__username="back")
    assert current.revoked_at is None
    event = Event.objects.get(issuance=current)
    assert (event.kind, event.period_issued_at, event.reason) == (
        "revoked",
        issued_at,
        "Wrong student",
    )
    assert Event.objects.filter(issuance=revoked, kind="revoked").count() == 1
    uuids = set(Issuance.objects.values_list("uuid", flat=True))
    salts = set(Issuance.objects.values_list("recipient_salt", flat=True))
    assert len(uuids) == len(salts) == Issuance.objects.count() == 3
