"""The data a report shows, whichever source it came from: an event file or the store.

An objective's figures are its typed result (whose dump is its part of the `evaluate --format
json` document the store keeps), formatted by `slawatch.formatting`, so a report reads like the
pages, and a report
from a file and one from the store are the same kind of value. Every writer (`pdf`, `xlsx`,
`csv`) reads one `Report`, so the three formats cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from slawatch.agreements.model import Agreement
from slawatch.comparisons.history import Comparison
from slawatch.comparisons.industry import Reference
from slawatch.engine.credits import CreditStatement
from slawatch.engine.instants import from_us
from slawatch.engine.kinds import kind_of
from slawatch.engine.kinds.base import Kind
from slawatch.engine.periods import Period
from slawatch.engine.results import ObjectiveResult
from slawatch.i18n import Translator

HISTORY_PERIODS = 12
MAX_BREACH_ROWS = 200  # per objective in the PDF; the rest is "and N more"
MAX_ITEM_ROWS = 200_000  # per objective in the workbook


@dataclass(frozen=True)
class Figure:
    """One objective in one period: its result (value, target, comparison, status …)."""

    period: Period
    objective: ObjectiveResult

    @property
    def value(self) -> float | None:
        return self.objective.value

    @property
    def target(self) -> float:
        return self.objective.target

    @property
    def status(self) -> str:
        return self.objective.status.value


@dataclass(frozen=True)
class Score:
    """One objective's line on the scorecard of the report's period."""

    title: str
    owner_name: str
    objective: ObjectiveResult

    @property
    def id(self) -> str:
        return self.objective.objective

    @property
    def kind(self) -> Kind:
        return kind_of(self.objective.kind)

    @property
    def status(self) -> str:
        return self.objective.status.value

    @property
    def value(self) -> float | None:
        return self.objective.value


@dataclass(frozen=True)
class ClockRow:
    """One item's clock; instants are naive local times of the agreement's zone, for Excel."""

    item: str
    started: dt.datetime
    stopped: dt.datetime | None
    deadline: dt.datetime | None
    elapsed_seconds: int
    paused_seconds: int
    state: str


@dataclass(frozen=True)
class Items:
    """Some of an objective's item clocks, latest start last, and how many there are in all."""

    rows: tuple[ClockRow, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass(frozen=True)
class Credit:
    """A party's service-credit statement for the period, and what is known about it.

    `provisional`: the period still runs, so the numbers may move. `revised`: the statement
    was issued, and the period's numbers changed since; the issued one stands and this is the
    recomputed one, shown beside it.
    """

    statement: CreditStatement
    provisional: bool = False
    issued_at: dt.datetime | None = None
    revised: CreditStatement | None = None
    revised_at: dt.datetime | None = None
    disputes: tuple[int, ...] = ()  # open disputes holding it: it is not settled until decided


def disputed_note(credit: Credit, t: Translator) -> str:
    """Say that open disputes hold a statement, in every report format alike."""
    numbers = ", ".join(f"#{n}" for n in credit.disputes)
    return t.gettext("Disputed (%(disputes)s open): not settled until decided.", disputes=numbers)


@dataclass(frozen=True)
class PeriodCorrection:
    """An approved correction or exclusion that concerns the report's period."""

    number: int
    action: str  # exclude | move | retype | void
    item: str
    objective: str | None  # an exclusion's objective; None: an event's, in every objective
    event_type: str | None
    event_at: dt.datetime | None
    new_type: str | None
    new_at: dt.datetime | None
    reason: str
    proposed_by: str
    decided_by: str | None

    def concerns(self, objective: str) -> bool:
        return self.objective is None or self.objective == objective


@dataclass(frozen=True)
class Benchmark:
    """An objective's period beside its own past, and the industry references that fit it.

    The references are external figures (studies, surveys) with their source and year, not
    this agreement's data; a report labels them so.
    """

    comparison: Comparison
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Report:
    agreement: Agreement
    period: Period
    as_of: dt.datetime  # the evaluation instant, aware, in the agreement's zone
    generated_at: dt.datetime  # aware, in the agreement's zone
    scores: tuple[Score, ...]
    history: Mapping[str, tuple[Figure, ...]]  # objective → up to 12 periods, oldest first
    items: Mapping[str, Items]  # clock objective → its items started in the period
    breaches: Mapping[str, Items]  # clock objective → its breached items of the period
    credits: tuple[Credit, ...] = ()
    benchmarks: Mapping[str, Benchmark] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    corrections: tuple[PeriodCorrection, ...] = ()  # approved ones concerning the period
    # "events": evaluated from a file now; "store": stored results; "range": a range of
    # days evaluated now from the stored events (reports.ranges)
    source: str = "events"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.agreement.timezone)

    @property
    def closed(self) -> bool:
        return self.as_of >= from_us(self.period.end, self.zone)


def party_name(agreement: Agreement, party: str) -> str:
    found = agreement.parties.get(party)
    return party if found is None else found.name


def scores_of(agreement: Agreement, objectives: Iterable[ObjectiveResult]) -> tuple[Score, ...]:
    """Return the scorecard lines of a period's results, titled from the agreement."""
    scores = []
    for objective in objectives:
        spec = agreement.objectives.get(objective.objective)
        scores.append(
            Score(
                title=objective.objective if spec is None else spec.title,
                owner_name=party_name(agreement, objective.owner),
                objective=objective,
            )
        )
    return tuple(scores)


def history_of(figures: Iterable[Figure], period: Period) -> dict[str, tuple[Figure, ...]]:
    """Return each objective's last up to 12 periods that began before the report's ended.

    A report of October printed in December shows October as the last bar.
    """
    found: dict[str, list[Figure]] = {}
    for figure in sorted(figures, key=lambda f: (f.period.start, f.period.end)):
        if figure.period.start >= period.end:
            continue
        found.setdefault(figure.objective.objective, []).append(figure)
    return {name: tuple(rows[-HISTORY_PERIODS:]) for name, rows in found.items()}


def breaches_of(items: Items) -> Items:
    """Return the breached ones of a complete list of items, at most MAX_BREACH_ROWS."""
    breached = [row for row in items.rows if row.state == "breached"]
    return Items(tuple(breached[:MAX_BREACH_ROWS]), len(breached))


def local(us: int | None, zone: ZoneInfo) -> dt.datetime | None:
    """Return an instant as a naive local time of the zone (Excel has no zones); None stays."""
    return None if us is None else from_us(us, zone).replace(tzinfo=None)


def first_and_last_day(period: Period) -> tuple[dt.date, dt.date]:
    return period.first, period.after - dt.timedelta(days=1)


def sorted_statements(credits: Sequence[Credit]) -> tuple[Credit, ...]:
    return tuple(sorted(credits, key=lambda c: (c.statement.period, c.statement.party)))
