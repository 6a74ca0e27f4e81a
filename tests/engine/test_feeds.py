import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from slawatch.agreements.model import Agreement
from slawatch.engine.feeds import (
    feed_states,
    objectives_reading,
    silence_ended,
    silent_feeds_of,
    silent_types,
    unread_expectations,
)
from slawatch.engine.instants import to_us
from tests.agreements.support import parse

BERLIN = ZoneInfo("Europe/Berlin")
AGREEMENT = """\
agreement: feeds
timezone: Europe/Berlin
effective: 2026-12-01
parties: {marketing: {name: Marketing}, sales: {name: Sales}}
calendars:
  office: {hours: {mon-thu: "08:00-12:00, 13:00-17:00", fri: "08:00-14:00"}, holidays: DE-BY}
objectives:
  qualified-leads: {owner: marketing, count: qualified, target: ">= 50"}
  speed-to-lead:
    owner: sales
    clock: {start: handed_over, stop: contacted, pause: on_hold, resume: off_hold}
    within: 48h
    target: ">= 95%"
expect:
  handed_over: {every: 4h, calendar: office}
  qualified: {every: 1bd, calendar: office}
  request_opened: 1d
"""


def at(*parts: int) -> int:
    return to_us(dt.datetime(*parts, tzinfo=BERLIN))  # type: ignore[misc]


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return parse(AGREEMENT)


def test_working_hours_carry_a_silence_over_the_weekend(agreement: Agreement) -> None:
    # Friday 13:00 → one working hour on Friday, three on Monday morning: due Monday 11:00.
    seen = {"handed_over": at(2026, 12, 4, 13), "qualified": at(2026, 12, 4, 9),
            "request_opened": at(2026, 12, 6, 9)}  # fmt: skip
    states = {s.event_type: s for s in feed_states(agreement, seen, at(2026, 12, 7, 10))}
    assert states["handed_over"].due_by == at(2026, 12, 7, 11)
    assert not states["handed_over"].silent
    # One business day after Friday is Monday, due at its close.
    assert states["qualified"].due_by == at(2026, 12, 7, 17)
    assert states["request_opened"].due_by == at(2026, 12, 7, 9)
    assert states["request_opened"].silent
    assert states["request_opened"].silent_since == at(2026, 12, 7, 9)
    assert silent_types(agreement, seen, at(2026, 12, 7, 10)) == {"request_opened"}


def test_an_exact_fit_is_due_at_the_closing_time_and_silent_after_it(
    agreement: Agreement,
) -> None:
    seen = {"handed_over": at(2026, 12, 7, 13)}  # Monday 13:00 + 4 working hours = 17:00
    (state, *_) = feed_states(agreement, seen, at(2026, 12, 7, 17))
    assert state.due_by == at(2026, 12, 7, 17)
    assert not state.silent
    assert "handed_over" in silent_types(agreement, seen, at(2026, 12, 7, 17, 0, 1))


def test_a_feed_never_seen_counts_from_the_effective_midnight(agreement: Agreement) -> None:
    (handed_over, qualified, _) = feed_states(agreement, {}, at(2026, 12, 1, 12, 30))
    assert handed_over.last_seen is None
    assert handed_over.counting_from == at(2026, 12, 1)
    assert handed_over.due_by == at(2026, 12, 1, 12)  # Tuesday 08:00-12:00
    assert handed_over.silent
    assert not qualified.silent


def test_an_event_after_as_of_is_refused(agreement: Agreement) -> None:
    with pytest.raises(ValueError, match="after as_of"):
        feed_states(agreement, {"handed_over": at(2026, 12, 8)}, at(2026, 12, 7))


def test_an_agreement_without_expectations_has_no_feeds() -> None:
    plain = parse(AGREEMENT.split("expect:", maxsplit=1)[0])
    assert feed_states(plain, {"handed_over": 0}, at(2026, 12, 7)) == ()
    assert silent_types(plain, {}, at(2026, 12, 7)) == frozenset()


def test_a_late_event_ends_the_silence_it_interrupts(agreement: Agreement) -> None:
    previous = at(2026, 12, 7, 13)
    assert silence_ended(agreement, "handed_over", previous, at(2026, 12, 8, 9)) == at(
        2026, 12, 7, 17
    )
    assert silence_ended(agreement, "handed_over", previous, at(2026, 12, 7, 17)) is None
    assert silence_ended(agreement, "handed_over", None, at(2026, 12, 1, 11)) is None


def test_objectives_see_the_silent_feeds_they_read(agreement: Agreement) -> None:
    assert [o.id for o in objectives_reading(agreement, "handed_over")] == ["speed-to-lead"]
    assert objectives_reading(agreement, "on_hold") == ()  # pauses are optional
    states = feed_states(agreement, {}, at(2026, 12, 3))
    speed = agreement.objectives["speed-to-lead"]
    leads = agreement.objectives["qualified-leads"]
    assert [s.event_type for s in silent_feeds_of(speed, states)] == ["handed_over"]
    assert [s.event_type for s in silent_feeds_of(leads, states)] == ["qualified"]


def test_an_expected_type_no_objective_reads_is_named_with_a_guess() -> None:
    text = AGREEMENT.replace("  request_opened: 1d\n", "  request_opened: 1d\n  handed_ovr: 4h\n")
    assert unread_expectations(parse(text)) == [
        "expect.request_opened: no objective reads request_opened; it is only watched",
        "expect.handed_ovr: no objective reads handed_ovr; it is only watched; "
        "did you mean handed_over?",
    ]
