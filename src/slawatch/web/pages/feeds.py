"""The Feeds panel of an agreement's page and the silent-feed warning of an objective's page.

Both read the latest event of each expected type (`store/feeds.py`) and let
`engine/feeds.py` decide; the templates are partials of their own
(`agreements/_feeds.html`, `agreements/_feed_warning.html`) included by the pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from slawatch.agreements.model import Agreement, DurationUnit, Expectation, Objective
from slawatch.engine.feeds import FeedState, objectives_reading, silent_feeds_of
from slawatch.formatting import agreed_text
from slawatch.i18n import Translator
from slawatch.store.db import read_transaction
from slawatch.store.feeds import read_feeds
from slawatch.web.pages.zones import zoned_text


def _states(request: Request, agreement: Agreement, now: int) -> tuple[FeedState, ...]:
    if not agreement.expect:
        return ()
    with read_transaction(request.app.state.engine) as connection:
        return read_feeds(connection, agreement, as_of=now)


def expected_text(expectation: Expectation, t: Translator) -> str:
    """Say an expectation: 'at least one every 4 h of working time (office)'."""
    every = expectation.every
    if every.unit is DurationUnit.BUSINESS_DAYS:
        text = t.ngettext(
            "at least one every business day",
            "at least one every %(num)s business days",
            every.amount,
        )
    elif every.unit is DurationUnit.WORKING:
        text = t.gettext("at least one every %(time)s of working time", time=agreed_text(every, t))
    else:
        text = t.gettext("at least one every %(time)s", time=agreed_text(every, t))
    return text if expectation.calendar is None else f"{text} ({expectation.calendar})"


def feed_row(state: FeedState, agreement: Agreement, t: Translator) -> dict[str, Any]:
    zone = agreement.timezone
    if state.silent:
        status = t.gettext("silent since %(since)s", since=zoned_text(state.due_by, zone, t))
    else:
        status = t.gettext(
            "on time, next one due by %(due)s", due=zoned_text(state.due_by, zone, t)
        )
    return {
        "type": state.event_type,
        "expected": expected_text(state.expectation, t),
        "last_seen": (
            t.gettext("never") if state.last_seen is None else zoned_text(state.last_seen, zone, t)
        ),
        "silent": state.silent,
        "status": status,
        "objectives": [
            {"id": o.id, "title": o.title} for o in objectives_reading(agreement, state.event_type)
        ],
    }


def feeds_panel(
    request: Request, agreement: Agreement, now: int, t: Translator
) -> list[dict[str, Any]]:
    """Return the rows of the agreement page's Feeds panel; empty without `expect:`."""
    return [feed_row(state, agreement, t) for state in _states(request, agreement, now)]


def feed_warnings(
    request: Request, agreement: Agreement, objective: Objective, now: int, t: Translator
) -> list[dict[str, Any]]:
    """Return the silent feeds an objective reads, for the warning on its page."""
    silent = silent_feeds_of(objective, _states(request, agreement, now))
    return [feed_row(state, agreement, t) for state in silent]
