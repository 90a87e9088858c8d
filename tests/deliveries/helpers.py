"""Helpers of the deliveries tests (the fixtures smtp_server and credly_standin are in
conftest.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from common.crypto import encrypt_secret
from deliveries.models import CredlyConnection, Delivery
from deliveries.services.drain import deliveries_drain_all


def rows(issuance=None, **filters):
    """{(channel, action): status} of an issuance's deliveries (or of all, by issuance id)."""
    queryset = Delivery.objects.filter(**filters)
    if issuance is not None:
        return {(d.channel, d.action): d.status for d in queryset.filter(issuance=issuance)}
    return {(d.issuance_id, d.channel, d.action): d.status for d in queryset}


def make_due(**filters) -> int:
    """Bring every pending row's next attempt to now (the backoff would make a test wait)."""
    return Delivery.objects.filter(status=Delivery.Status.PENDING, **filters).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def drain(**options):
    return deliveries_drain_all(**options)


def drain_until_settled(max_rounds: int = 20):
    """Drain, bring the retries due, and drain again until nothing is pending."""
    for _ in range(max_rounds):
        drain()
        if not Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            return
        make_due()
    raise AssertionError("Deliveries still pending")


@pytest.fixture
def unpaced(settings):
    """No rate limit: the tests measure nothing, and pacing would only make them slower."""
    settings.DELIVERY_EMAIL_PER_SECOND = 0
    settings.DELIVERY_CREDLY_PER_SECOND = 0
    settings.DELIVERY_RATE_LIMIT_URL = ""


def connect_credly(
    organization,
    *,
    api_url: str,
    token: str = "test-token",  # noqa: S107 - a test token
    credly_organization_id: str | None = None,
    enabled=True,
):
    return CredlyConnection.objects.create(
        organization=organization,
        credly_organization_id=credly_organization_id or f"org-{organization.pk}",
        api_url=api_url,
        api_token=encrypt_secret(token.encode()),
        token_hint=token[-4:],
        is_enabled=enabled,
    )


def connect_standin(organization, standin):
    return connect_credly(
        organization,
        api_url=standin.api_url,
        token=standin.token,
        credly_organization_id=standin.organization_id,
    )


def outbox_statements() -> int:
    """What the deliveries' outbox adds to a statement that issues badges: nothing on PostgreSQL
    (its INSERT rides in the issuing statement as a data-modifying CTE), one INSERT on SQLite."""
    return 0 if connection.vendor == "postgresql" else 1
