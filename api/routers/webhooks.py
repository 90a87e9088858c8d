"""Webhook endpoints of the client's organization (scope webhooks:manage): register, read,
change, delete, roll the secret, read an endpoint's deliveries and redeliver one. The rules are
deliveries' (deliveries/services/webhooks.py); the client acts for its own organization."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services.webhooks import (
    webhook_deliveries_of,
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_get,
    webhook_endpoint_roll_secret,
    webhook_endpoint_update,
    webhook_endpoints_of,
)
from deliveries.webhooks import webhook_message_id

from ..auth import ApiToken
from ..errors import Problem, ProblemSchema

router = Router(tags=["Webhooks"], auth=ApiToken("webhooks:manage"))

EventType = Literal[
    "issuance.created", "issuance.revoked", "issuance.reinstated", "issuance.renewed"
]
URL_EXAMPLE = "https://lab.example.org/hooks/badges"
PROBLEMS = {401: ProblemSchema, 403: ProblemSchema}
NOT_FOUND = {**PROBLEMS, 404: ProblemSchema}


class EndpointIn(Schema):
    url: str = Field(
        ...,
        max_length=500,
        description="https to a public host; the portal POSTs each event here.",
        examples=[URL_EXAMPLE],
    )
    description: str = Field("", max_length=200, examples=["Lab platform, production"])
    events: list[EventType] = Field(
        ..., min_length=1, max_length=4, examples=[["issuance.created", "issuance.revoked"]]
    )
    is_active: bool = Field(True, examples=[True])


class EndpointPatch(Schema):
    url: str | None = Field(None, max_length=500, examples=[URL_EXAMPLE])
    description: str | None = Field(None, max_length=200, examples=["Lab platform, staging"])
    events: list[EventType] | None = Field(
        None, min_length=1, max_length=4, examples=[["issuance.created"]]
    )
    is_active: bool | None = Field(None, examples=[False])


class EndpointOut(Schema):
    id: int = Field(..., examples=[7])
    url: str = Field(..., examples=[URL_EXAMPLE])
    description: str = Field(..., examples=["Lab platform, production"])
    events: list[str] = Field(..., examples=[["issuance.created", "issuance.revoked"]])
    is_active: bool
    created_at: datetime
    updated_at: datetime


class EndpointWithSecretOut(EndpointOut):
    secret: str = Field(
        ...,
        description="The signing secret (Standard Webhooks). Shown in this answer only.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    )


class DeliveryOut(Schema):
    id: int = Field(..., examples=[1042])
    event_id: str = Field(
        ...,
        description="The webhook-id header: the same on every attempt and redelivery.",
        examples=["msg_6f1c0d3e8b7a4f3c9a1b2c3d4e5f6a7b"],
    )
    event_type: str = Field(..., examples=["issuance.created"])
    issuance: UUID
    status: Literal["pending", "sent", "failed", "skipped"] = Field(..., examples=["sent"])
    attempts: int = Field(..., examples=[1])
    response_status: int | None = Field(None, examples=[200])
    response_excerpt: str = Field("", examples=["ok"])
    last_error: str = Field("", examples=[""])
    occurred_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None = None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_before: int | None = Field(
        None, description="Pass as `before` for the next (older) page; null on the last page."
    )


class DeliveryQuery(Schema):
    before: int | None = Field(None, ge=1, le=2**62, description="Deliveries older than this id.")
    limit: int = Field(50, ge=1, le=200)


def _endpoint_out(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def _delivery_out(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.pk,
        "event_id": webhook_message_id(delivery.event_id),
        "event_type": delivery.event_type,
        "issuance": delivery.issuance.uuid,
        "status": delivery.status if delivery.status != "accepted" else "sent",
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "response_excerpt": delivery.response_excerpt,
        "last_error": delivery.last_error,
        "occurred_at": delivery.occurred_at,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
    }


def _invalid(error: ValidationError) -> Problem:
    if hasattr(error, "error_dict"):
        errors = [
            {"loc": ["body", field], "msg": " ".join(message for message in messages)}
            for field, messages in error.message_dict.items()
        ]
    else:
        errors = [{"loc": ["body"], "msg": " ".join(error.messages)}]
    return Problem(
        422,
        "invalid-endpoint",
        "Invalid endpoint",
        " ".join(error["msg"] for error in errors),
        errors=errors,
    )


def _endpoint(request, endpoint_id: int) -> WebhookEndpoint:
    try:
        return webhook_endpoint_get(organization=request.auth.organization, pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise Problem(
            404,
            "not-found",
            "No such endpoint",
            f"Your organization has no webhook endpoint {endpoint_id}.",
        ) from None


@router.get("/endpoints", response={200: list[EndpointOut], **PROBLEMS}, summary="List endpoints")
def list_endpoints(request):
    return [_endpoint_out(e) for e in webhook_endpoints_of(organization=request.auth.organization)]


@router.post(
    "/endpoints",
    response={201: EndpointWithSecretOut, 422: ProblemSchema, **PROBLEMS},
    summary="Register an endpoint (its secret is in this answer only)",
)
def create_endpoint(request, payload: EndpointIn, response: HttpResponse):
    # The answer holds the secret: no cache keeps it.
    response["Cache-Control"] = "no-store"
    try:
        created = webhook_endpoint_create(
            organization=request.auth.organization, **payload.model_dump()
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return 201, {**_endpoint_out(created.endpoint), "secret": created.secret}


@router.get(
    "/endpoints/{int:endpoint_id}",
    response={200: EndpointOut, **NOT_FOUND},
    summary="Read an endpoint",
)
def get_endpoint(request, endpoint_id: int):
    return _endpoint_out(_endpoint(request, endpoint_id))


@router.patch(
    "/endpoints/{int:endpoint_id}",
    response={200: EndpointOut, 422: ProblemSchema, **NOT_FOUND},
    summary="Change an endpoint (only the fields sent)",
)
def update_endpoint(request, endpoint_id: int, payload: EndpointPatch):
    endpoint = _endpoint(request, endpoint_id)
    changes = payload.model_dump(exclude_none=True)
    try:
        endpoint = webhook_endpoint_update(
            organization=request.auth.organization, endpoint=endpoint, **changes
        )
    except ValidationError as error:
        raise _invalid(error) from None
    return _endpoint_out(endpoint)


@router.delete(
    "/endpoints/{int:endpoint_id}",
    response={204: None, **NOT_FOUND},
    summary="Delete an endpoint and its log",
)
def delete_endpoint(request, endpoint_id: int):
    endpoint = _endpoint(request, endpoint_id)
    webhook_endpoint_delete(organization=request.auth.organization, endpoint=endpoint)
    return 204, None


@router.post(
    "/endpoints/{int:endpoint_id}/roll-secret",
    response={200: EndpointWithSecretOut, **NOT_FOUND},
    summary="Replace the signing secret (the new one is in this answer only)",
)
def roll_secret(request, endpoint_id: int, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    endpoint = _endpoint(request, endpoint_id)
    rolled = webhook_endpoint_roll_secret(organization=request.auth.organization, endpoint=endpoint)
    return {**_endpoint_out(rolled.endpoint), "secret": rolled.secret}


@router.get(
    "/endpoints/{int:endpoint_id}/deliveries",
    response={200: DeliveryPage, 422: ProblemSchema, **NOT_FOUND},
    summary="An endpoint's deliveries, newest first",
)
def list_deliveries(request, endpoint_id: int, query: Query[DeliveryQuery]):
    endpoint = _endpoint(request, endpoint_id)
    rows = webhook_deliveries_of(endpoint=endpoint)
    if query.before is not None:
        rows = rows.filter(pk__lt=query.before)
    page = list(rows[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return {
        "items": [_delivery_out(delivery) for delivery in page],
        "next_before": page[-1].pk if more else None,
    }


@router.post(
    "/endpoints/{int:endpoint_id}/deliveries/{int:delivery_id}/redeliver",
    response={202: DeliveryOut, **NOT_FOUND},
    summary="Deliver an event again (same id and body, attempts from 0)",
)
def redeliver(request, endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(request, endpoint_id)
    delivery = webhook_deliveries_of(endpoint=endpoint).filter(pk=delivery_id).first()
    if delivery is None:
        raise Problem(
            404,
            "not-found",
            "No such delivery",
            f"Endpoint {endpoint_id} has no delivery {delivery_id}.",
        )
    webhook_delivery_redeliver(organization=request.auth.organization, delivery=delivery)
    delivery.refresh_from_db()
    return 202, _delivery_out(delivery)
