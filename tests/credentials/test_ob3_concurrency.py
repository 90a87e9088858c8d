"""Signing and revoking at the same time, on PostgreSQL: every credential gets its own status
index, and a revocation racing with the first signing never leaves a revoked credential whose
bit is clear."""

import contextlib
import threading

import pytest
from django.db import connection

from badges.models import BadgeIssuance
from badges.services.revocation import badge_issuance_revoke
from credentials import ob3_services
from credentials.models import SignedCredential
from credentials.selectors import status_bit
from tests.factories import AdministratorFactory, BadgeFactory, BadgeIssuanceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_first_signings_take_distinct_indexes():
    badge = BadgeFactory()
    issuances = [BadgeIssuanceFactory(badge=badge) for _ in range(6)]
    ob3_services.status_list_for(organization_id=badge.organization_id)

    errors = _race(
        *(
            (lambda issuance=issuance: ob3_services.signed_credential_for(issuance=issuance))
            for issuance in issuances
        )
    )

    assert errors == []
    indexes = sorted(SignedCredential.objects.values_list("status_index", flat=True))
    assert indexes == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("attempt", range(5))
def test_a_revocation_racing_the_first_signing_leaves_the_bit_set(attempt):
    badge = BadgeFactory()
    issuance = BadgeIssuanceFactory(badge=badge)
    administrator = AdministratorFactory(organization=badge.organization)

    def sign():
        with contextlib.suppress(ob3_services.CredentialRevoked):
            ob3_services.signed_credential_for(issuance=BadgeIssuance.objects.get(pk=issuance.pk))

    def revoke():
        badge_issuance_revoke(
            actor=administrator,
            issuance=BadgeIssuance.objects.get(pk=issuance.pk),
            reason="Wrong student",
        )

    assert _race(sign, revoke) == []

    signed = SignedCredential.objects.filter(issuance=issuance).first()
    if signed is not None:  # signed first: the revocation set its bit
        assert status_bit(organization_id=badge.organization_id, index=signed.status_index)
