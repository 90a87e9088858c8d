"""Webhook endpoints and their events: the writes (register, change, roll the secret, delete,
redeliver), the reads (an organization's endpoints, an endpoint's delivery log), and the SQL that
records the events with what happened to the issuances.

Who may: every function takes the `organization` it acts for. A person (`user`) must administer
it (its administrators, platform staff); an API client acts for its own organization, which the
API passes without a user (api/routers/webhooks.py, scope webhooks:manage).

Events: "issued" and "renewed" are written by the issuing statement itself (badges.events
writers: one INSERT … SELECT over `new` joined to the subscribed endpoints, +0 statements), so the
sweep pays no query per issuance; "revoked" and "reinstated" by one INSERT … SELECT in the
revoking transaction. One row per subscribed active endpoint, issuance and occurrence."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models.functions import Now

from accounts.models import Organization, User
from accounts.selectors import user_administers_organization
from badges.models import Badge, BadgeIssuance
from common.crypto import encrypt_secret
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services.kick import deliveries_drain_on_commit
from deliveries.webhooks import webhook_secret_generate, webhook_url_problem

Event = WebhookEndpoint.Event
DELIVERY_LOG_PAGE_SIZE = 25
MAX_ENDPOINTS_PER_ORGANIZATION = 20


def user_may_manage_webhooks(*, user: User, organization: Organization) -> bool:
    """The organization's administrators and platform staff, as for its Credly settings."""
    return user.has_perm("badges.change_badge") and user_administers_organization(
        user=user, organization_id=organization.pk
    )


def _check(user: User | None, organization: Organization) -> None:
    if user is not None and not user_may_manage_webhooks(user=user, organization=organization):
        raise PermissionDenied("Only this organization's administrators manage its webhooks.")


# Reads ----------------------------------------------------------------------------------------


def webhook_endpoints_of(*, organization: Organization, user: User | None = None):
    _check(user, organization)
    return WebhookEndpoint.objects.filter(organization=organization).order_by("pk")


def webhook_endpoint_get(
    *, organization: Organization, pk: int, user: User | None = None
) -> WebhookEndpoint:
    """The organization's endpoint of that id; WebhookEndpoint.DoesNotExist for any other."""
    return webhook_endpoints_of(organization=organization, user=user).get(pk=pk)


def webhook_deliveries_of(*, endpoint: WebhookEndpoint):
    """The endpoint's log, newest first, with each event's issuance and badge."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("issuance__badge", "issuance__recipient")
        .defer("body")
        .order_by("-pk")
    )


def webhook_delivery_log_page(*, endpoint: WebhookEndpoint, page: int | str | None) -> Page:
    return Paginator(webhook_deliveries_of(endpoint=endpoint), DELIVERY_LOG_PAGE_SIZE).get_page(
        page
    )


# Writes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint just made (or whose secret was just rolled) with its secret in clear: the one
    moment it is shown."""

    endpoint: WebhookEndpoint
    secret: str


def _clean(*, url: str, description: str, events: list[str]) -> tuple[str, str, list[str]]:
    url = (url or "").strip()
    errors = {}
    problem = webhook_url_problem(url) if url else "Enter the URL the events are sent to."
    if problem:
        errors["url"] = problem
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        errors["url"] = "The URL is too long (at most 500 characters)."
    description = " ".join((description or "").split())
    if len(description) > WebhookEndpoint._meta.get_field("description").max_length:
        errors["description"] = "The description is too long (at most 200 characters)."
    unknown = [event for event in events if event not in Event.values]
    if unknown:
        errors["events"] = f"Unknown event: {', '.join(map(str, unknown))[:100]}."
    elif not events:
        errors["events"] = "Choose at least one event."
    if errors:
        raise ValidationError(errors)
    return url, description, [event for event in Event.values if event in events]


@transaction.atomic
def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
    user: User | None = None,
) -> EndpointWithSecret:
    _check(user, organization)
    url, description, events = _clean(url=url, description=description, events=events)
    # Locks the organization's row: two creations at once cannot both pass the limit.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if (
        WebhookEndpoint.objects.filter(organization=organization).count()
        >= MAX_ENDPOINTS_PER_ORGANIZATION
    ):
        raise ValidationError(
            f"An organization has at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints: "
            "delete one first."
        )
    secret = webhook_secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        description=description,
        events=events,
        is_active=is_active,
        secret=encrypt_secret(secret.encode("ascii")),
        created_by=user,
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_update(
    *,
    organization: Organization,
    endpoint: WebhookEndpoint,
    user: User | None = None,
    **changes,
) -> WebhookEndpoint:
    """Change any of url, description, events, is_active (the others are kept)."""
    _check(user, organization)
    if endpoint.organization_id != organization.pk:
        raise PermissionDenied("This endpoint is another organization's.")
    url, description, events = _clean(
        url=changes.get("url", endpoint.url),
        description=changes.get("description", endpoint.description),
        events=changes.get("events", endpoint.events),
    )
    endpoint.url, endpoint.description, endpoint.events = url, description, events
    if "is_active" in changes:
        endpoint.is_active = bool(changes["is_active"])
    endpoint.save(update_fields=["url", "description", "events", "is_active", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_roll_secret(
    *, organization: Organization, endpoint: WebhookEndpoint, user: User | None = None
) -> EndpointWithSecret:
    """A new secret at once: the next attempt of every event is signed with it."""
    _check(user, organization)
    if endpoint.organization_id != organization.pk:
        raise PermissionDenied("This endpoint is another organization's.")
    secret = webhook_secret_generate()
    endpoint.secret = encrypt_secret(secret.encode("ascii"))
    endpoint.save(update_fields=["secret", "updated_at"])
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


@transaction.atomic
def webhook_endpoint_delete(
    *, organization: Organization, endpoint: WebhookEndpoint, user: User | None = None
) -> None:
    """The endpoint and its log."""
    _check(user, organization)
    if endpoint.organization_id != organization.pk:
        raise PermissionDenied("This endpoint is another organization's.")
    WebhookDelivery.objects.filter(endpoint=endpoint).delete()
    endpoint.delete()


def webhook_delivery_redeliver(
    *, organization: Organization, delivery: WebhookDelivery, user: User | None = None
) -> None:
    """Back to pending with no attempts, due now; the same event id and body; drained when the
    change commits."""
    _check(user, organization)
    if delivery.endpoint.organization_id != organization.pk:
        raise PermissionDenied("This endpoint is another organization's.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            last_error="",
            claimed_until=None,
            next_attempt_at=Now(),
            updated_at=Now(),
        )
        deliveries_drain_on_commit()


def webhook_delivery_get(*, endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("endpoint").get(endpoint=endpoint, pk=pk)


# The events' rows -----------------------------------------------------------------------------


def _subscribed_sql() -> str:
    """SQL over endpoint `e`: it wants the event type of the (one) parameter."""
    if connection.vendor == "postgresql":
        return "e.events @> %s::jsonb"
    return "EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = %s)"


def _subscribed_param(event_type: str) -> str:
    return json.dumps([event_type]) if connection.vendor == "postgresql" else event_type


def _new_event_id_sql() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def _rows_over_new(event_type: str) -> tuple[str, list]:
    table = WebhookDelivery._meta.db_table
    endpoints = WebhookEndpoint._meta.db_table
    badges = Badge._meta.db_table
    return (
        f"INSERT INTO {table} (endpoint_id, issuance_id, event_id, event_type) "
        f"SELECT e.id, new.id, {_new_event_id_sql()}, %s "
        f"FROM new JOIN {badges} b ON b.id = new.badge_id "
        f"JOIN {endpoints} e ON e.organization_id = b.organization_id "
        f"WHERE e.is_active AND {_subscribed_sql()}",
        [event_type, _subscribed_param(event_type)],
    )


def webhook_rows_for_issued() -> tuple[str, list]:
    """The writer of "issued" (badges.events)."""
    return _rows_over_new(Event.CREATED)


def webhook_rows_for_renewed() -> tuple[str, list]:
    """The writer of "renewed"."""
    return _rows_over_new(Event.RENEWED)


def webhook_write_event(*, issuance: BadgeIssuance, event_type: str) -> int:
    """One event row per subscribed active endpoint of the issuance's organization: one
    statement. Returns how many."""
    table = WebhookDelivery._meta.db_table
    endpoints = WebhookEndpoint._meta.db_table
    badges = Badge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (endpoint_id, issuance_id, event_id, event_type) "
            f"SELECT e.id, %s, {_new_event_id_sql()}, %s FROM {endpoints} e "
            f"JOIN {badges} b ON b.organization_id = e.organization_id "
            f"WHERE b.id = %s AND e.is_active AND {_subscribed_sql()}",
            [issuance.pk, event_type, issuance.badge_id, _subscribed_param(event_type)],
        )
        return cursor.rowcount
