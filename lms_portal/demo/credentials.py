"""The demo's credentials: an issuer profile per organization, a badge that expires a year after
it is issued, and one revoked badge, so that every status shows on the public pages."""

from badges.models import Badge, BadgeIssuance
from badges.services.revocation import badge_issuance_revoke
from credentials.models import IssuerProfile

from .people import DemoPeople

ISSUERS = {
    "northwind": ("https://northwind.example", "badges@northwind.example", "Cloud and safety"),
    "contoso": ("https://contoso.example", "learning@contoso.example", "Engineering leadership"),
}


def demo_credentials(people: DemoPeople) -> None:
    for organization in (people.northwind, people.contoso):
        url, email, topic = ISSUERS[organization.slug.split("-")[0]]
        IssuerProfile.objects.get_or_create(
            organization=organization,
            defaults={
                "url": url,
                "email": email,
                "description": f"{organization.name}: {topic} training.",
            },
        )
    champion = Badge.objects.filter(organization=people.northwind, name="Safety Champion").first()
    if champion is not None and champion.expiry == Badge.Expiry.NEVER:
        champion.expiry = Badge.Expiry.AFTER
        champion.expiry_amount, champion.expiry_unit = 1, Badge.ExpiryUnit.YEARS
        champion.save(update_fields=["expiry", "expiry_amount", "expiry_unit"])
        # Its demo issuances were made a moment ago: they expire a year after, like new ones.
        for issuance in champion.issuances.filter(expires_at=None):
            issuance.expires_at = champion.expiry_for(issuance.issued_at)
            issuance.save(update_fields=["expires_at"])
    mistaken = (
        BadgeIssuance.objects.filter(
            badge__name="Star Participant", recipient=people.nw_students[5], revoked_at=None
        )
        .select_related("badge")
        .first()
    )
    if mistaken is not None:
        badge_issuance_revoke(
            actor=people.admins[people.northwind],
            issuance=mistaken,
            reason="Issued to the wrong student",
        )
