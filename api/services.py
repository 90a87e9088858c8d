"""API clients: made and revoked by an organization's administrators (or platform staff). The
token is returned once, to be shown once; only its SHA-256 and its first characters are kept."""

from __future__ import annotations

import logging
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import ORGANIZATION_ADMINISTRATOR
from accounts.selectors import user_administers_organization

from .models import ApiClient
from .tokens import SHOWN_CHARACTERS, token_generate, token_hash

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 100
REQUESTS_PER_MINUTE_MAX = 100_000


def _require_administrator(*, actor: User, organization_id: int) -> None:
    if not (
        actor.is_authenticated
        and user_administers_organization(user=actor, organization_id=organization_id)
    ):
        raise PermissionDenied("You may not manage this organization's API clients.")


def _clean(*, name: str, scopes, requests_per_minute) -> tuple[str, list[str], int]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Name the client (the system it is for: “Lab platform”)."
    elif len(name) > NAME_MAX_LENGTH or "\x00" in name:
        errors["name"] = f"Keep the name under {NAME_MAX_LENGTH} characters, without null bytes."
    scopes = list(dict.fromkeys(scopes or []))
    if not scopes:
        errors["scopes"] = "Choose at least one scope."
    elif any(scope not in ApiClient.Scope.values for scope in scopes):
        errors["scopes"] = "Choose scopes from the list."
    if not isinstance(requests_per_minute, int) or not (
        1 <= requests_per_minute <= REQUESTS_PER_MINUTE_MAX
    ):
        errors["requests_per_minute"] = (
            f"Between 1 and {REQUESTS_PER_MINUTE_MAX:,} requests per minute."
        )
    if errors:
        raise ValidationError(errors)
    order = list(ApiClient.Scope.values)
    return name, sorted(scopes, key=order.index), requests_per_minute


def service_user_create(*, organization: Organization, name: str) -> User:
    """The user an API client acts as: of its organization, in the administrators' group, with
    no usable password (no one logs in as it). Named after the client for the audit trail."""
    user = User(
        username=f"api-client-{secrets.token_hex(8)}",
        first_name="API client",
        last_name=name[:150],
        organization=organization,
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=ORGANIZATION_ADMINISTRATOR))
    return user


def client_actor(client: ApiClient) -> User:
    """The service user of a client (made now for a client that has none yet)."""
    if client.service_user_id is None:
        with transaction.atomic():
            locked = ApiClient.objects.select_for_update().get(pk=client.pk)
            if locked.service_user_id is None:
                locked.service_user = service_user_create(
                    organization=client.organization, name=client.name
                )
                locked.save(update_fields=["service_user"])
            client.service_user = locked.service_user
    return client.service_user


def api_client_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    scopes: list[str],
    requests_per_minute: int,
) -> tuple[ApiClient, str]:
    """Make a client and return it with its token, which nothing stores: show it once.

    Raises PermissionDenied unless the actor administers the organization, ValidationError for
    a bad name, scope or rate, or a name an active client of the organization has already."""
    _require_administrator(actor=actor, organization_id=organization.pk)
    name, scopes, requests_per_minute = _clean(
        name=name, scopes=scopes, requests_per_minute=requests_per_minute
    )
    token = token_generate()
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                organization=organization,
                name=name,
                token_hash=token_hash(token),
                token_prefix=token[:SHOWN_CHARACTERS],
                scopes=scopes,
                requests_per_minute=requests_per_minute,
                created_by=actor,
                service_user=service_user_create(organization=organization, name=name),
            )
    except IntegrityError as error:
        raise ValidationError(
            {"name": "An active client of this organization has this name already."}
        ) from error
    logger.info(
        "API client %s (%s…) made for organization %s by user %s",
        client.pk,
        client.token_prefix,
        organization.pk,
        actor.pk,
    )
    return client, token


def api_client_revoke(*, actor: User, client: ApiClient) -> ApiClient:
    """Revoke a client: its token is refused from now on. Revoking a revoked client changes
    nothing. Its service user stays (it is the actor of what the client did), made inactive."""
    _require_administrator(actor=actor, organization_id=client.organization_id)
    updated = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    client.refresh_from_db(fields=["revoked_at"])
    if client.service_user_id is not None:
        User.objects.filter(pk=client.service_user_id).update(is_active=False)
    if updated:
        logger.info("API client %s revoked by user %s", client.pk, actor.pk)
    return client
