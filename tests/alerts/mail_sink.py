"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every message it accepts."""

from __future__ import annotations

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.sink.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 OK"


class MailSink:
    """Accept mail on a free local port; `url(to)` is the apprise URL that reaches it."""

    def __init__(self, refused: tuple[str, ...] = ()) -> None:
        self.refused = set(refused)
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def smtp_url(self) -> str:
        """The SLAWATCH_SMTP_URL form for a local server without TLS or login."""
        return f"mailto://127.0.0.1:{self.port}?from=slawatch@example.com"

    def text(self, message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        content: str = part.get_content()
        return content

    def __enter__(self) -> MailSink:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.controller.stop()
