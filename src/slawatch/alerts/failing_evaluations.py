"""Escalate an agreement whose evaluation keeps failing to the administrators.

When one agreement's evaluation fails, the others go on and its pages say so; once its
results are older than two evaluation intervals (SLAWATCH_EVALUATION_INTERVAL) the escalation
tick opens an escalation for it, like any other, so that it shows on /escalations and its
message reaches the admins through the deliveries queue. It is the same kind of row as an
objective's escalation, with trigger `evaluation_failing`, no objective, party `admins` and
subject `evaluation:<failing since µs>`: the unique key of escalations then opens one per
failure episode, also with several replicas. Its ladder has one rung: every active user with
role admin, at once. It closes itself (`recovered`) when an evaluation of the agreement
succeeds, and a new episode later opens a new escalation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from slawatch.alerts.escalation import Condition, Rung
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import LadderStep, enqueue_step_messages
from slawatch.alerts.recipients import recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.instants import from_us
from slawatch.i18n import translator
from slawatch.store.agreements import get_version
from slawatch.store.escalations import Escalation, NewEscalation, get_escalation
from slawatch.store.health import Health
from slawatch.store.users import list_users

log = logging.getLogger("slawatch.alerts")
TRIGGER = "evaluation_failing"
ADMINS = "admins"  # the party of the escalation: every active user with role admin
NO_OBJECTIVE = ""  # the escalation is about the whole agreement
SUBJECT_PREFIX = "evaluation:"
STALE_INTERVALS = 2  # results older than this many evaluation intervals are escalated
ADMIN_RUNGS = (Rung(after_us=0, tier=1),)  # the admins, at once, once


def failure_subject(failing_since: int) -> str:
    """Name one failure episode: the instant its first attempt failed."""
    return f"{SUBJECT_PREFIX}{failing_since}"


def is_failure_escalation(escalation: Escalation) -> bool:
    return escalation.trigger == TRIGGER


def stale_since(health: Health) -> int:
    """Return when the results last moved: the last success, else the first failure."""
    if health.last_success_at is not None:
        return health.last_success_at
    return health.failing_since or 0


def stale_failures(health: Iterable[Health], *, now: int, stale_after_us: int) -> list[Health]:
    """Return the failing agreements whose results are older than `stale_after_us` at `now`."""
    return [h for h in health if h.failing and now - stale_since(h) >= stale_after_us]


def failure_escalation(health: Health, *, now: int) -> NewEscalation:
    """Return the escalation that tells the admins of one failure episode."""
    assert health.failing_since is not None
    return NewEscalation(
        agreement_id=health.agreement_id,
        objective=NO_OBJECTIVE,
        subject=failure_subject(health.failing_since),
        trigger=TRIGGER,
        party=ADMINS,
        opened_at=now,
        next_step_at=now,  # the admins' rung is due at once
        detail={
            "failing_since": health.failing_since,
            "last_success_at": health.last_success_at,
            "last_error": health.last_error,
            "failed_attempts": health.failed_attempts,
        },
    )


def failure_condition(escalation: Escalation, health: Health | None) -> Condition:
    """Judge the episode: still failing (bad), or over (a success, or a newer episode)."""
    if health is None or health.failing_since is None:
        return Condition.RECOVERED
    same = escalation.subject == failure_subject(health.failing_since)
    return Condition.BAD if same else Condition.RECOVERED


# -- the message --------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureFacts:
    """What the admins' message says, looked up once for all of them."""

    agreement_title: str
    zone: str
    failing_since: int  # µs
    last_success_at: int | None  # µs; None when no evaluation ever succeeded
    error: str
    link: str


def failure_message(facts: FailureFacts, language: str) -> Message:
    """Write the admins' message in one language."""
    t = translator(language)
    since = t.datetime(from_us(facts.failing_since), facts.zone)
    title = t.gettext("Evaluation failing: %(agreement)s", agreement=facts.agreement_title)
    if facts.last_success_at is None:
        state = t.gettext(
            "The agreement %(agreement)s has no results: its evaluation has been failing "
            "since %(since)s.",
            agreement=facts.agreement_title,
            since=since,
        )
    else:
        state = t.gettext(
            "The results of the agreement %(agreement)s are from %(when)s: its evaluation "
            "has been failing since %(since)s.",
            agreement=facts.agreement_title,
            when=t.datetime(from_us(facts.last_success_at), facts.zone),
            since=since,
        )
    lines = [
        state,
        t.gettext("Error: %(error)s", error=facts.error),
        "",
        t.gettext(
            "The other agreements are evaluated as usual. This escalation closes itself as "
            "soon as an evaluation of this agreement succeeds, e.g. after a corrected version "
            "is saved."
        ),
        t.gettext("You are notified as an administrator of slawatch."),
        t.gettext("Open the escalation: %(link)s", link=facts.link),
    ]
    return Message(title=title, body="\n".join(lines))


def enqueue_failure_step(
    connection: Connection, step: LadderStep, *, settings: Settings | None = None
) -> int:
    """Queue the message of a failure escalation to every active admin; return rows added.

    Each admin is reached like any contact: their notification routes, else mail through
    SLAWATCH_SMTP_URL, else a failed delivery (no route) on the deliveries page.
    """
    settings = settings or get_settings()  # one rung, the admins: the tier says nothing
    escalation_id = step.escalation_id
    escalation = get_escalation(connection, escalation_id)
    if escalation is None:
        return 0
    stored = get_version(connection, escalation.agreement_id)
    detail = escalation.detail
    facts = FailureFacts(
        agreement_title=stored.title if stored else escalation.agreement_id,
        zone=stored.agreement.timezone if stored else "UTC",
        failing_since=int(detail.get("failing_since") or escalation.opened_at),
        last_success_at=detail.get("last_success_at"),
        error=str(detail.get("last_error") or "–"),
        link=f"{settings.base_url.rstrip('/')}/escalations/{escalation_id}",
    )
    admins = [user for user in list_users(connection) if user.role == "admin" and user.active]
    if not admins:
        log.warning("escalation %s: there is no active admin to notify", escalation_id)
    recipients = [
        recipient
        for admin in admins
        for recipient in recipients_for(connection, admin.email, None, settings)
    ]
    return enqueue_step_messages(
        connection,
        recipients,
        lambda language: failure_message(facts, language),
        step,
    )
