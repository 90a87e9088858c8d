"""Cursor pagination: an opaque cursor of the last row's (updated_at, id), or of its id alone,
so a page follows the previous one even while rows are added or changed."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from .errors import Problem

LIMIT_MAX = 500
LIMIT_DEFAULT = 100
# Larger than any id a bigint column holds: a forged cursor past it finds nothing.
ID_MAX = 2**63 - 1


def _bad_cursor() -> Problem:
    return Problem(
        422,
        "invalid-cursor",
        "Invalid cursor",
        "The cursor is not one this API gave: pass next_cursor of the previous page unchanged.",
        errors=[{"loc": ["query", "cursor"], "msg": "Invalid cursor."}],
    )


def _encode(payload: list) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list:
    if len(cursor) > 200:
        raise _bad_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise _bad_cursor() from error
    if not isinstance(payload, list):
        raise _bad_cursor()
    return payload


def _id(value) -> int:
    if type(value) is not int or not (0 <= value <= ID_MAX):
        raise _bad_cursor()
    return value


def page_by_update(rows: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """The ids of the next `limit` rows in (updated_at, id) order after the cursor, and the
    cursor of the page after (None on the last page)."""
    if cursor:
        payload = _decode(cursor)
        if len(payload) != 2 or not isinstance(payload[0], str):
            raise _bad_cursor()
        try:
            moment = parse_datetime(payload[0])
        except ValueError:
            moment = None
        if moment is None:
            raise _bad_cursor()
        after = _id(payload[1])
        rows = rows.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=after))
    page = list(rows.order_by("updated_at", "pk").values_list("updated_at", "pk")[: limit + 1])
    following = None
    if len(page) > limit:
        page = page[:limit]
        moment, pk = page[-1]
        following = _encode([_iso(moment), pk])
    return [pk for _, pk in page], following


def page_by_id(rows: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """The next `limit` rows in id order after the cursor, and the cursor of the page after."""
    if cursor:
        payload = _decode(cursor)
        if len(payload) != 1:
            raise _bad_cursor()
        rows = rows.filter(pk__gt=_id(payload[0]))
    page = list(rows.order_by("pk")[: limit + 1])
    following = None
    if len(page) > limit:
        page = page[:limit]
        following = _encode([page[-1].pk])
    return page, following


def _iso(moment: datetime) -> str:
    return moment.isoformat()
