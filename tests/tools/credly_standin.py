"""A local stand-in for Credly's Web Service API (Credly itself is unreachable from here), so that
the production client (deliveries/credly.py) talks to it unchanged.

It implements the documented shapes of the endpoints the portal uses, under
`/v1/organizations/<organization id>/`:

- `POST badges` (issue): required `recipient_email`, `issued_to_first_name`,
  `issued_to_last_name`, `badge_template_id`, `issued_at`; optional `issuer_earner_id`,
  `expires_at`…; answers 201 `{"data": {<badge>}, "metadata": {}}`. A duplicate (same template and
  same recipient e-mail or same issuer_earner_id, the earlier badge not revoked) is refused with 422
  `{"data": {"message": "User already has this badge"}, "metadata": null}`, as Credly does by
  default;
- `GET badges?filter=issuer_earner_id::<value>` (and `recipient_email::`, `badge_template_id::`,
  `state::` joined by `|`): `{"data": [<badge>…], "metadata": {pages}}`;
- `GET badges/<id>`; `PUT badges/<id>/revoke` with `reason` (422 if already revoked).

HTTP Basic authentication with the token as user name and an empty password; anything else is a
401. Faults are scripted per request (`fail_next`, `time_out_next`), so a test or the bench can
say "the next issue answers 429 with Retry-After: 30" or "the next issue creates the badge and then
answers too late for the client".

Run alone (for `make bench` or a developer): `python -m tests.tools.credly_standin --port 8765`.
"""

import argparse
import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFAULT_ORGANIZATION_ID = "6a2f3c1e-5b7d-4c8e-9f10-1a2b3c4d5e6f"
DEFAULT_TOKEN = "standin-token-0123456789abcdef"
REQUIRED_ISSUE_FIELDS = (
    "recipient_email",
    "issued_to_first_name",
    "issued_to_last_name",
    "badge_template_id",
    "issued_at",
)
PER_PAGE = 50
ENDPOINTS = ("issue", "list", "get", "revoke")


@dataclass
class Fault:
    """What the stand-in does to one request instead of (or besides) answering normally.

    status: answer with this status and a Credly-shaped error body. delay: sleep this long first
    (longer than the client's timeout makes a timeout). process: do the real work anyway (the badge
    is created or revoked, then the answer is lost or replaced)."""

    endpoint: str | None = None
    status: int | None = None
    message: str = ""
    retry_after: str | None = None
    delay: float = 0.0
    process: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    endpoint: str
    query: dict
    body: dict | None
    authorization: str | None
    status: int = 0


@dataclass
class StoredBadge:
    data: dict
    created: float = field(default_factory=time.monotonic)


class CredlyStandin:
    """The server, its stored badges and its script of faults; start() it, then use `api_url`."""

    def __init__(
        self,
        *,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
        token: str = DEFAULT_TOKEN,
        templates: set[str] | None = None,
        allow_duplicates: bool = False,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.organization_id = organization_id
        self.token = token
        # None accepts any template id; a set refuses the others with 422 as Credly does.
        self.templates = templates
        self.allow_duplicates = allow_duplicates
        # A fixed wait per request, to give the bench a provider that is not infinitely fast.
        self.latency = latency
        self.badges: dict[str, StoredBadge] = {}
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # The server's life.
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "CredlyStandin":
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="credly-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> "CredlyStandin":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # The script.
    def fail_next(
        self,
        status: int,
        *,
        endpoint: str | None = None,
        message: str = "",
        retry_after: str | None = None,
        times: int = 1,
        process: bool = False,
    ) -> None:
        """The next `times` requests (to `endpoint` when given) answer `status`."""
        self._script(
            Fault(
                endpoint=endpoint,
                status=status,
                message=message,
                retry_after=retry_after,
                process=process,
            ),
            times,
        )

    def time_out_next(
        self, seconds: float, *, endpoint: str | None = None, process: bool = True, times: int = 1
    ) -> None:
        """The next request sleeps `seconds` before answering; with `process` (the default) it
        did its work first, like a provider whose answer is lost after the badge was made."""
        self._script(Fault(endpoint=endpoint, delay=seconds, process=process), times)

    def _script(self, fault: Fault, times: int) -> None:
        if fault.endpoint is not None and fault.endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {fault.endpoint!r}; one of {ENDPOINTS}")
        with self._lock:
            self._faults.extend([fault] * times)

    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.endpoint in (None, endpoint):
                    del self._faults[index]
                    return fault
        return None

    def reset(self) -> None:
        with self._lock:
            self.badges.clear()
            self.requests.clear()
            self._faults.clear()

    # What happened.
    def issued(self, *, issuer_earner_id: str | None = None) -> list[dict]:
        with self._lock:
            return [
                stored.data
                for stored in self.badges.values()
                if issuer_earner_id is None or stored.data["issuer_earner_id"] == issuer_earner_id
            ]

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.endpoint == endpoint]

    # The API.
    def _authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        return decoded == f"{self.token}:"

    def handle(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        route = _route(method, path)
        if route is None:
            return 404, _error("Not found")
        endpoint, organization_id, badge_id = route
        if organization_id != self.organization_id:
            return 404, _error("Organization not found")
        if endpoint == "issue":
            return self._issue(body)
        if endpoint == "list":
            return self._list(query)
        with self._lock:
            stored = self.badges.get(badge_id)
        if stored is None:
            return 404, _error("Badge not found")
        if endpoint == "get":
            return 200, {"data": stored.data, "metadata": {}}
        return self._revoke(stored, body)

    def _issue(self, body: dict | None) -> tuple[int, dict]:
        if not isinstance(body, dict):
            return 422, _error("Request body must be a JSON object")
        missing = [name for name in REQUIRED_ISSUE_FIELDS if not str(body.get(name) or "").strip()]
        if missing:
            return 422, _error(
                "Validation failed",
                errors=[{"attribute": name, "messages": ["can't be blank"]} for name in missing],
            )
        template_id = str(body["badge_template_id"])
        if self.templates is not None and template_id not in self.templates:
            return 422, _error(f"Invalid or missing Badge Template ID: {template_id}")
        issued_at = _credly_time(body["issued_at"])
        if issued_at is None:
            return 422, _error("Invalid issued_at")
        email = str(body["recipient_email"]).strip().lower()
        earner_id = body.get("issuer_earner_id")
        with self._lock:
            if not self.allow_duplicates:
                for stored in self.badges.values():
                    other = stored.data
                    if other["badge_template"]["id"] != template_id or other["state"] == "revoked":
                        continue
                    same_earner = earner_id is not None and other["issuer_earner_id"] == earner_id
                    if other["recipient_email"].lower() == email or same_earner:
                        return 422, _error("User already has this badge")
            badge_id = str(uuid.uuid4())
            now = _now()
            data = {
                "id": badge_id,
                "badge_template": {"id": template_id},
                "issued_to": f"{body['issued_to_first_name']} {body['issued_to_last_name']}",
                "issued_to_first_name": body["issued_to_first_name"],
                "issued_to_middle_name": body.get("issued_to_middle_name"),
                "issued_to_last_name": body["issued_to_last_name"],
                "issuer_earner_id": earner_id,
                "recipient_email": body["recipient_email"],
                "locale": body.get("locale", "en"),
                "state": "pending",
                "revocation_reason": None,
                "suppress_badge_notification_email": bool(
                    body.get("suppress_badge_notification_email", False)
                ),
                "issued_at": issued_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "issued_at_date": issued_at.strftime("%Y-%m-%d"),
                "expires_at": body.get("expires_at") or None,
                "created_at": now,
                "updated_at": now,
                "accept_badge_url": f"https://www.credly.com/badges/{badge_id}/accept",
            }
            self.badges[badge_id] = StoredBadge(data)
        return 201, {"data": data, "metadata": {}}

    def _list(self, query: dict) -> tuple[int, dict]:
        filters: dict[str, str] = {}
        for clause in (query.get("filter") or [""])[0].split("|"):
            if "::" in clause:
                key, value = clause.split("::", 1)
                filters[key] = value
        with self._lock:
            found = sorted(
                (stored for stored in self.badges.values() if _matches(stored.data, filters)),
                key=lambda stored: stored.created,
                reverse=(query.get("sort") or [""])[0].startswith("-"),
            )
        try:
            page = max(int((query.get("page") or ["1"])[0]), 1)
        except ValueError:
            page = 1
        total = len(found)
        pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
        data = [stored.data for stored in found[(page - 1) * PER_PAGE : page * PER_PAGE]]
        return 200, {
            "data": data,
            "metadata": {
                "count": len(data),
                "current_page": page,
                "total_count": total,
                "total_pages": pages,
                "per": PER_PAGE,
                "previous_page_url": None,
                "next_page_url": None,
            },
        }

    def _revoke(self, stored: StoredBadge, body: dict | None) -> tuple[int, dict]:
        reason = (body or {}).get("reason") if isinstance(body, dict) else None
        if not str(reason or "").strip():
            return 422, _error("Reason can't be blank")
        with self._lock:
            if stored.data["state"] == "revoked":
                return 422, _error("Badge has already been revoked")
            stored.data["state"] = "revoked"
            stored.data["revocation_reason"] = reason
            stored.data["updated_at"] = _now()
        return 200, {"data": stored.data, "metadata": {}}


def _error(message: str, *, errors: list | None = None) -> dict:
    data: dict = {"message": message}
    if errors:
        data["errors"] = errors
    return {"data": data, "metadata": None}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _credly_time(value) -> datetime | None:
    """Credly's documented "2014-04-01 09:41:00 -0500", or ISO 8601."""
    text = str(value).strip()
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, pattern).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def _matches(data: dict, filters: dict[str, str]) -> bool:
    for key, value in filters.items():
        if key == "issuer_earner_id" and str(data["issuer_earner_id"]) != value:
            return False
        if key == "recipient_email" and data["recipient_email"].lower() != value.lower():
            return False
        if key == "badge_template_id" and data["badge_template"]["id"] != value:
            return False
        if key == "state" and data["state"] not in value.split(","):
            return False
    return True


_ROUTES = [
    ("POST", re.compile(r"^/v1/organizations/([^/]+)/badges/?$"), "issue"),
    ("GET", re.compile(r"^/v1/organizations/([^/]+)/badges/?$"), "list"),
    ("GET", re.compile(r"^/v1/organizations/([^/]+)/badges/([^/]+)/?$"), "get"),
    ("PUT", re.compile(r"^/v1/organizations/([^/]+)/badges/([^/]+)/revoke/?$"), "revoke"),
]


def _route(method: str, path: str) -> tuple[str, str, str | None] | None:
    for route_method, pattern, endpoint in _ROUTES:
        match = pattern.match(path)
        if match and method == route_method:
            groups = match.groups()
            return endpoint, groups[0], groups[1] if len(groups) > 1 else None
    return None


def _endpoint_of(method: str, path: str) -> str:
    route = _route(method, path)
    return route[0] if route else "unknown"


def _handler_for(standin: CredlyStandin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out as two writes: without TCP_NODELAY the second waits
        # for the client's delayed ACK (about 40 ms a request), which capped the bench's rate.
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            return

        def _serve(self, method: str) -> None:
            split = urlsplit(self.path)
            query = parse_qs(split.query)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            endpoint = _endpoint_of(method, split.path)
            record = RecordedRequest(
                method=method,
                path=split.path,
                endpoint=endpoint,
                query=query,
                body=body,
                authorization=self.headers.get("Authorization"),
            )
            with standin._lock:
                standin.requests.append(record)
            if standin.latency:
                standin._stopping.wait(standin.latency)
            if not standin._authorized(record.authorization):
                self._answer(record, 401, _error("You are not authorized to access this resource"))
                return
            fault = standin._take_fault(endpoint)
            if fault is None:
                status, payload = standin.handle(method, split.path, query, body)
                self._answer(record, status, payload)
                return
            if fault.process:
                status, payload = standin.handle(method, split.path, query, body)
            if fault.delay:
                standin._stopping.wait(fault.delay)
            if fault.status is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                message = fault.message or HTTPStatus(fault.status).phrase
                self._answer(record, fault.status, _error(message), headers=headers)
                return
            if not fault.process:
                status, payload = standin.handle(method, split.path, query, body)
            self._answer(record, status, payload)

        def _answer(self, record, status: int, payload: dict, headers: dict | None = None):
            record.status = status
            encoded = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(encoded)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(encoded)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (its timeout) before the answer came.
                pass

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PUT(self):
            self._serve("PUT")

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for Credly's API")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--organization-id", default=DEFAULT_ORGANIZATION_ID)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args(argv)
    standin = CredlyStandin(
        organization_id=args.organization_id,
        token=args.token,
        latency=args.latency,
        port=args.port,
    ).start()
    print(
        f"Credly stand-in on {standin.api_url} (organization {standin.organization_id}); "
        "Ctrl-C stops it",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
