"""A real SMTP server for the tests and the bench (aiosmtpd in its own thread on a free 127.0.0.1
port): Django's SMTP backend talks a whole SMTP conversation to it, and every message it accepts
is kept, parsed, with its envelope.

    with SmtpServer() as smtp:
        ... send mail to smtp.host:smtp.port ...
        smtp.messages[0].message["Subject"], smtp.messages[0].recipients

`refuse_next(code, text)` makes the next RCPT answer an SMTP error (450 to try later, 550 to give
up), for the retry tests.
"""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedMessage:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def body(self, subtype: str = "plain") -> str:
        """The text of the plain (or html) part."""
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""


class _Collector:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.server._take_refusal()
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.server._receive(
            ReceivedMessage(
                sender=envelope.mail_from,
                recipients=tuple(envelope.rcpt_tos),
                message=message,
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.host = HOST
        self.port = 0
        self._messages: list[ReceivedMessage] = []
        self._refusals: list[str] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._controller: Controller | None = None

    def start(self) -> "SmtpServer":
        # aiosmtpd 1.4 checks its own port after binding, so it cannot be given port 0: take a
        # free port and try again in the rare case another process took it in between.
        last_error: Exception | None = None
        for _ in range(5):
            port = _free_port()
            controller = Controller(_Collector(self), hostname=HOST, port=port)
            try:
                controller.start()
            except (OSError, RuntimeError) as error:
                last_error = error
                continue
            self._controller = controller
            self.port = port
            return self
        raise RuntimeError(f"could not start the SMTP server: {last_error}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server as an EMAIL_URL (django-environ), for a worker in another process."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def messages_to(self, address: str) -> list[ReceivedMessage]:
        wanted = address.lower()
        return [m for m in self.messages if wanted in (r.lower() for r in m.recipients)]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._refusals.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """The messages once at least `count` have arrived (for a worker in another process)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._messages) >= count, timeout=timeout)
            return list(self._messages)

    def refuse_next(self, code: int = 450, text: str = "Mailbox busy, try again later") -> None:
        with self._lock:
            self._refusals.append(f"{code} {text}")

    def _take_refusal(self) -> str | None:
        with self._lock:
            return self._refusals.pop(0) if self._refusals else None

    def _receive(self, message: ReceivedMessage) -> None:
        with self._arrived:
            self._messages.append(message)
            self._arrived.notify_all()
