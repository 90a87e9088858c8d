"""Links of a credential for the pages of lower floors (the student's badges page): its public
verification URL, its baked image and LinkedIn's add-certification link."""

from urllib.parse import urlencode

from django import template
from django.utils import timezone

from credentials import documents

register = template.Library()

LINKEDIN_ADD_CERTIFICATION = "https://www.linkedin.com/profile/add"


@register.simple_tag
def public_badge_url(issuance) -> str:
    return documents.assertion_url(issuance)


@register.simple_tag
def linkedin_add_url(issuance) -> str:
    """LinkedIn's documented "Add to profile" link for a certification, filled in."""
    issued = timezone.localtime(issuance.issued_at)
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": issuance.badge.name,
        "organizationName": issuance.badge.organization.name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": documents.assertion_url(issuance),
        "certId": str(issuance.uuid),
    }
    if issuance.expires_at:
        expires = timezone.localtime(issuance.expires_at)
        params.update(expirationYear=expires.year, expirationMonth=expires.month)
    return f"{LINKEDIN_ADD_CERTIFICATION}?{urlencode(params)}"
