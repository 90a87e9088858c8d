"""Issuances: list (the filters of Find Issued Badges, cursor pagination, `updated_since`), read,
issue (the one issuing service), revoke and reinstate (badges' revocation service); a student's
badges. A client sees its organization's issuances only: any other is 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from accounts.models import User
from badges.models import BadgeIssuance
from badges.selectors import (
    issuances_in_order,
    issuances_of_student,
    issuances_visible_to,
    students_visible_to,
)
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from badges.services.outcomes import Refusal
from badges.services.revocation import (
    AlreadyInThatState,
    badge_issuance_reinstate,
    badge_issuance_revoke,
)
from credentials.documents import assertion_url
from credentials.ob3_documents import credential_url
from deliveries.filters import IssuedBadgeStatusFilter

from ..auth import ApiToken
from ..errors import Problem, ProblemSchema
from ..pagination import LIMIT_DEFAULT, LIMIT_MAX, page_by_update
from ..schemas import (
    BIGINT_MAX,
    PROBLEMS,
    IssuanceOut,
    IssuancePage,
    IssueIn,
    IssueOut,
    ReasonIn,
)
from ..services import client_actor

router = Router(tags=["Issuances"])
students_router = Router(tags=["Students"])

USERNAME_MAX_LENGTH = 150


class IssuanceFilters(Schema):
    """The filters of Find Issued Badges, and the sync's `updated_since`."""

    badge: int | None = Field(None, ge=1, le=BIGINT_MAX, description="A badge id.")
    student: str | None = Field(
        None, max_length=200, description="Words of the student's name, e-mail or username."
    )
    course_class: int | None = Field(None, ge=1, le=BIGINT_MAX, description="A class id.")
    course_assignment: int | None = Field(
        None, ge=1, le=BIGINT_MAX, description="A course assignment id."
    )
    method: Literal["automatic", "manual"] | None = None
    source: Literal[tuple(BadgeIssuance.Source.values)] | None = None  # type: ignore[valid-type]
    status: Literal["valid", "expired", "revoked"] | None = None
    issued_status: str | None = Field(
        None,
        max_length=40,
        description="Delivery status per channel, as Find Issued Badges offers: email:sent, "
        "credly:failed, email:not_sent…",
    )
    issued_from: date | None = None
    issued_to: date | None = None
    updated_since: datetime | None = Field(
        None,
        description="Only issuances changed (issued, revoked, reinstated, renewed) at or after "
        "this moment: for incremental sync, pass the updated_at of the last row you saw "
        "(minus a minute of overlap).",
    )
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the last page.")
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


FILTER_FIELDS = (
    "badge",
    "student",
    "course_class",
    "course_assignment",
    "method",
    "source",
    "status",
    "issued_status",
    "issued_from",
    "issued_to",
)


def _status(issuance: BadgeIssuance) -> str:
    status = issuance.status
    return "active" if status == BadgeIssuance.Status.VALID else str(status)


def _issuance_out(issuance: BadgeIssuance) -> dict:
    student = issuance.recipient
    return {
        "uuid": issuance.uuid,
        "badge": {"id": issuance.badge_id, "name": issuance.badge.name},
        "student": {
            "id": student.pk,
            "username": student.username,
            "name": student.get_full_name() or student.username,
            "email": student.email,
        },
        "status": _status(issuance),
        "method": issuance.method,
        "source": issuance.source,
        "issued_at": issuance.issued_at,
        "expires_at": issuance.expires_at,
        "revoked_at": issuance.revoked_at,
        "revocation_reason": issuance.revocation_reason,
        "updated_at": issuance.updated_at,
        "assertion_url": assertion_url(issuance),
        "credential_url": credential_url(issuance),
    }


def _invalid_filters(errors) -> Problem:
    return Problem(
        422,
        "invalid-filter",
        "Invalid filter",
        "A filter is not one this organization has or is not valid: see errors.",
        errors=[
            {"loc": ["query", field], "msg": " ".join(str(message) for message in messages)}
            for field, messages in errors.items()
        ],
    )


def _visible(request):
    actor = client_actor(request.auth)
    return actor, issuances_visible_to(user=actor).filter(
        badge__organization_id=request.auth.organization_id
    )


def _one(request, uuid: UUID) -> tuple[User, BadgeIssuance]:
    actor, issuances = _visible(request)
    issuance = issuances.select_related("badge", "recipient").filter(uuid=uuid).first()
    if issuance is None:
        raise Problem(404, "not-found", "Not found", "No issuance of this organization has it.")
    return actor, issuance


@router.get(
    "",
    auth=ApiToken("issuances:read"),
    response={200: IssuancePage, **PROBLEMS},
    summary="List issuances",
)
def issuances_list(request, filters: Query[IssuanceFilters]):
    """The issuances of the organization's badges with the filters of Find Issued Badges, in
    order of their last change (updated_at, then id), a page at a time. For incremental sync,
    keep the updated_at of the last row and pass it as `updated_since` next time: revocations,
    reinstatements and renewals move an issuance to the end."""
    actor, issuances = _visible(request)
    data = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if value is not None:
            data[name] = value.isoformat() if isinstance(value, date) else str(value)
    filterset = IssuedBadgeStatusFilter(data, queryset=issuances, user=actor)
    if not filterset.is_valid():
        raise _invalid_filters(filterset.errors)
    rows = filterset.qs
    if filters.updated_since is not None:
        since = filters.updated_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since, timezone.get_current_timezone())
        rows = rows.filter(updated_at__gte=since)
    ids, following = page_by_update(rows, cursor=filters.cursor, limit=filters.limit)
    return {
        "items": [_issuance_out(issuance) for issuance in issuances_in_order(ids=ids)],
        "next_cursor": following,
    }


@router.post(
    "",
    auth=ApiToken("issuances:write"),
    response={200: IssueOut, **PROBLEMS},
    summary="Issue badges",
)
def issuances_issue(request, body: IssueIn):
    """Issue each (badge, student) pair through the portal's one issuing service, with its rules
    (the organization's badges, or those made available to it, that are active and enabled for
    manual issuance; only its students). A result per pair, as the Issue Badges page reports
    them: issued, already earned, or refused with the reason. The same pair twice is reported
    once; sending a batch again issues nothing twice."""
    actor = client_actor(request.auth)
    try:
        context = IssueContext.for_organization(
            actor=actor, organization_id=request.auth.organization_id
        )
    except PermissionDenied as error:
        raise Problem(403, "forbidden", "Forbidden", str(error)) from error
    pairs = list(dict.fromkeys((item.badge, item.student) for item in body.items))
    usernames = {student for _, student in pairs if "\x00" not in student}
    users = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    known = [(badge, users[student]) for badge, student in pairs if student in users]
    outcomes = {
        (outcome.badge_id, outcome.student_id): outcome
        for outcome in badge_issue_many(context=context, pairs=known)
    }
    uuids = {}
    if outcomes:
        uuids = {
            (badge_id, recipient_id): uuid
            for badge_id, recipient_id, uuid in BadgeIssuance.objects.filter(
                badge_id__in={badge for badge, _ in known},
                recipient_id__in={student for _, student in known},
            ).values_list("badge_id", "recipient_id", "uuid")
        }
    results = []
    for badge, student in pairs:
        pk = users.get(student)
        outcome = outcomes.get((badge, pk)) if pk is not None else None
        if outcome is None:
            results.append(
                {
                    "badge": badge,
                    "student": student,
                    "outcome": "refused",
                    "reason": Refusal.NO_STUDENT,
                }
            )
            continue
        kind = (
            "issued"
            if outcome.issued
            else ("already_earned" if outcome.already_earned else "refused")
        )
        results.append(
            {
                "badge": badge,
                "student": student,
                "outcome": kind,
                "renewed": outcome.renewed,
                "reason": outcome.reason,
                "issuance": uuids.get((badge, pk)) if kind != "refused" else None,
            }
        )
    return {
        "issued": sum(result["outcome"] == "issued" for result in results),
        "already_earned": sum(result["outcome"] == "already_earned" for result in results),
        "refused": sum(result["outcome"] == "refused" for result in results),
        "results": results,
    }


@router.get(
    "/{uuid}",
    auth=ApiToken("issuances:read"),
    response={200: IssuanceOut, **PROBLEMS},
    summary="Read an issuance",
)
def issuance_read(request, uuid: UUID):
    """One issuance of the organization's badges, by its uuid (the id in its credential URLs)."""
    _, issuance = _one(request, uuid)
    return _issuance_out(issuance)


def _change(request, uuid: UUID, change, reason: str) -> dict:
    actor, issuance = _one(request, uuid)
    try:
        changed = change(actor=actor, issuance=issuance, reason=reason)
    except PermissionDenied as error:
        raise Problem(403, "forbidden", "Forbidden", str(error)) from error
    except ValidationError as error:
        messages = [message for messages in error.message_dict.values() for message in messages]
        raise Problem(
            422,
            "invalid-reason",
            "Invalid reason",
            " ".join(messages),
            errors=[{"loc": ["body", "reason"], "msg": message} for message in messages],
        ) from error
    except AlreadyInThatState as error:
        raise Problem(409, "conflict", "Already in that state", str(error)) from error
    return _issuance_out(changed)


@router.post(
    "/{uuid}/revoke",
    auth=ApiToken("issuances:write"),
    response={200: IssuanceOut, 409: ProblemSchema, **PROBLEMS},
    summary="Revoke an issuance",
)
def issuance_revoke(request, uuid: UUID, body: ReasonIn):
    """Take a badge back, with a reason the public assertion states. 409 when it is revoked
    already."""
    return _change(request, uuid, badge_issuance_revoke, body.reason)


@router.post(
    "/{uuid}/reinstate",
    auth=ApiToken("issuances:write"),
    response={200: IssuanceOut, 409: ProblemSchema, **PROBLEMS},
    summary="Reinstate a revoked issuance",
)
def issuance_reinstate(request, uuid: UUID, body: ReasonIn):
    """Give a revoked badge back, with a reason (recorded beside the revocation). 409 when it is
    not revoked."""
    return _change(request, uuid, badge_issuance_reinstate, body.reason)


@students_router.get(
    "/{username}/badges",
    auth=ApiToken("issuances:read"),
    response={200: list[IssuanceOut], **PROBLEMS},
    summary="A student's badges",
)
def student_badges(request, username: str):
    """Every badge of a student of the organization (by username) that the organization's
    badges (or those made available to it) gave them, revoked and expired ones too."""
    actor = client_actor(request.auth)
    student = None
    if len(username) <= USERNAME_MAX_LENGTH and "\x00" not in username:
        student = students_visible_to(user=actor).filter(username=username).first()
    if student is None:
        raise Problem(404, "not-found", "Not found", "No student of this organization has it.")
    return [
        _issuance_out(issuance) for issuance in issuances_of_student(student=student, viewer=actor)
    ]
