"""Where a write comes from, for the audit trail: "POST /path from 203.0.113.7" during a web
request, otherwise what the caller names ("sweep", "re-evaluation", "import", "shell"). The address
is the client's (common.client_address): behind a trusted proxy, the one it forwards.

The request's origin is set when Django starts handling a request (the `request_started` signal
carries the WSGI environ) and cleared when it finishes, so every service called while answering
a request records it without views passing it along.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from common.client_address import client_address

ORIGIN_MAX_LENGTH = 300
# The origin of the sweep's writes (Sweep Runs counts a run's issuances by it).
SWEEP_ORIGIN = "sweep"

_origin: ContextVar[str] = ContextVar("audit_origin", default="")


def current_origin(default: str = "shell") -> str:
    """The origin of the write being made now."""
    return (_origin.get() or default)[:ORIGIN_MAX_LENGTH]


def origin_of_environ(environ) -> str:
    method = environ.get("REQUEST_METHOD", "")
    path = environ.get("PATH_INFO", "")
    return f"{method} {path} from {client_address(environ)}"[:ORIGIN_MAX_LENGTH]


def request_started(sender, environ=None, **kwargs) -> None:
    _origin.set(origin_of_environ(environ) if environ else "")


def request_finished(sender, **kwargs) -> None:
    _origin.set("")


@contextmanager
def origin_as(origin: str) -> Iterator[None]:
    """Writes made inside are from `origin`, whoever asked: a sweep is "sweep" also when a request
    ran it (eagerly, or Run sweep now under eager Celery), so its issuances are told apart."""
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)
