"""Write every figure people read, in their language: counts, shares, durations, statuses.

Pages, PDF and XLSX reports, mail and the command-line tables all call this module, so the
same number reads the same everywhere. Two promises hold for everything written here
(DESIGN, "A figure never contradicts its verdict"):

- A value gets as many decimals as it takes to compare with its shown target the way the
  true value does: a breached 99.899 % reads "99.899%" against "≥ 99.9%", never "99.9%".
  A share strictly between 0 and 1 never reads "0%" or "100%".
- Shown parts add up to the shown whole: working time used + left = allowed, digit for digit,
  and a clock past its allowance shows an overrun, never time left.

Input of the objective helpers is an objective of the stored `evaluate` JSON (kind, value,
target, op, status …): the JSON keeps its codes (`on_track`); people read words ("on track").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent

from slawatch.agreements.model import Duration, DurationUnit
from slawatch.i18n import N_, Translator

STATUS_NAMES = {
    "met": N_("met"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "breached": N_("breached"),
    "no_data": N_("no data"),
}
CLOCK_STATE_NAMES = {
    "met": N_("met"),
    "breached": N_("breached"),
    "running": N_("running"),
    "at_risk": N_("at risk"),
    "paused": N_("paused"),
}
KIND_NAMES = {
    "count": N_("count"),
    "clock": N_("response time"),
    "ratio": N_("rate"),
    "availability": N_("availability"),
}
SHARE_KINDS = frozenset({"clock", "ratio", "availability"})
OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}

# The one rule for decimals (in the shown unit: percent for shares): a share shows one,
# availability two (its targets live among the nines, where 99.9 % and 99.95 % differ by
# hours a month), a count at most one (a pro-rata target); more only when needed to tell a
# value from its target, or from 0 % and 100 %, up to MAX_DECIMALS.
BASE_DECIMALS = {"count": 1, "clock": 1, "ratio": 1, "availability": 2}
MAX_DECIMALS = 6

MINUTE, HOUR, DAY = 60, 3_600, 86_400
_UNITS = (  # (seconds, how an amount of it reads) from the largest down
    (DAY, N_("%(amount)s d")),
    (HOUR, N_("%(amount)s h")),
    (MINUTE, N_("%(amount)s min")),
    (1, N_("%(amount)s s")),
)


# -- numbers ---------------------------------------------------------------------------------


def number_text(value: float | int | Decimal, t: Translator, digits: int = 1) -> str:
    """Format a number with at most `digits` decimals: '1,234.5', '1.234,5'."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=t.locale)


def count_text(count: int, t: Translator) -> str:
    return number_text(count, t, 0)


def _percent(percent: Decimal, t: Translator, digits: int) -> str:
    """Format a percentage already rounded to `digits` decimals by the locale's pattern."""
    pattern = t.locale.percent_formats[None].pattern  # "#,##0%" or "#,##0 %"
    if digits:
        pattern = pattern.replace("0", "0." + "#" * digits, 1)
    return format_percent(percent / 100, format=pattern, locale=t.locale)


def share_text(share: float, t: Translator, digits: int = 1) -> str:
    """Format a share (0.953) as a percentage: '95.3%', '95,3 %'; never 0 % or 100 % unless so."""
    digits = _decimals(share, True, digits, ())
    return _figure("ratio", share, digits, t, ())


# -- values against their targets --------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    """A number a value is shown beside, and how the value must read against it.

    With `op`, the shown value must satisfy `op` against the shown bound exactly when `holds`
    (a target). Without, it must fall on the same side as the true value (a credit threshold).
    """

    number: float
    op: str | None = None
    holds: bool = True


def _holds(op: str, value: float | Decimal, bound: float | Decimal) -> bool:
    if op == ">=":
        return value >= bound
    if op == "<=":
        return value <= bound
    if op == ">":
        return value > bound
    return value < bound


def _quantize(value: float, share: bool, digits: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round a value as it is shown: shares in percent; from its shortest decimal form."""
    return _exact_decimal(value, share).quantize(Decimal(1).scaleb(-digits), rounding=rounding)


def _exact_decimal(value: float, share: bool) -> Decimal:
    return Decimal(repr(float(value))) * (100 if share else 1)


def _written(number: float, share: bool, base: int) -> int:
    """Return the decimals that show a target as written (99.95 %), from the kind's base.

    A target with more than two decimals beyond the base (a pro-rata count, 19.354838…) is
    rounded to the base instead, or to as many as keep a share off 0 % and 100 %; values
    beside it then take what they need to read right.
    """
    for digits in range(base, base + 3):
        if _quantize(number, share, digits) == _exact_decimal(number, share):
            return digits
    for digits in range(base, MAX_DECIMALS + 1):
        if not _extreme(number, share, _quantize(number, share, digits)):
            return digits
    return MAX_DECIMALS


def _extreme(number: float, share: bool, shown: Decimal) -> bool:
    """Tell whether a share strictly between 0 and 1 would read as 0 % or 100 %."""
    return share and 0 < number < 1 and not 0 < shown < 100


def _shown_bound(number: float, share: bool, base: int, digits: int) -> Decimal:
    """Return a target or threshold as shown beside a value with `digits` decimals."""
    places = max(digits, _written(number, share, base))
    shown = _quantize(number, share, places)
    if _extreme(number, share, shown):
        shown = _quantize(number, share, places, ROUND_FLOOR if number > 0.5 else ROUND_CEILING)
    return shown


def _reads_right(
    value: float, share: bool, base: int, digits: int, bounds: Iterable[Bound]
) -> bool:
    shown = _quantize(value, share, digits)
    if _extreme(value, share, shown):
        return False
    for bound in bounds:
        beside = _shown_bound(bound.number, share, base, digits)
        if bound.op is not None:
            if _holds(bound.op, shown, beside) != bound.holds:
                return False
        elif (shown > beside, shown < beside) != (value > bound.number, value < bound.number):
            return False
    return True


def _decimals(value: float, share: bool, base: int, bounds: tuple[Bound, ...]) -> int:
    """Return the fewest decimals from `base` up at which the value reads right."""
    for digits in range(base, MAX_DECIMALS + 1):
        if _reads_right(value, share, base, digits, bounds):
            return digits
    return MAX_DECIMALS


def _bounds(objective: Mapping[str, Any], value: float) -> tuple[Bound, ...]:
    """Return the target a value is judged against, and whether the verdict says it holds."""
    target, op = objective.get("target"), objective.get("op")
    if target is None or op not in OPERATORS:
        return ()
    status = objective.get("status")
    if status in ("met", "breached") and value == objective.get("value"):
        holds = status == "met"
    else:  # a forecast or another value (a trend, a benchmark): as it compares
        holds = _holds(str(op), value, float(target))
    found = [Bound(float(target), str(op), holds)]
    if objective.get("threshold") is not None and objective.get("tier") is not None:
        found.append(Bound(float(objective["threshold"])))  # a credit tier reached
    return tuple(found)


def decimals(objective: Mapping[str, Any], value: float | None) -> int:
    """Return how many decimals a value of the objective shows (in percent for shares)."""
    kind = str(objective.get("kind"))
    base = BASE_DECIMALS.get(kind, 1)
    if value is None:
        return base
    return _decimals(float(value), kind in SHARE_KINDS, base, _bounds(objective, float(value)))


def _rounding(value: float, share: bool, bounds: tuple[Bound, ...]) -> str:
    """Return the rounding that keeps a value on its side when MAX_DECIMALS are not enough."""
    for bound in bounds:
        if bound.op is None:
            below = value < bound.number
        else:
            below = (bound.op in (">=", ">")) != bound.holds
        return ROUND_FLOOR if below else ROUND_CEILING
    if share and value > 0.5:
        return ROUND_FLOOR  # 99.9999999 % is not 100 %
    return ROUND_CEILING if share else ROUND_HALF_EVEN


def _figure(kind: str, value: float, digits: int, t: Translator, bounds: tuple[Bound, ...]) -> str:
    share = kind in SHARE_KINDS
    rounding = ROUND_HALF_EVEN
    if not _reads_right(value, share, BASE_DECIMALS.get(kind, 1), digits, bounds):
        rounding = _rounding(value, share, bounds)  # beyond MAX_DECIMALS: keep its side
    shown = _quantize(value, share, digits, rounding)
    return _percent(shown, t, digits) if share else number_text(shown, t, digits)


def value_text(objective: Mapping[str, Any], value: float | None, t: Translator) -> str:
    """Format a value of an objective: '86', '98.7%', '99.899%' against ≥ 99.9 %; '–' for none."""
    if value is None or not math.isfinite(value):
        return "–"
    kind = str(objective.get("kind"))
    bounds = _bounds(objective, float(value))
    return _figure(kind, float(value), decimals(objective, value), t, bounds)


def _bound_text(objective: Mapping[str, Any], number: float, t: Translator) -> str:
    kind = str(objective.get("kind"))
    share, base = kind in SHARE_KINDS, BASE_DECIMALS.get(kind, 1)
    value = objective.get("value")
    digits = decimals(objective, value)
    places = max(digits, _written(number, share, base))
    shown = _shown_bound(number, share, base, digits)
    if value is not None and number == objective.get("target"):
        bounds = _bounds(objective, float(value))
        if not _reads_right(float(value), share, base, digits, bounds):
            # Not even MAX_DECIMALS tell them apart: round the target away from the value.
            away = _rounding(float(value), share, bounds)
            toward = ROUND_CEILING if away == ROUND_FLOOR else ROUND_FLOOR
            shown = _quantize(number, share, places, toward)
    return _percent(shown, t, places) if share else number_text(shown, t, places)


def target_text(objective: Mapping[str, Any], t: Translator) -> str:
    """Format the target with its comparison, as precise as the value beside it: '≥ 50'."""
    op = OPERATORS.get(objective["op"], objective["op"])
    return f"{op} {_bound_text(objective, float(objective['target']), t)}"


def threshold_text(objective: Mapping[str, Any], threshold: float, t: Translator) -> str:
    """Format a credit threshold beside the objective's value: '99.5%'."""
    return _bound_text(objective, threshold, t)


def excel_format(objective: Mapping[str, Any]) -> str | None:
    """Return the XLSX number format of an objective's value, target and thresholds.

    The cells stay numbers; the format shows them with the decimals value_text and
    target_text would use, so a workbook reads like the pages. None for counts.
    """
    kind = str(objective.get("kind"))
    if kind not in SHARE_KINDS:
        return None
    base = BASE_DECIMALS.get(kind, 1)
    numbers = [objective.get(name) for name in ("target", "threshold")]
    written = [_written(float(n), True, base) for n in numbers if n is not None]
    value = objective.get("value")
    digits = max([decimals(objective, None if value is None else float(value)), *written])
    return "0." + "0" * digits + "%" if digits else "0%"


# -- words -----------------------------------------------------------------------------------


def status_text(status: str, t: Translator) -> str:
    return t.gettext(STATUS_NAMES.get(status, status))


def clock_state_text(state: str, t: Translator) -> str:
    return t.gettext(CLOCK_STATE_NAMES.get(state, state))


def kind_text(kind: str, t: Translator) -> str:
    return t.gettext(KIND_NAMES.get(kind, kind))


def details_text(objective: Mapping[str, Any], t: Translator) -> str:
    """Say what a value is made of: '41 met, 2 breached, 3 running', '12 of 80'."""
    kind = objective.get("kind")
    if kind == "clock":
        counts = objective.get("counts", {})
        return ", ".join(
            f"{count_text(counts.get(state, 0), t)} {clock_state_text(state, t)}"
            for state in ("met", "breached", "at_risk", "running", "paused")
            if counts.get(state)
        )
    if kind == "ratio":
        return t.gettext(
            "%(numerator)s of %(denominator)s",
            numerator=count_text(objective.get("numerator", 0), t),
            denominator=count_text(objective.get("denominator", 0), t),
        )
    if kind == "availability":
        failures = int(objective.get("failures", 0))
        text = t.ngettext(
            "%(num)s failure, %(downtime)s down",
            "%(num)s failures, %(downtime)s down",
            failures,
            num=count_text(failures, t),
            downtime=duration_text(objective.get("downtime_seconds", 0), t),
        )
        if objective.get("mttr_seconds") is not None:
            text += ", " + t.gettext(
                "MTTR %(mttr)s", mttr=duration_text(objective["mttr_seconds"], t)
            )
        return text
    return ""


# -- durations -------------------------------------------------------------------------------


def precision(seconds: float, largest: int = DAY, parts: int = 2) -> int:
    """Return the smallest unit a duration shows: `parts` units from its largest one."""
    sizes = [size for size, _ in _UNITS if size <= largest]
    lead = next((i for i, size in enumerate(sizes) if abs(seconds) >= size), len(sizes) - 1)
    return sizes[min(lead + parts - 1, len(sizes) - 1)]


def duration_text(
    seconds: float, t: Translator, *, largest: int = DAY, unit: int | None = None
) -> str:
    """Format a duration by its two largest units: '2 d 3 h', '1 h 48 min', '1 Std. 48 Min.'.

    Rounded to the nearest `unit` (by default the smaller of the two shown). `largest=HOUR`
    writes working time, whose days are not days: '50 h 15 min'. Never decimal hours.
    """
    if not math.isfinite(seconds):
        return "–"
    step = unit or precision(seconds, largest)
    amount = round(abs(seconds) / step) * step
    if unit is None and precision(amount, largest) > step:  # 59 min 59.6 s became 1 h
        step = precision(amount, largest)
        amount = round(abs(seconds) / step) * step
    sign = "−" if seconds < 0 and amount else ""
    shown: list[str] = []
    for size, words in _UNITS:
        if size > largest or size < step:
            continue
        count, amount = divmod(amount, size)
        if count or (not shown and size == step):
            shown.append(t.gettext(words, amount=number_text(count, t, 0)))
    return sign + " ".join(shown)


def agreed_text(duration: Duration, t: Translator) -> str:
    """Say an agreement's duration exactly as agreed: '48 h', '1 d', '3 business days'.

    Hours stay hours ('48h' reads '48 h', not '2 d'); only wall time written in days or
    weeks reads in days. Nothing is rounded, so '90m' reads '1 h 30 min'.
    """
    if duration.unit is DurationUnit.BUSINESS_DAYS:
        return t.ngettext("%(num)s business day", "%(num)s business days", duration.amount)
    in_days = duration.unit is DurationUnit.WALL and duration.text.strip()[-1:] in ("d", "w")
    largest = DAY if in_days else HOUR
    return duration_text(duration.amount, t, largest=largest, unit=1)


def working_text(seconds: float, t: Translator, *, unit: int | None = None) -> str:
    """Format working time in hours and minutes ('50 h 15 min'): its days are not days."""
    return duration_text(seconds, t, largest=HOUR, unit=unit)


def duration_units(t: Translator) -> list[str]:
    """Return the unit words from days to seconds, for the pages' live countdowns."""
    return [t.gettext(words, amount="").strip() for _, words in _UNITS]


def overrun_text(duration: str, t: Translator) -> str:
    return t.gettext("%(duration)s overrun", duration=duration)


def time_left_text(seconds: float, t: Translator) -> str:
    """Say the time to a deadline: '1 h 48 min', or '5 min overrun' once it has passed."""
    if seconds < 0:
        shown = duration_text(-seconds, t)
        if any(c in "123456789" for c in shown):
            return overrun_text(shown, t)
    return duration_text(max(seconds, 0), t)


@dataclass(frozen=True)
class ClockSplit:
    """A clock's working time as shown: used + left = allowed, or used − overrun = allowed."""

    used: str
    allowed: str
    left: str | None  # None when over the allowance
    overrun: str | None  # None while within it


def clock_split(
    used_seconds: float, allowed_seconds: float, t: Translator, *, over: bool | None = None
) -> ClockSplit:
    """Write working time used, allowed and left (or overrun), so the parts add up as shown.

    All three are rounded to one unit. Used rounds up, so time left is never overstated (a
    minute and a quarter left reads "1 min", as a countdown would) and an overrun never reads
    zero; `over` (the clock's verdict) wins over the arithmetic when given.
    """
    step = precision(max(abs(used_seconds), abs(allowed_seconds)), HOUR)
    allowed = round(allowed_seconds / step)
    beyond = used_seconds > allowed_seconds if over is None else over
    if beyond:
        used = max(math.ceil(used_seconds / step), allowed + (used_seconds > allowed_seconds))
        left, overrun = None, working_text((used - allowed) * step, t, unit=step)
    else:
        used = min(math.ceil(used_seconds / step), allowed)
        left, overrun = working_text((allowed - used) * step, t, unit=step), None
    return ClockSplit(
        used=working_text(used * step, t, unit=step),
        allowed=working_text(allowed * step, t, unit=step),
        left=left,
        overrun=overrun,
    )


def money_text(
    amount: float | str | Decimal, currency: str, t: Translator, *, code: bool = False
) -> str:
    """Write an amount of money in the locale's style: '€2,500.00', '2.500,00 €'.

    `code` writes the ISO code instead of the symbol ('2,500.00 EUR', '2.500,00 EUR'): for the
    PDF, whose built-in fonts have no euro sign. Both are the same figure to the cent.
    """
    value = Decimal(str(amount))
    if code:
        return f"{format_decimal(value, format='#,##0.00', locale=t.locale)} {currency}"
    return format_currency(value, currency, locale=t.locale)
