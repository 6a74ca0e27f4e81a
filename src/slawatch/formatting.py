"""Write every figure people read, in their language: counts, shares, durations, statuses.

Pages, PDF and XLSX reports, mail and the command-line tables all call this module, so the
same number reads the same everywhere. Two promises hold for everything written here
(DESIGN, "A figure never contradicts its verdict"):

- A value gets as many decimals as it takes to compare with its shown target the way the
  true value does: a breached 99.899 % reads "99.899%" against "≥ 99.9%", never "99.9%".
  A share strictly between 0 and 1 never reads "0%" or "100%".
- Shown parts add up to the shown whole: working time used + left = allowed, digit for digit,
  and a clock past its allowance shows an overrun, never time left.

Input of the objective helpers is a typed result (`engine/results.py`), or a document that
carries the same keys (a credit line: kind, value, target, op, status, threshold, tier; without
a kind, `share: True` formats a share). Whether
a value is a share or a count, and its fewest decimals, are its kind's (`engine/kinds/`). The
JSON keeps its codes (`on_track`); people read words ("on track").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent

from slawatch.agreements.model import Duration, DurationUnit
from slawatch.comparisons.industry import Figure
from slawatch.engine.kinds import KINDS, kind_of, result_of
from slawatch.engine.results import ObjectiveResult
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
OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}

# The one rule for decimals (in the shown unit: percent for shares): a value shows its
# kind's `decimals` (a share one, availability two, a count at most one); more only when
# needed to tell a value from its target, or from 0 % and 100 %, up to MAX_DECIMALS.
SHARE_DECIMALS = 1
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
    return _figure(True, SHARE_DECIMALS, share, digits, t, ())


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


@dataclass(frozen=True)
class _Shown:
    """What the helpers read of an objective: its kind's display rule and its figures."""

    share: bool
    base: int  # the kind's fewest decimals
    value: float | None
    target: float | None
    op: str | None
    status: str | None
    threshold: float | None = None  # a credit tier reached, beside the value
    tier: object = None


Measured = ObjectiveResult | Mapping[str, Any]  # a result, or a document with its keys


def _shown(objective: Measured) -> _Shown:
    if isinstance(objective, ObjectiveResult):
        kind = kind_of(objective.kind)
        return _Shown(
            kind.share,
            kind.decimals,
            objective.value,
            objective.target,
            objective.op.value,
            objective.status.value,
        )
    found = KINDS.get(str(objective.get("kind")))
    threshold = objective.get("threshold")
    return _Shown(
        share=bool(objective.get("share")) if found is None else found.share,
        base=SHARE_DECIMALS if found is None else found.decimals,
        value=objective.get("value"),
        target=objective.get("target"),
        op=objective.get("op"),
        status=objective.get("status"),
        threshold=None if threshold is None else float(threshold),
        tier=objective.get("tier"),
    )


def _bounds(shown: _Shown, value: float) -> tuple[Bound, ...]:
    """Return the target a value is judged against, and whether the verdict says it holds."""
    target, op = shown.target, shown.op
    if target is None or op not in OPERATORS:
        return ()
    if shown.status in ("met", "breached") and value == shown.value:
        holds = shown.status == "met"
    else:  # a forecast or another value (a trend, a benchmark): as it compares
        holds = _holds(str(op), value, float(target))
    found = [Bound(float(target), str(op), holds)]
    if shown.threshold is not None and shown.tier is not None:
        found.append(Bound(shown.threshold))  # a credit tier reached
    return tuple(found)


def decimals(objective: Measured, value: float | None) -> int:
    """Return how many decimals a value of the objective shows (in percent for shares)."""
    return _decimals_of(_shown(objective), value)


def _decimals_of(shown: _Shown, value: float | None) -> int:
    if value is None:
        return shown.base
    return _decimals(float(value), shown.share, shown.base, _bounds(shown, float(value)))


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


def _figure(
    share: bool, base: int, value: float, digits: int, t: Translator, bounds: tuple[Bound, ...]
) -> str:
    rounding = ROUND_HALF_EVEN
    if not _reads_right(value, share, base, digits, bounds):
        rounding = _rounding(value, share, bounds)  # beyond MAX_DECIMALS: keep its side
    shown = _quantize(value, share, digits, rounding)
    return _percent(shown, t, digits) if share else number_text(shown, t, digits)


def value_text(objective: Measured, value: float | None, t: Translator) -> str:
    """Format a value of an objective: '86', '98.7%', '99.899%' against ≥ 99.9 %; '–' for none."""
    if value is None or not math.isfinite(value):
        return "–"
    shown = _shown(objective)
    bounds = _bounds(shown, float(value))
    digits = _decimals_of(shown, value)
    return _figure(shown.share, shown.base, float(value), digits, t, bounds)


def _bound_text(objective: Measured, number: float, t: Translator) -> str:
    figure = _shown(objective)
    share, base, value = figure.share, figure.base, figure.value
    digits = _decimals_of(figure, value)
    places = max(digits, _written(number, share, base))
    shown = _shown_bound(number, share, base, digits)
    if value is not None and number == figure.target:
        bounds = _bounds(figure, float(value))
        if not _reads_right(float(value), share, base, digits, bounds):
            # Not even MAX_DECIMALS tell them apart: round the target away from the value.
            away = _rounding(float(value), share, bounds)
            toward = ROUND_CEILING if away == ROUND_FLOOR else ROUND_FLOOR
            shown = _quantize(number, share, places, toward)
    return _percent(shown, t, places) if share else number_text(shown, t, places)


def target_text(objective: Measured, t: Translator) -> str:
    """Format the target with its comparison, as precise as the value beside it: '≥ 50'."""
    figure = _shown(objective)
    op = OPERATORS.get(str(figure.op), str(figure.op))
    return f"{op} {_bound_text(objective, float(figure.target or 0), t)}"


def threshold_text(objective: Measured, threshold: float, t: Translator) -> str:
    """Format a credit threshold beside the objective's value: '99.5%'."""
    return _bound_text(objective, threshold, t)


def excel_format(objective: Measured) -> str | None:
    """Return the XLSX number format of an objective's value, target and thresholds.

    The cells stay numbers; the format shows them with the decimals value_text and
    target_text would use, so a workbook reads like the pages. None for counts.
    """
    figure = _shown(objective)
    if not figure.share:
        return None
    numbers = [figure.target, figure.threshold]
    written = [_written(float(n), True, figure.base) for n in numbers if n is not None]
    value = figure.value
    digits = max([_decimals_of(figure, None if value is None else float(value)), *written])
    return "0." + "0" * digits + "%" if digits else "0%"


def is_share(objective: Measured) -> bool:
    """Tell whether the objective's values are shares (shown in percent), not counts."""
    return _shown(objective).share


# -- words -----------------------------------------------------------------------------------


def status_text(status: str, t: Translator) -> str:
    return t.gettext(STATUS_NAMES.get(status, status))


def clock_state_text(state: str, t: Translator) -> str:
    return t.gettext(CLOCK_STATE_NAMES.get(state, state))


def kind_text(kind: str, t: Translator) -> str:
    """Say what people call a kind: 'response time' for a clock."""
    found = KINDS.get(kind)
    return t.gettext(kind if found is None else found.label)


@dataclass(frozen=True)
class _Words:
    """A translator with the number and duration writers a kind's details need."""

    t: Translator

    def gettext(self, message: str, **params: object) -> str:
        return self.t.gettext(message, **params)

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self.t.ngettext(singular, plural, n, **params)

    def count(self, number: int) -> str:
        return count_text(number, self.t)

    def duration(self, seconds: float) -> str:
        return duration_text(seconds, self.t)

    def clock_state(self, state: str) -> str:
        return clock_state_text(state, self.t)


def details_text(objective: Measured, t: Translator) -> str:
    """Say what a value is made of: '41 met, 2 breached, 3 running', '12 of 80'."""
    result = objective if isinstance(objective, ObjectiveResult) else result_of(objective)
    return kind_of(result.kind).details(result, _Words(t))


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


def change_text(objective: Measured, change: float | None, t: Translator) -> str:
    """Say how much a value moved: '▲ +2.1 pp' for shares, '▼ −3' for counts, '±0'."""
    if change is None:
        return "–"
    share = is_share(objective)
    amount = change * 100 if share else change
    digits = 1
    if round(amount, digits) == 0:
        shown = number_text(0, t, digits)
        return t.gettext("±%(points)s pp", points=shown) if share else f"±{shown}"
    arrow, sign = ("▲", "+") if amount > 0 else ("▼", "−")
    shown = sign + number_text(abs(amount), t, digits)
    if share:
        shown = t.gettext("%(points)s pp", points=shown)
    return f"{arrow} {shown}"


def figure_text(figure: Figure, t: Translator) -> str:
    """Format a figure in its unit: '37 %', '5 min', '40–60 %', '42 h'."""

    def one(number: float) -> str:
        match figure.unit:
            case "percent":
                return share_text(number / 100, t, digits=2)
            case "hours":
                return duration_text(number * 3600, t, largest=HOUR)
            case "minutes":
                return duration_text(number * 60, t)
            case _:
                return number_text(number, t, 2)

    if figure.value is not None:
        return one(figure.value)
    assert figure.low is not None and figure.high is not None  # the validator ensures a band
    return f"{one(figure.low)} – {one(figure.high)}"
