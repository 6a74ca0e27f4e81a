"""Queue notifications for escalation steps and reminders, and the channels that carry them.

Queueing and sending are apart: `enqueue_step` writes one `deliveries` row per recipient in
the escalation tick's transaction (so a message exists exactly when the step does), and the
sender (`delivery.py`) sends them later with retries. A replica that takes the same step adds
nothing, because every row has a deterministic `dedup_key`.

Channels are apprise URLs, one small transport class per kind, so each can tell a permanent
failure (a bad URL, a rejected address, a 4xx) from one worth retrying (a refused connection,
a 5xx, a timeout).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise
from sqlalchemy import Connection

from slawatch.agreements.model import Agreement, DurationUnit
from slawatch.alerts.messages import (
    ClockFigures,
    Message,
    PeriodFigures,
    StepFacts,
    step_message,
)
from slawatch.config import Settings, get_settings
from slawatch.engine.instants import US
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.i18n import DEFAULT_LANGUAGE, supported
from slawatch.store.agreements import get_version
from slawatch.store.deliveries import EscalationSubject, add_delivery, escalation_subject
from slawatch.store.results import stored_result
from slawatch.store.routes import routes_for
from slawatch.store.users import find_user

log = logging.getLogger("slawatch.alerts")
NO_ROUTE = "no route and no SLAWATCH_SMTP_URL"
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
    """Return the configured SMTP URL addressed to one contact (its `to=` replaced)."""
    parts = urlsplit(smtp_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", email))
    # The path of a mailto URL names recipients too; the contact is the only one wanted.
    return urlunsplit((parts.scheme, parts.netloc, "", urlencode(query, safe="@:"), ""))


@dataclass(frozen=True)
class Recipient:
    """Where one message goes: the route's target (or the contact), its URL and language."""

    target: str
    url: str  # "" when there is nowhere to send it
    language: str


def recipients_for(
    connection: Connection, contact: str | None, party_target: str | None, settings: Settings
) -> list[Recipient]:
    """Return the routes of a contact and of its party, else mail to the contact, else none.

    The language is the route's, else that of the user with the contact's email, else English.
    A recipient without a URL stands for a message that cannot be sent (no route, no SMTP).
    """
    user = find_user(connection, contact) if contact else None
    fallback = supported(user.language if user else None) or DEFAULT_LANGUAGE
    targets = [t for t in (contact, party_target) if t]
    found: list[Recipient] = []
    for route in routes_for(connection, targets):
        if all(r.url != route.url for r in found):
            found.append(Recipient(route.target, route.url, supported(route.language) or fallback))
    if found:
        return found
    target = contact or party_target or ""
    if contact and settings.smtp_url:
        return [Recipient(contact, mail_url(settings.smtp_url, contact), fallback)]
    return [Recipient(target, "", fallback)]


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def enqueue(
    connection: Connection,
    *,
    dedup_key: str,
    recipient: str,
    url: str,
    language: str,
    title: str,
    body: str,
    now: int,
    escalation_id: int | None = None,
) -> bool:
    """Queue one message; False if its key was queued before. Without a URL it is kept failed."""
    return add_delivery(
        connection,
        dedup_key=dedup_key,
        recipient=recipient,
        url=url,
        language=language,
        title=title,
        body=body,
        now=now,
        escalation_id=escalation_id,
        failed_because=None if url else NO_ROUTE,
    )


def enqueue_step_messages(
    connection: Connection,
    recipients: Iterable[Recipient],
    message_for: Callable[[str], Message],
    *,
    step_id: int,
    now: int,
    escalation_id: int,
) -> int:
    """Queue one ladder step's message to each recipient, in its language; return how many.

    The key names the step, the recipient and its URL, so a second replica queues nothing.
    """
    added = 0
    for recipient in recipients:
        message = message_for(recipient.language)
        hashed = url_hash(recipient.url) if recipient.url else "none"
        added += enqueue(
            connection,
            dedup_key=f"step:{step_id}:{recipient.target}:{hashed}",
            recipient=recipient.target,
            url=recipient.url,
            language=recipient.language,
            title=message.title,
            body=message.body,
            now=now,
            escalation_id=escalation_id,
        )
    return added


def _contact(agreement: Agreement, party: str, tier: int) -> str | None:
    found = agreement.parties.get(party)
    contacts = found.contacts if found else ()
    if not contacts:
        return None
    return contacts[min(max(tier, 1), len(contacts)) - 1]


def _clock(subject: EscalationSubject, objective: ClockObjective) -> ClockFigures | None:
    elapsed = (
        subject.elapsed_us if subject.elapsed_us is not None else subject.detail.get("elapsed_us")
    )
    if elapsed is None:
        return None
    deadline = subject.deadline if subject.deadline is not None else subject.detail.get("deadline")
    within = objective.within
    days = within.unit is DurationUnit.BUSINESS_DAYS
    return ClockFigures(
        elapsed_seconds=int(elapsed) / US,
        allowance_seconds=None if days else float(within.amount),
        allowance_business_days=within.amount if days else None,
        deadline=None if deadline is None else int(deadline),
    )


def _figures(connection: Connection, subject: EscalationSubject) -> PeriodFigures | None:
    found = dict(subject.detail)
    stored = (
        stored_result(connection, subject.agreement_id, subject.period) if subject.period else None
    )
    result = None if stored is None else stored.result(subject.objective)
    if result is not None:
        found = result.document()
    if found.get("target") is None or found.get("op") is None:
        return None
    value = found.get("value")
    return PeriodFigures(
        kind=str(found.get("kind", "count")),
        value=None if value is None else float(value),
        target=float(found["target"]),
        op=str(found["op"]),
        status=None if found.get("status") is None else str(found["status"]),
    )


def step_facts(
    connection: Connection,
    subject: EscalationSubject,
    agreement: Agreement,
    tier: int,
    base_url: str,
) -> StepFacts:
    """Look up what the message of an escalation step says: subject, numbers and link."""
    objective = agreement.objectives.get(subject.objective)
    item = None
    if subject.item_source is not None:
        item = f"{subject.item_source}/{subject.item_external_id}"
    clock = None
    if item is not None and isinstance(objective, ClockObjective):
        clock = _clock(subject, objective)
    return StepFacts(
        agreement_title=agreement.title,
        objective_title=objective.title if objective else subject.objective,
        trigger=subject.trigger,
        tier=tier,
        zone=agreement.timezone,
        link=f"{base_url.rstrip('/')}/escalations/{subject.id}",
        item=item,
        period=subject.period if item is None else None,
        clock=clock,
        figures=None if item is not None else _figures(connection, subject),
    )


def enqueue_step(
    connection: Connection,
    escalation_id: int,
    step_id: int,
    tier: int,
    *,
    now: int,
    settings: Settings | None = None,
) -> int:
    """Queue the messages of one escalation step; return how many rows this call added.

    The tier's contact is the party's contacts[tier - 1] (the last one if there are fewer).
    It runs in the caller's transaction, so the messages exist exactly when the step does.
    """
    settings = settings or get_settings()
    subject = escalation_subject(connection, escalation_id)
    stored = get_version(connection, subject.agreement_id) if subject else None
    if subject is None or stored is None:
        log.warning("escalation %s has no agreement to notify about", escalation_id)
        return 0
    agreement = stored.agreement
    contact = _contact(agreement, subject.party, tier)
    party_target = f"{agreement.id}:{subject.party}"
    facts = step_facts(connection, subject, agreement, tier, settings.base_url)
    return enqueue_step_messages(
        connection,
        recipients_for(connection, contact, party_target, settings),
        lambda language: step_message(facts, language),
        step_id=step_id,
        now=now,
        escalation_id=escalation_id,
    )
