"""The channels a message goes out through: one small transport class per kind of URL.

Channels are apprise URLs. Each transport tells a permanent failure (a bad URL, a rejected
address, a 4xx) from one worth retrying (a refused connection, a 5xx, a timeout), by raising
TransportError(message, permanent=...); the sender (`delivery.py`) records the attempt. URLs
often carry secrets, so they are shown only `redacted`.
"""

from __future__ import annotations

import logging
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise

SEND_TIMEOUT = 60.0  # seconds for one send; the sender's lease is far longer
_HTTP_STATUS = re.compile(r"error=(\d{3})")
_SMTP_STATUS = re.compile(r"\((\d{3}), b'")
_RETRIED_HTTP = frozenset({408, 425, 429})  # 4xx answers that mean "later", not "never"
_SHOWN_QUERY = frozenset({"from", "to", "cc"})
_CUSTOM_WEBHOOKS = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


class TransportError(Exception):
    """A message that did not go out; `permanent` says whether trying again can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class _ThreadRecords(logging.Handler):
    """Collect apprise's complaints raised by this thread only (other senders run alongside)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _apprise_complaints() -> Iterator[list[str]]:
    handler = _ThreadRecords()
    logger = logging.getLogger("apprise")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def url_problem(url: str) -> str | None:
    """Return why apprise cannot use a URL (unknown scheme, missing parts), or None."""
    with _apprise_complaints() as complaints:
        usable = apprise.Apprise().add(url)
    if usable:
        return None
    reasons = [c for c in complaints if "Unsupported URL" not in c or len(complaints) == 1]
    return "; ".join(dict.fromkeys(reasons)) or "apprise cannot use this URL"


def _masked(segment: str) -> str:
    return segment if len(segment) <= 6 else f"{segment[0]}...{segment[-1]}"


def redacted(url: str) -> str:
    """Return a URL fit to show: passwords, tokens and custom headers masked or left out.

    apprise masks what its services call secrets; the path of a custom webhook (often a
    secret itself) is masked here too, and of the query only the addresses are kept.
    """
    if not url:
        return ""
    with _apprise_complaints():
        service = apprise.Apprise.instantiate(url)
    if service is None:
        return f"{urlsplit(url).scheme}://…"
    privacy_url: Callable[..., str] = service.url  # apprise leaves this method unannotated
    parts = urlsplit(privacy_url(privacy=True))
    path = parts.path.rstrip("/")
    if parts.scheme in _CUSTOM_WEBHOOKS:
        path = "/".join(_masked(segment) for segment in path.split("/"))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k in _SHOWN_QUERY]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query, safe="@"), ""))


class Transport(ABC):
    """One kind of channel: send a title and a plain-text body, or raise TransportError."""

    kind: ClassVar[str] = "apprise"
    schemes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, url: str) -> None:
        self.url = url

    @abstractmethod
    def notify(self, title: str, body: str) -> None:
        """Send one message; raise TransportError(message, permanent=…) if it did not go."""


class AppriseTransport(Transport):
    """Any apprise service (Slack, Teams, ntfy …): most are HTTP APIs, judged by status."""

    def notify(self, title: str, body: str) -> None:
        service = apprise.Apprise()
        with _apprise_complaints() as complaints:
            usable = service.add(self.url)
        if not usable:
            reason = "; ".join(complaints) or "apprise cannot use this URL"
            raise TransportError(f"unusable URL: {reason}", permanent=True)
        result = service.notify(
            title=title,
            body=body,
            body_format=apprise.NotifyFormat.TEXT,
            log_level=logging.DEBUG,
            timeout=SEND_TIMEOUT,
        )
        if result:
            return
        entries = [(entry.level, entry.message) for entry in result.logs()]
        messages = [message for _, message in entries]
        # Warnings say what failed; a debug "Exception" line (when that log is on) says why.
        shown = [m for level, m in entries if level != "DEBUG" or "Exception" in m]
        summary = "; ".join(shown) or f"apprise reported {result.status.name}"
        raise TransportError(summary, permanent=self.permanent(messages))

    def permanent(self, messages: list[str]) -> bool:
        """Say whether the failure logged in `messages` will recur however often it is tried."""
        codes = [int(code) for m in messages for code in _HTTP_STATUS.findall(m)]
        return any(400 <= code < 500 and code not in _RETRIED_HTTP for code in codes)


class WebhookTransport(AppriseTransport):
    """A JSON POST to any URL (json:// or jsons://): apprise's title/message document."""

    kind = "webhook"
    schemes = frozenset({"json", "jsons"})


class MailTransport(AppriseTransport):
    """Mail through an SMTP server (mailto:// or mailtos://).

    A 5xx SMTP reply (an unknown mailbox, a refused sender) is permanent. apprise reports the
    reply code only in its debug log; when that log is off, a refusal is retried like a
    connection error until the attempts run out.
    """

    kind = "mail"
    schemes = frozenset({"mailto", "mailtos"})

    def permanent(self, messages: list[str]) -> bool:
        codes = [int(code) for m in messages for code in _SMTP_STATUS.findall(m)]
        no_recipient = any("no Email recipients" in m for m in messages)
        return no_recipient or any(500 <= code < 600 for code in codes)


TRANSPORTS: tuple[type[AppriseTransport], ...] = (MailTransport, WebhookTransport)


def transport_for(url: str) -> Transport:
    """Return the transport for a URL by its scheme; apprise's generic one for the rest."""
    scheme = urlsplit(url).scheme.lower()
    for transport in TRANSPORTS:
        if scheme in transport.schemes:
            return transport(url)
    return AppriseTransport(url)


def mail_url(smtp_url: str, email: str) -> str:
    """Return the SMTP URL addressed to one contact (its `to=` replaced), or "" without one."""
    if not smtp_url:
        return ""
    parts = urlsplit(smtp_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", email))
    # The path of a mailto URL names recipients too; the contact is the only one wanted.
    return urlunsplit((parts.scheme, parts.netloc, "", urlencode(query, safe="@:"), ""))
