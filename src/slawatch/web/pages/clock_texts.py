"""The texts of one item clock: its instants, working times and the facts a reader asks for.

Shared by the facts table and the bar of the item page, so that both round alike.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from slawatch.agreements.model import DurationUnit
from slawatch.engine.instants import US, from_us
from slawatch.evaluation.item_clock import ItemClock
from slawatch.formatting import ClockSplit, clock_split, duration_text, share_text, working_text
from slawatch.i18n import Translator
from slawatch.web.pages.zones import zoned_text


def instant_text(us: int, zone: str, t: Translator) -> str:
    return zoned_text(us, zone, t)


def short_instant_text(
    us: int, zone: str, t: Translator, *, date: bool = True, time: bool = True
) -> str:
    """Return a bar label's instant: weekday, day and month, hours and minutes."""
    moment = from_us(us, ZoneInfo(zone))
    parts = []
    if date:
        parts.append(format_skeleton("MMMEd", moment, locale=t.locale))
    if time:
        parts.append(format_skeleton("Hm", moment, locale=t.locale))
    return " ".join(parts)


def working_us_text(us: int, t: Translator) -> str:
    """Format working time in hours and minutes ('28 h 15 min'): its days are not days."""
    return working_text(us / US, t)


def split_of(clock: ItemClock, t: Translator) -> ClockSplit:
    """Return used, allowed and left or overrun, rounded alike so that they add up as shown."""
    over = clock.state == "breached" or clock.elapsed > clock.allowance
    return clock_split(clock.elapsed / US, clock.allowance / US, t, over=over)


def clock_facts(clock: ItemClock, t: Translator) -> list[dict[str, Any]]:
    """Return the clock's numbers as (label, text) rows, in the order a reader asks."""
    zone = clock.zone
    split = split_of(clock, t)
    rows: list[dict[str, Any]] = [
        {"label": t.gettext("Started"), "text": instant_text(clock.start, zone, t)},
        {
            "label": t.gettext("Stopped"),
            "text": instant_text(clock.stop, zone, t)
            if clock.stop is not None
            else t.gettext("not yet"),
        },
        {"label": t.gettext("Working time used"), "text": split.used},
        {
            "label": t.gettext("Allowed"),
            "text": t.gettext(
                "%(allowance)s of working time (%(within)s)",
                allowance=split.allowed,
                within=clock.objective.within.text,
            )
            if clock.objective.within.unit is not DurationUnit.WALL
            else split.allowed,
        },
    ]
    if split.overrun is not None:
        late = clock.end - clock.deadline if clock.deadline is not None else None
        rows.append(
            {
                "label": t.gettext("Overrun"),
                "text": t.gettext(
                    "%(late)s past the deadline (%(over)s of working time)",
                    late=duration_text(late / US, t),
                    over=split.overrun,
                )
                if late is not None and late > 0
                else t.gettext("%(over)s of working time", over=split.overrun),
            }
        )
    else:
        label = t.gettext("Allowance unused") if clock.stop is not None else t.gettext("Time left")
        rows.append({"label": label, "text": split.left})
    rows.append({"label": t.gettext("Paused"), "text": working_us_text(clock.paused, t)})
    if clock.deadline is None:
        deadline = t.gettext("suspended while the clock is on hold")
    else:
        deadline = instant_text(clock.deadline, zone, t)
    rows.append({"label": t.gettext("Deadline"), "text": deadline})
    if clock.stop is None and clock.deadline is not None and clock.deadline > clock.end:
        rows.append(
            {
                "label": t.gettext("Due in"),
                "text": duration_text((clock.deadline - clock.end) / US, t),
                "countdown": from_us(clock.deadline).isoformat(),
            }
        )
    if clock.objective.warn is not None:
        rows.append(
            {
                "label": t.gettext("Warning point"),
                "text": t.gettext(
                    "%(when)s (at %(share)s of the allowance)",
                    when=instant_text(clock.warning, zone, t) if clock.warning is not None else "–",
                    share=share_text(clock.objective.warn, t, digits=0),
                ),
            }
        )
    return rows
