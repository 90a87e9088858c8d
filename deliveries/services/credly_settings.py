"""Writes of an organization's Credly settings: its administrators only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organization, User
from accounts.selectors import user_administers_organization
from common.crypto import encrypt_secret
from deliveries.models import CredlyConnection

TOKEN_HINT_LENGTH = 4


def user_may_configure_credly(*, user: User, organization: Organization) -> bool:
    """The organization's administrators (and platform staff): the permission of the
    Organization page, on this organization."""
    return user.has_perm("badges.change_badge") and user_administers_organization(
        user=user, organization_id=organization.pk
    )


def credly_token_set(*, connection: CredlyConnection, api_token: str) -> None:
    """Keep a new token on the (unsaved) connection: encrypted, and its last four characters in
    clear to recognise it by. The one place a token is written."""
    connection.api_token = encrypt_secret(api_token.encode("utf-8"))
    connection.token_hint = api_token[-TOKEN_HINT_LENGTH:]


def credly_connection_of(*, organization: Organization) -> CredlyConnection | None:
    return CredlyConnection.objects.filter(organization=organization).first()


@transaction.atomic
def credly_connection_save(
    *,
    actor: User,
    organization: Organization,
    credly_organization_id: str,
    api_url: str,
    api_token: str = "",
    is_enabled: bool = True,
) -> CredlyConnection:
    """Create or change the organization's Credly connection. An empty `api_token` keeps the
    stored token; a new one is encrypted (common/crypto.py) and only its last four characters are
    kept in clear, to recognise it by."""
    if not user_may_configure_credly(user=actor, organization=organization):
        raise PermissionDenied("Only this organization's administrators configure Credly.")
    connection = (
        CredlyConnection.objects.select_for_update().filter(organization=organization).first()
    )
    if connection is None:
        connection = CredlyConnection(organization=organization)
    if api_token:
        credly_token_set(connection=connection, api_token=api_token)
    elif not connection.api_token:
        raise ValidationError({"api_token": "Enter the API token Credly gave your organization."})
    connection.credly_organization_id = credly_organization_id
    connection.api_url = api_url
    connection.is_enabled = is_enabled
    connection.full_clean(exclude=["api_token"])
    connection.save()
    return connection
