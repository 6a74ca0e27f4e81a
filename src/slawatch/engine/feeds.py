"""Silent feeds: whether the events an agreement's `expect:` names still arrive.

The one place silence is computed. A feed of type T, expected `every: A` (on a calendar:
working time), is due again A after its latest event — exactly where a clock started at that
event with the allowance A would have its deadline (`engine/clock.py`: an exact fit lands on
the closing time, `bd` means the close of the A-th business day). It is silent once `as_of`
is past that instant, the same rule by which a running clock is breached. Before any event
of the type, the allowance counts from the agreement's effective date (local midnight), so
a feed that never delivered is silent from one allowance after the agreement took effect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from slawatch.agreements.model import Agreement, Calendar, Expectation, Objective
from slawatch.engine.calendar import WorkingTime, working_calendar
from slawatch.engine.clock import ClockInput, compute_clocks
from slawatch.engine.periods import local_midnight
from slawatch.engine.vocabulary import closest, required_event_types, used_event_types

# Builds the working time of a calendar spec (None: wall time). A caller that asks often (a
# page, the alert tick) passes one that keeps the expanded tables between calls.
CalendarSource = Callable[[Calendar | None], WorkingTime]


@dataclass(frozen=True)
class FeedState:
    """One expected event type as of an instant: when it was last seen, when it is due."""

    event_type: str
    expectation: Expectation
    last_seen: int | None  # µs; None: no event of the type at or before as_of
    counting_from: int  # the last event, or the agreement's effective midnight
    due_by: int  # the latest instant the next event may arrive without the feed going silent
    silent: bool  # as_of is past due_by

    @property
    def silent_since(self) -> int | None:
        """Return when the feed went silent (its due-by instant), or None while it is not."""
        return self.due_by if self.silent else None


def effective_start(agreement: Agreement) -> int:
    """Return the agreement's effective midnight, where a feed without events counts from."""
    return local_midnight(agreement.effective, ZoneInfo(agreement.timezone))


def due_by(
    agreement: Agreement,
    expectation: Expectation,
    since: Iterable[int],
    calendars: CalendarSource = working_calendar,
) -> list[int]:
    """Return, for each instant in `since`, when the next event of the type is due at the latest.

    A clock's deadline from `since` with the allowance `every`, on the expectation's calendar.
    """
    spec = None if expectation.calendar is None else agreement.calendars[expectation.calendar]
    start = np.fromiter(since, dtype=np.int64)
    if not len(start):
        return []
    clocks = compute_clocks(
        ClockInput.without_pauses(start, np.full(len(start), np.iinfo(np.int64).max)),
        as_of=int(start.max()),
        within=expectation.every,
        calendar=calendars(spec),
        warn=None,
    )
    return [int(x) for x in clocks.deadline]


def feed_state(
    agreement: Agreement,
    expectation: Expectation,
    last_seen: int | None,
    as_of: int,
    calendars: CalendarSource = working_calendar,
) -> FeedState:
    """Return one expected type's state as of `as_of`, from its latest event at or before it."""
    if last_seen is not None and last_seen > as_of:
        raise ValueError(
            f"{expectation.event_type}: the last event ({last_seen}) is after as_of ({as_of}); "
            "pass the latest event at or before as_of"
        )
    counting_from = effective_start(agreement) if last_seen is None else last_seen
    (due,) = due_by(agreement, expectation, [counting_from], calendars)
    return FeedState(
        event_type=expectation.event_type,
        expectation=expectation,
        last_seen=last_seen,
        counting_from=counting_from,
        due_by=due,
        silent=as_of > due,
    )


def feed_states(
    agreement: Agreement,
    last_seen: Mapping[str, int | None],
    as_of: int,
    calendars: CalendarSource = working_calendar,
) -> tuple[FeedState, ...]:
    """Return the state of every expected type, in the order `expect:` lists them.

    `last_seen` maps an event type to its latest instant at or before `as_of` (µs); a type
    missing from it, or mapped to None, has not been seen.
    """
    return tuple(
        feed_state(agreement, expectation, last_seen.get(event_type), as_of, calendars)
        for event_type, expectation in agreement.expect.items()
    )


def silent_types(
    agreement: Agreement,
    last_seen: Mapping[str, int | None],
    as_of: int,
    calendars: CalendarSource = working_calendar,
) -> frozenset[str]:
    """Return the expected event types that are silent as of `as_of`."""
    states = feed_states(agreement, last_seen, as_of, calendars)
    return frozenset(state.event_type for state in states if state.silent)


def silence_ended(
    agreement: Agreement,
    event_type: str,
    previous: int | None,
    latest: int,
    calendars: CalendarSource = working_calendar,
) -> int | None:
    """Return when the silence that the event at `latest` ended began, or None if there was none.

    `previous` is the type's event before `latest` (None: it is the first one); the feed was
    silent if `latest` came after the instant the next event was due.
    """
    expectation = agreement.expect[event_type]
    since = effective_start(agreement) if previous is None else previous
    (due,) = due_by(agreement, expectation, [since], calendars)
    return due if latest > due else None


def objectives_reading(agreement: Agreement, event_type: str) -> tuple[Objective, ...]:
    """Return the objectives that cannot be measured without events of the type."""
    return tuple(
        objective
        for objective in agreement.objectives.values()
        if event_type in required_event_types(objective)
    )


def silent_feeds_of(objective: Objective, states: Iterable[FeedState]) -> tuple[FeedState, ...]:
    """Return the silent feeds an objective reads (its count, start, stop … events)."""
    needed = set(required_event_types(objective))
    return tuple(state for state in states if state.silent and state.event_type in needed)


def unread_expectations(agreement: Agreement) -> list[str]:
    """Say which expected types no objective reads, with a guess when one looks like a typo.

    Allowed (a feed may be watched for itself), but `handed_ovr` is more likely a typo of
    `handed_over`, so `slawatch check` warns.
    """
    used = used_event_types(agreement)
    found = []
    for event_type in agreement.expect:
        if event_type in used:
            continue
        text = f"expect.{event_type}: no objective reads {event_type}; it is only watched"
        guess = closest(event_type, used)
        found.append(text if guess is None else f"{text}; did you mean {guess}?")
    return found
