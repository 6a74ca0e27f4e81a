"""How long a person may snooze an escalation, read from what they wrote, and why.

A snooze holds an escalation's notifications until a time, given as an instant (`until`) or
a duration from now (`for`, such as 2h), always with a reason; the ladder resumes after it
(`escalation.py`). The errors are message ids, so the API answers in English and the page
in the reader's language.
"""

from __future__ import annotations

from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.engine.instants import US
from slawatch.i18n import N_, Translator

MAX_SNOOZE_DAYS = 30
MAX_REASON = 2000


class SnoozeError(ValueError):
    """A snooze that cannot be taken: the field, and a message id with its parameters."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params

    def text(self, t: Translator | None = None) -> str:
        """Say what is wrong, in the reader's language (English without a translator)."""
        if t is None:
            return f"{self.field}: {self}"
        return t.gettext(self.message, **self.params)


def snooze_end(now: int, *, until: int | None, duration: str | None) -> int:
    """Return until when to snooze: `until`, or `now` plus `duration`; refuse what cannot be."""
    duration = (duration or "").strip() or None
    if (until is None) == (duration is None):
        raise SnoozeError("until", N_("Give either a time to snooze until or a duration."))
    field = "until"
    if duration is not None:
        field = "for"
        try:
            seconds = parse_duration(duration, calendar=False).seconds
        except DurationError:
            raise SnoozeError(
                "for",
                N_('"%(text)s" is not a duration: write for example 30m, 2h or 1d.'),
                text=duration[:40],
            ) from None
        until = now + seconds * US
    assert until is not None
    if until <= now:
        raise SnoozeError(field, N_("The snooze would end now or in the past: give a later time."))
    if until - now > MAX_SNOOZE_DAYS * 86_400 * US:
        raise SnoozeError(
            field,
            N_("A snooze lasts at most %(days)s days: snooze again later, or resolve it."),
            days=MAX_SNOOZE_DAYS,
        )
    return until


def snooze_reason(reason: str | None) -> str:
    """Return the reason as stored; a snooze without one, or with an overlong one, is refused."""
    text = (reason or "").replace("\x00", "").strip()
    if not text:
        raise SnoozeError("reason", N_("Say why the escalation may wait: a reason is required."))
    if len(text) > MAX_REASON:
        raise SnoozeError(
            "reason", N_("The reason is too long: at most %(count)s characters."), count=MAX_REASON
        )
    return text
