"""Data: revocations recorded before revocation became durable come back as revoked issuances.
Its own migration, so that PostgreSQL runs the schema changes of 0004 (and their deferred
index creations) before any row is written."""

from django.db import migrations


def keep_revocations_as_revoked_issuances(apps, schema_editor):
    """Until now a revocation deleted its issuance. Bring each one back as a revoked issuance
    (the facts were copied into the revocation), or, where the pair was issued again since,
    record the revocation in the history of the issuance that holds the pair now."""
    revocations = apps.get_model("badges", "BadgeRevocation")
    issuances = apps.get_model("badges", "BadgeIssuance")
    events = apps.get_model("badges", "IssuanceEvent")
    for revocation in (
        revocations.objects.exclude(badge=None).exclude(recipient=None).order_by("revoked_at")
    ):
        issuance, created = issuances.objects.get_or_create(
            badge_id=revocation.badge_id,
            recipient_id=revocation.recipient_id,
            defaults={
                "issued_at": revocation.issued_at,
                "method": revocation.method,
                "source": revocation.source,
                "issued_by_id": revocation.issued_by_id,
                "origin": revocation.issued_from,
                "revoked_at": revocation.revoked_at,
                "revoked_by_id": revocation.revoked_by_id,
                "revocation_reason": revocation.reason,
                "revoked_from": revocation.revoked_from,
            },
        )
        events.objects.create(
            issuance=issuance,
            kind="revoked",
            at=revocation.revoked_at,
            actor_id=revocation.revoked_by_id,
            origin=revocation.revoked_from,
            reason=revocation.reason,
            period_issued_at=None if created else revocation.issued_at,
            period_method="" if created else revocation.method,
            period_source="" if created else revocation.source,
        )


class Migration(migrations.Migration):
    dependencies = [("badges", "0004_durable_revocation_expiry_public_ids")]

    operations = [
        migrations.RunPython(keep_revocations_as_revoked_issuances, migrations.RunPython.noop),
    ]
