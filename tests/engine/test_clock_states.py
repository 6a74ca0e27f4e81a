"""A stored clock at a later instant: past its deadline breached, past its warning at risk."""

from __future__ import annotations

from slawatch.engine.clock_states import state_at

H = 3_600_000_000


def at(state: str, now: int, *, stopped_at: int | None = None) -> tuple[str, int]:
    return state_at(state, 0, stopped_at=stopped_at, deadline=48 * H, warn_at=36 * H, now=now)


def test_a_running_clock_turns_at_risk_at_its_warning_point_and_breached_at_its_deadline() -> None:
    assert at("running", 35 * H) == ("running", 0)
    assert at("running", 36 * H) == ("at_risk", 36 * H)
    assert at("running", 48 * H) == ("breached", 48 * H)
    assert at("at_risk", 50 * H) == ("breached", 48 * H)


def test_a_stopped_or_paused_clock_keeps_its_stored_state() -> None:
    assert at("met", 100 * H, stopped_at=H) == ("met", 0)
    assert at("running", 100 * H, stopped_at=H) == ("running", 0)
    assert at("paused", 100 * H) == ("paused", 0)


def test_a_suspended_deadline_never_passes() -> None:
    assert state_at("at_risk", 5, stopped_at=None, deadline=None, warn_at=1, now=10**12) == (
        "at_risk",
        5,
    )
