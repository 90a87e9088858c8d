"""A webhook receiver for the tests: a threaded HTTP server on a free 127.0.0.1 port that
records every request, can be told to fail the next N (with a status, or by answering too late),
and, given the endpoint's secret, checks each request as a careful receiver would:

- the signature with the `standardwebhooks` package (which also checks the timestamp is within
  five minutes), and again by hand with hmac/hashlib from the Standard Webhooks spec;
- the timestamp within TOLERANCE_SECONDS of its own clock;
- a message id it has already accepted is a replay: refused with 409 and not processed again.

A request that fails a check gets 400 (or 401 for a bad signature) and is recorded as refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

TOLERANCE_SECONDS = 300


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    verdict: str  # "accepted", "failed on purpose", "replay", or why it was refused

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


def hmac_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """The v1 signature as the spec defines it, without the package."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def check_request(secret: str, headers: dict[str, str], body: bytes, *, now: float) -> str | None:
    """Why this request is not a genuine, fresh event signed with `secret`, or None."""
    headers = {name.lower(): value for name, value in headers.items()}
    message_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError as error:
        return f"standardwebhooks: {error}"
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance"
    expected = hmac_signature(secret, message_id, timestamp, body)
    offered = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v1,")]
    if not any(hmac.compare_digest(expected, signature) for signature in offered):
        return "hmac: no matching v1 signature"
    return None


@dataclass
class WebhookReceiver:
    secret: str | None = None
    requests: list[Received] = field(default_factory=list)
    accepted_ids: set[str] = field(default_factory=set)
    _failures: list[tuple[int, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/badges"

    def fail_next(self, times: int, *, status: int = 500, delay: float = 0.0) -> None:
        """The next `times` requests answer `status` (after `delay` seconds: longer than the
        portal's read timeout makes a timeout)."""
        with self._lock:
            self._failures.extend([(status, delay)] * times)

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.verdict == "accepted"]

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, str, float]:
        with self._lock:
            if self._failures:
                status, delay = self._failures.pop(0)
                return status, "failed on purpose", delay
            if self.secret is not None:
                problem = check_request(self.secret, headers, body, now=time.time())
                if problem:
                    return 401 if "signature" in problem else 400, problem, 0.0
            message_id = {k.lower(): v for k, v in headers.items()}.get("webhook-id", "")
            if message_id in self.accepted_ids:
                return 409, "replay", 0.0
            self.accepted_ids.add(message_id)
            return 200, "accepted", 0.0

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                status, verdict, delay = receiver._answer(headers, body)
                if delay:
                    time.sleep(delay)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body, status, verdict))
                answer = verdict.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the portal gave up waiting (a timeout on purpose)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
