"""What happens to issuances, told to the floors above (credentials, deliveries) inside the
transaction that made it happen, so that what they record about it commits or rolls back with it.

Apps above `badges` may not be imported from here (the floors, CONVENTIONS.md §12); they say
what they want to hear in their AppConfig.ready() with `issuance_listen`. A listener runs inside
the caller's transaction: it must do its work in a few set-based statements, queue anything slow
with `transaction.on_commit`, and raise only when the whole change must be undone.

Events and their keyword arguments:
- "revoked", "reinstated": `issuance` (the locked, updated BadgeIssuance), `reason` (str).
"""

from collections import defaultdict
from collections.abc import Callable

_listeners: dict[str, list[Callable[..., None]]] = defaultdict(list)

EVENTS = frozenset({"revoked", "reinstated"})


def issuance_listen(event: str, listener: Callable[..., None]) -> None:
    if event not in EVENTS:
        raise ValueError(f"No such issuance event: {event!r}")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def issuance_announce(event: str, **payload) -> None:
    for listener in _listeners[event]:
        listener(**payload)
