"""What happens to issuances, told to the floors above (credentials, deliveries) inside the
transaction that made it happen, so that what they record about it commits or rolls back with it.

Apps above `badges` may not be imported from here (the floors, CONVENTIONS.md §12); they say
what they want to hear in their AppConfig.ready() with `issuance_listen`. A listener runs inside
the caller's transaction: it must do its work in a few set-based statements, queue anything slow
with `transaction.on_commit`, and raise only when the whole change must be undone.

Events and their keyword arguments:
- "revoked", "reinstated": `issuance` (the locked, updated BadgeIssuance), `reason` (str).
- "issued", "renewed": `count` (int), after the statement that wrote (or renewed) that many
  issuances; told only when `count` is not zero.

Writers. A floor that keeps a row per new issuance (the deliveries' outbox) must not loop over
them: with `issuance_write_with("issued" | "renewed", writer)` it hands the issuing statement its
own SQL. `writer()` returns `(sql, params)`: one INSERT … SELECT … FROM new, where `new` is a
relation of the issuances just written with the columns NEW_COLUMNS. On PostgreSQL it runs in the
very statement that inserts the issuances (a data-modifying CTE over the INSERT's RETURNING); on
SQLite in the next statement, over the ids that INSERT returned.
"""

from collections import defaultdict
from collections.abc import Callable

_listeners: dict[str, list[Callable[..., None]]] = defaultdict(list)
_writers: dict[str, list[Callable[[], tuple[str, list]]]] = defaultdict(list)

EVENTS = frozenset({"revoked", "reinstated", "issued", "renewed"})
WRITTEN_EVENTS = frozenset({"issued", "renewed"})

# The columns of `new` that a writer's SQL may read.
NEW_COLUMNS = ("id", "badge_id", "recipient_id", "source_achievement_id")


def issuance_listen(event: str, listener: Callable[..., None]) -> None:
    if event not in EVENTS:
        raise ValueError(f"No such issuance event: {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def issuance_announce(event: str, **payload) -> None:
    for listener in _listeners[event]:
        listener(**payload)


def issuance_write_with(event: str, writer: Callable[[], tuple[str, list]]) -> None:
    if event not in WRITTEN_EVENTS:
        raise ValueError(f"No such issuance-writing event: {event!r}")
    if writer not in _writers[event]:
        _writers[event].append(writer)


def issuance_writes(event: str) -> list[tuple[str, list]]:
    """The writers' statements for `event`, each reading the relation `new`."""
    return [writer() for writer in _writers[event]]
