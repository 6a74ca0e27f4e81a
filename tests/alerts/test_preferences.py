"""The delivery policy: who hears of what at once, in a digest, or not at all, and when."""

from __future__ import annotations

import datetime as dt

import pytest

from slawatch.agreements.model import Calendar, Interval
from slawatch.alerts.preferences import (
    DIGEST,
    NOW,
    OFF,
    Choices,
    Decision,
    PreferenceError,
    checked_modes,
    checked_quiet_hours,
    decide,
    is_urgent,
    mode_of,
    next_opening,
    window_end,
)
from slawatch.engine.calendar import WorkingCalendar
from slawatch.engine.instants import US

MINUTE = 60 * US
HALF_HOUR = 30 * MINUTE
T = 1_772_618_400 * US  # 2026-03-04 10:00 UTC, a Wednesday


def berlin(day: int, hour: int, minute: int = 0) -> int:
    moment = dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    return int(moment.timestamp()) * US


def office() -> WorkingCalendar:
    nine_to_five = (Interval(start=9 * 3600, end=17 * 3600),)
    return WorkingCalendar(
        Calendar(
            id="office",
            timezone="Europe/Berlin",
            hours=(nine_to_five,) * 5 + ((), ()),
        )
    )


@pytest.mark.parametrize("trigger", ["breach", "period_breached"])
@pytest.mark.parametrize("tier", [2, 3])
def test_a_breach_above_tier_one_goes_at_once_even_when_turned_off(trigger: str, tier: int):
    choices = Choices(modes={trigger: OFF})
    assert is_urgent(trigger, tier)
    assert decide(trigger, tier, choices, now=T, digest_us=HALF_HOUR) == Decision(NOW, T)


def test_a_tier_one_breach_follows_the_recipients_choice():
    assert decide("breach", 1, Choices(), now=T, digest_us=HALF_HOUR) == Decision(NOW, T)
    assert decide("breach", 1, Choices(modes={"breach": OFF}), now=T, digest_us=HALF_HOUR) is None


def test_warnings_and_forecasts_wait_for_the_end_of_their_digest_window_by_default():
    for trigger in ("warn", "at_risk"):
        decision = decide(trigger, 1, Choices(), now=T + MINUTE, digest_us=HALF_HOUR)
        assert decision == Decision(DIGEST, T + HALF_HOUR)


def test_a_window_ends_at_the_next_multiple_of_its_length():
    assert window_end(T, HALF_HOUR) == T + HALF_HOUR  # an instant on a boundary opens a window
    assert window_end(T + HALF_HOUR - 1, HALF_HOUR) == T + HALF_HOUR


def test_a_trigger_nobody_knows_goes_at_once():
    assert mode_of("something_new", 1, Choices()) == NOW


def test_quiet_hours_hold_a_warning_until_the_calendar_opens():
    calendar = office()
    evening = berlin(4, 20)
    decision = decide(
        "warn",
        1,
        Choices(modes={"warn": NOW}),
        now=evening,
        digest_us=HALF_HOUR,
        opening=lambda at: next_opening(calendar, at),
    )
    assert decision == Decision(NOW, berlin(5, 9))


def test_quiet_hours_do_not_hold_an_urgent_breach():
    calendar = office()
    night = berlin(4, 23)
    decision = decide(
        "breach",
        2,
        Choices(),
        now=night,
        digest_us=HALF_HOUR,
        opening=lambda at: next_opening(calendar, at),
    )
    assert decision == Decision(NOW, night)


def test_the_next_opening_inside_working_hours_is_the_instant_itself():
    assert next_opening(office(), berlin(4, 10, 5)) == berlin(4, 10, 5)
    assert next_opening(office(), berlin(6, 18)) == berlin(9, 9)  # Friday evening → Monday


def test_unknown_triggers_and_modes_are_refused_naming_the_field():
    with pytest.raises(PreferenceError, match=r"triggers\.warning: unknown trigger; use one of"):
        checked_modes({"warning": NOW})
    with pytest.raises(PreferenceError, match=r"triggers\.warn: 'later' is not a mode"):
        checked_modes({"warn": "later"})
    assert checked_modes({"warn": OFF}) == {"warn": OFF}


def test_quiet_hours_name_a_known_calendar_or_a_keyword():
    known = {"marketing-sales/office": object()}
    assert checked_quiet_hours("never", known) == "never"
    assert checked_quiet_hours("marketing-sales/office", known) == "marketing-sales/office"
    with pytest.raises(PreferenceError, match="quiet_hours: 'x/y' is not a calendar"):
        checked_quiet_hours("x/y", known)
