"""Find a recipient's working hours: the calendar their quiet hours follow.

Where it comes from (see docs/notifications.md): the recipient's own choice on the "My
alerts" page (`<agreement>/<calendar>` of any stored agreement, or `never`), and by default
the calendar of the objective the message is about, i.e. the working hours the party agreed
to in the agreement YAML. A message about no objective (a review reminder, an evaluation
failure) has no default calendar and is not held.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement, Calendar
from slawatch.alerts.preferences import QUIET_NEVER, QUIET_OBJECTIVE, Choices, Opening, next_opening
from slawatch.engine.calendar import WorkingCalendar
from slawatch.store.agreements import current_agreements, get_version


@lru_cache(maxsize=64)
def opening_of(calendar: Calendar) -> Opening:
    """Return the next opening of a calendar; its tables are kept, so threads take turns."""
    working = WorkingCalendar(calendar)
    lock = threading.Lock()

    def opening(instant: int) -> int:
        with lock:
            return next_opening(working, instant)

    return opening


def objective_calendar(agreement: Agreement | None, objective: str | None) -> Calendar | None:
    if agreement is None or objective is None or objective not in agreement.objectives:
        return None
    return agreement.calendar_of(objective)


def chosen_calendar(connection: Connection, quiet_hours: str) -> Calendar | None:
    """Return the calendar named `<agreement>/<calendar>`, or None if it is gone."""
    agreement_id, _, name = quiet_hours.partition("/")
    stored = get_version(connection, agreement_id) if name else None
    return None if stored is None else stored.agreement.calendars.get(name)


def quiet_calendar(
    connection: Connection,
    choices: Choices,
    agreement: Agreement | None,
    objective: str | None,
) -> Calendar | None:
    """Return the calendar a recipient's quiet hours follow for one message, or None."""
    if choices.quiet_hours == QUIET_NEVER:
        return None
    if choices.quiet_hours != QUIET_OBJECTIVE:
        chosen = chosen_calendar(connection, choices.quiet_hours)
        if chosen is not None:
            return chosen
    return objective_calendar(agreement, objective)


def calendar_names(connection: Connection) -> dict[str, Calendar]:
    """Return every stored agreement's calendars by `<agreement>/<calendar>`."""
    return {
        f"{stored.id}/{name}": calendar
        for stored in current_agreements(connection)
        for name, calendar in sorted(stored.agreement.calendars.items())
    }
