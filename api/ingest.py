"""Completions sent by an API client: validated exactly as the CSV import validates its rows
(awarding/services/completions_validation.py), scoped to the client's organization, recorded by
the one recording service (awarding/services/recording.py), which queues the re-evaluation of
their students once the transaction commits.

Each item is idempotent by the client's external id. In one transaction the ids of the valid
items are inserted with ON CONFLICT DO NOTHING RETURNING: only the ids that come back are new, and
only their items are recorded. A second identical batch running at the same time waits on the
unique index until the first commits, then gets nothing back: every item is recorded once. The
id of a refused item is not kept, so a corrected item may be sent again under the same id; an id
already kept is a duplicate whatever its item carries now.

The work is a fixed number of statements whatever the size of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from awarding.services.completions_validation import (
    CompletionRow,
    completions_merge,
    completions_validate,
    text_unstorable,
)
from awarding.services.recording import Completions, completions_record

from .models import ApiClient, ExternalCompletion

MAX_ITEMS = 1000
EXTERNAL_ID_LENGTH = ExternalCompletion._meta.get_field("external_id").max_length

RECORDED = "recorded"
DUPLICATE = "duplicate"
REFUSED = "refused"


class TooManyItems(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    """One completion as the client sent it (see CompletionRow for the fields)."""

    external_id: str
    kind: str
    student: str
    item: str
    completed_at: str
    score: int | None = None


@dataclass(frozen=True)
class ItemResult:
    external_id: str
    status: str
    reason: str | None = None


def completions_ingest(*, client: ApiClient, items: Sequence[Item]) -> list[ItemResult]:
    """Record the client's items; the outcome of each, in their order."""
    if len(items) > MAX_ITEMS:
        raise TooManyItems(
            f"At most {MAX_ITEMS:,} items per request; this one has {len(items):,}. "
            f"Send them in batches of {MAX_ITEMS:,} or fewer."
        )
    validated = completions_validate(
        [
            CompletionRow(
                kind=item.kind,
                student=item.student,
                item=item.item,
                completed_at=item.completed_at,
                score=item.score,
            )
            for item in items
        ],
        organization_id=client.organization_id,
        offset_required=True,
    )
    results: list[ItemResult | None] = [None] * len(items)
    # The valid items, by external id: the first of the batch claims the id.
    claims: dict[str, int] = {}
    refusals: dict[int, str] = {}
    for index, (item, outcome) in enumerate(zip(items, validated, strict=True)):
        if not 1 <= len(item.external_id) <= EXTERNAL_ID_LENGTH:
            results[index] = ItemResult(
                item.external_id[:EXTERNAL_ID_LENGTH],
                REFUSED,
                f"external_id must have 1 to {EXTERNAL_ID_LENGTH} characters",
            )
        elif unstorable := text_unstorable(item.external_id):
            results[index] = ItemResult(
                _shown(item.external_id), REFUSED, f"external_id contains {unstorable}"
            )
        elif item.external_id in claims:
            results[index] = ItemResult(item.external_id, DUPLICATE)
        elif isinstance(outcome, str):
            refusals[index] = outcome
        else:
            claims[item.external_id] = index

    if claims or refusals:
        with transaction.atomic():
            kept = _kept(client, {items[index].external_id for index in refusals})
            new = _claim(client, sorted((key, items[index].kind) for key, index in claims.items()))
            completions_record(
                completions=completions_merge(
                    _as_completions(validated[index]) for key, index in claims.items() if key in new
                )
            )
        for key, index in claims.items():
            results[index] = ItemResult(key, RECORDED if key in new else DUPLICATE)
        for index, reason in refusals.items():
            key = items[index].external_id
            # An id already kept is a duplicate whatever the item carries now.
            results[index] = (
                ItemResult(key, DUPLICATE) if key in kept else ItemResult(key, REFUSED, reason)
            )
    return results  # type: ignore[return-value]


def _shown(text: str) -> str:
    """The text with what cannot be encoded replaced, so the response can carry it."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _as_completions(outcome: Completions | str) -> Completions:
    assert not isinstance(outcome, str)
    return outcome


def _kept(client: ApiClient, keys: set[str]) -> set[str]:
    """The ids among `keys` the client's items were already recorded under."""
    if not keys:
        return set()
    return set(
        ExternalCompletion.objects.filter(client=client, external_id__in=keys).values_list(
            "external_id", flat=True
        )
    )


def _claim(client: ApiClient, keys: list[tuple[str, str]]) -> set[str]:
    """Insert (external id, kind) pairs; the ids that were not there before. Sorted by the caller,
    so two batches that share ids take their index locks in the same order (no deadlock)."""
    if not keys:
        return set()
    quote = connection.ops.quote_name
    table = quote(ExternalCompletion._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(keys))
    params: list[object] = []
    for key, kind in keys:
        params += [client.pk, key, kind]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('client_id')}, {quote('external_id')}, {quote('kind')}) "  # noqa: S608 (names are ours; values are parameters)
            f"VALUES {values} "
            f"ON CONFLICT ({quote('client_id')}, {quote('external_id')}) DO NOTHING "
            f"RETURNING {quote('external_id')}",
            params,
        )
        return {row[0] for row in cursor.fetchall()}
