"""POST /api/v1/completions: completions from the lab platform and the LMS, in batches of up to
1,000 items, each idempotent by the client's external id (api/ingest.py)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StrictInt, StrictStr, field_validator

from ..auth import ApiToken
from ..errors import Problem, ProblemSchema
from ..ingest import EXTERNAL_ID_LENGTH, MAX_ITEMS, Item, TooManyItems, completions_ingest

router = Router(tags=["Completions"])

_TOO_MANY = "too-many-items"


class CompletionIn(Schema):
    external_id: StrictStr = Field(
        min_length=1,
        max_length=EXTERNAL_ID_LENGTH,
        description="Your id of this completion: the same id again is a duplicate.",
        examples=["lab-run-81723"],
    )
    kind: StrictStr = Field(
        max_length=20,
        description="lab, enrollment, assignment or exam (another value is refused).",
        examples=["lab"],
    )
    student: StrictStr = Field(
        max_length=150, description="The student's username.", examples=["ada"]
    )
    item: StrictStr = Field(
        max_length=200,
        description="lab: the lab's code; enrollment: the class's id; assignment: the course's "
        "code; exam: the exam's id.",
        examples=["LAB-VM"],
    )
    completed_at: StrictStr = Field(
        max_length=64,
        description="When it happened: ISO 8601 with a UTC offset, not in the future.",
        examples=["2025-03-01T09:30:00+00:00"],
    )
    score: StrictInt | None = Field(
        default=None,
        description="Exams only: the score in percent, 0 to 100 (pass or fail follows from the "
        "exam's pass mark). Absent or null for the other kinds.",
        examples=[None],
    )


class CompletionsIn(Schema):
    items: list[CompletionIn] = Field(max_length=MAX_ITEMS)

    @field_validator("items", mode="before")
    @classmethod
    def _at_most_max_items(cls, value: Any) -> Any:
        # Before the items are parsed one by one, with a message of its own.
        if isinstance(value, list) and len(value) > MAX_ITEMS:
            raise Problem(
                422,
                _TOO_MANY,
                "Too many items",
                f"At most {MAX_ITEMS:,} items per request; this one has {len(value):,}. "
                f"Send them in batches of {MAX_ITEMS:,} or fewer.",
            )
        return value


class CompletionResult(Schema):
    external_id: str
    status: Literal["recorded", "duplicate", "refused"]
    reason: str | None = Field(default=None, description="Why it was refused.")


class CompletionCounts(Schema):
    recorded: int
    duplicate: int
    refused: int


class CompletionsOut(Schema):
    counts: CompletionCounts
    items: list[CompletionResult] = Field(description="One result per item, in their order.")


_EXAMPLE_REQUEST = {
    "items": [
        {
            "external_id": "lab-run-81723",
            "kind": "lab",
            "student": "ada",
            "item": "LAB-VM",
            "completed_at": "2025-03-01T09:30:00+00:00",
        },
        {
            "external_id": "exam-4411",
            "kind": "exam",
            "student": "ada",
            "item": "12",
            "completed_at": "2025-03-02T10:00:00Z",
            "score": 85,
        },
        {
            "external_id": "lab-run-81724",
            "kind": "lab",
            "student": "grace",
            "item": "LAB-NET",
            "completed_at": "2025-03-01T09:30:00+00:00",
        },
    ]
}
_EXAMPLE_RESPONSE = {
    "counts": {"recorded": 1, "duplicate": 1, "refused": 1},
    "items": [
        {"external_id": "lab-run-81723", "status": "recorded"},
        {"external_id": "exam-4411", "status": "duplicate"},
        {
            "external_id": "lab-run-81724",
            "status": "refused",
            "reason": "no student with username 'grace'",
        },
    ],
}


@router.post(
    "",
    auth=ApiToken("completions:write"),
    response={
        200: CompletionsOut,
        400: ProblemSchema,
        401: ProblemSchema,
        403: ProblemSchema,
        422: ProblemSchema,
    },
    exclude_none=True,
    summary="Record completions",
    description=(
        "Lab completions, course completions (a class enrollment or a course assignment) and "
        f"exam attempts, up to {MAX_ITEMS:,} items per request, validated and recorded exactly "
        "as the CSV import does. Students, classes and course assignments must be your "
        "organization's (another organization's are refused like unknown ones). Each item is "
        "idempotent by its `external_id`: sent again, it is a `duplicate` and adds nothing. A "
        "refused item's id is not kept: correct it and send it again. Automatic badges follow "
        "within seconds."
    ),
    openapi_extra={
        "requestBody": {"content": {"application/json": {"example": _EXAMPLE_REQUEST}}},
        "responses": {
            200: {"content": {"application/json": {"example": _EXAMPLE_RESPONSE}}},
        },
    },
)
def completions_post(request: HttpRequest, payload: CompletionsIn):
    try:
        results = completions_ingest(
            client=request.auth,
            items=[Item(**item.model_dump()) for item in payload.items],
        )
    except TooManyItems as error:
        raise Problem(422, _TOO_MANY, "Too many items", str(error)) from error
    counts = {"recorded": 0, "duplicate": 0, "refused": 0}
    for result in results:
        counts[result.status] += 1
    return {
        "counts": counts,
        "items": [
            {"external_id": r.external_id, "status": r.status, "reason": r.reason} for r in results
        ],
    }
