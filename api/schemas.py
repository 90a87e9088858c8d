"""The shapes the API answers with (and their examples for /api/docs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from .errors import ProblemSchema
from .pagination import LIMIT_DEFAULT, LIMIT_MAX

# Every problem an authenticated route can answer with.
PROBLEMS = {
    401: ProblemSchema,
    403: ProblemSchema,
    404: ProblemSchema,
    413: ProblemSchema,
    422: ProblemSchema,
    429: ProblemSchema,
}

BIGINT_MAX = 2**63 - 1


class PageQuery(Schema):
    cursor: str | None = Field(
        None,
        max_length=200,
        description="next_cursor of the previous page; omit for the first page.",
    )
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description="Rows per page.")


class BadgeOut(Schema):
    id: int = Field(..., examples=[12])
    name: str = Field(..., examples=["Linux Fundamentals"])
    description: str = Field(..., examples=["Finished every lab of the Linux course."])
    is_active: bool
    manual_issuance_enabled: bool
    achievement_id: int | None = Field(None, examples=[4])
    expiry: str = Field(..., examples=["never"])
    badge_class_url: str = Field(
        ...,
        description="Its Open Badges 2.0 BadgeClass.",
        examples=["https://badges.example/public/badges/12"],
    )
    created_at: datetime
    updated_at: datetime


class BadgePage(Schema):
    items: list[BadgeOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class AchievementOut(Schema):
    id: int = Field(..., examples=[4])
    name: str = Field(..., examples=["All Linux labs"])
    description: str
    is_enabled: bool
    criteria_type: str = Field(..., examples=["lab"])


class AchievementPage(Schema):
    items: list[AchievementOut]
    next_cursor: str | None = None


class BadgeRef(Schema):
    id: int = Field(..., examples=[12])
    name: str = Field(..., examples=["Linux Fundamentals"])


class StudentRef(Schema):
    id: int = Field(..., examples=[345])
    username: str = Field(..., examples=["ada.lovelace"])
    name: str = Field(..., examples=["Ada Lovelace"])
    email: str = Field(..., examples=["ada@example.edu"])


class IssuanceOut(Schema):
    uuid: UUID
    badge: BadgeRef
    student: StudentRef
    status: Literal["active", "revoked", "expired"]
    method: str = Field(..., examples=["automatic"])
    source: str = Field(..., examples=["achievement"])
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str = Field(..., examples=[""])
    updated_at: datetime = Field(
        ..., description="Last change (issued, revoked, reinstated, renewed)."
    )
    assertion_url: str = Field(
        ...,
        description="The Open Badges 2.0 assertion.",
        examples=["https://badges.example/public/assertions/0b9e…"],
    )
    credential_url: str = Field(
        ...,
        description="The Open Badges 3.0 verifiable credential.",
        examples=["https://badges.example/public/credentials/0b9e…"],
    )


class IssuancePage(Schema):
    items: list[IssuanceOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


class IssueItem(Schema):
    badge: int = Field(..., ge=1, le=BIGINT_MAX, examples=[12], description="A badge id.")
    student: str = Field(
        ..., min_length=1, max_length=150, examples=["ada.lovelace"], description="A username."
    )


ISSUE_ITEMS_MAX = 1000


class IssueIn(Schema):
    items: list[IssueItem] = Field(
        ...,
        min_length=1,
        max_length=ISSUE_ITEMS_MAX,
        description=f"Up to {ISSUE_ITEMS_MAX:,} (badge, student) pairs.",
        examples=[[{"badge": 12, "student": "ada.lovelace"}]],
    )


class IssueResult(Schema):
    badge: int = Field(..., examples=[12])
    student: str = Field(..., examples=["ada.lovelace"])
    outcome: Literal["issued", "already_earned", "refused"]
    renewed: bool = Field(False, description="Issued again in place of an expired issuance.")
    reason: str = Field("", examples=["", "already earned on 3 March 2026"])
    issuance: UUID | None = Field(None, description="The issuance, when there is one.")


class IssueOut(Schema):
    issued: int = Field(..., examples=[1])
    already_earned: int = Field(..., examples=[0])
    refused: int = Field(..., examples=[0])
    results: list[IssueResult]


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, examples=["Awarded by mistake."])
