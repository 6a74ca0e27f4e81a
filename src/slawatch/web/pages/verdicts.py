"""What the overview says beside a running figure: pace, sample, last period's verdict, review.

A scorecard answers two questions at once: "are we keeping the promise this period?" and "did
we keep it last period?". The first needs more than a number early in a period: a count's pace
and forecast (the count kind's own, stored with its result), and a share's sample size. The
second is the last closed period's verdict of every objective, and the credits owed for it as
the statements were issued. Everything here reads stored results and statements: no query per
item, and nothing is evaluated.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from slawatch.agreements.model import Agreement, Comparison
from slawatch.alerts.reviews import overdue_since
from slawatch.engine.kinds.count import CountResult
from slawatch.engine.results import ObjectiveResult
from slawatch.engine.status import Status
from slawatch.formatting import count_text, details_text, is_share, money_text, number_text
from slawatch.i18n import Translator
from slawatch.store.credits import IssuedStatement
from slawatch.store.results import StoredResult

DAY_US = 86_400 * 1_000_000
FORECAST_STATES = (Status.ON_TRACK, Status.AT_RISK)  # a verdict already reached needs no pace


def days_left(row: StoredResult) -> int:
    """Return the whole days from the result's instant to its period's end, a part day as one."""
    return max(0, math.ceil((row.period_end - row.as_of) / DAY_US))


def forecast_figure(forecast: float, op: Comparison, target: float, t: Translator) -> str:
    """Write a forecast so that it never reads on the other side of the target than it is.

    Rounded towards the target's wrong side (down for "at least", up for "at most"), with a
    decimal more only where the whole number would cross a pro-rata target such as 19.4.
    """
    holds = op.holds(forecast, target)
    for digits in range(4):
        scale = 10**digits
        scaled = forecast * scale
        shown = (math.floor(scaled) if op.higher_is_better else math.ceil(scaled)) / scale
        if op.holds(shown, target) == holds:
            return number_text(shown, t, digits)
    return number_text(forecast, t, 4)


def pace_text(result: ObjectiveResult, row: StoredResult, t: Translator) -> str | None:
    """Say a running count's pace: "18 so far, on pace for 77; 32 more needed in 24 days"."""
    if not isinstance(result, CountResult) or result.forecast is None or result.value is None:
        return None
    if result.status not in FORECAST_STATES:
        return None
    days = days_left(row)
    so_far = count_text(int(result.value), t)
    pace = forecast_figure(result.forecast, result.op, result.target, t)
    if result.op.higher_is_better:
        more = count_text(max(0, math.ceil(result.target - result.value)), t)
        return t.ngettext(
            "%(count)s so far, on pace for %(forecast)s; %(more)s more needed in %(num)s day",
            "%(count)s so far, on pace for %(forecast)s; %(more)s more needed in %(num)s days",
            days,
            count=so_far,
            forecast=pace,
            more=more,
        )
    room = count_text(max(0, math.floor(result.target - result.value)), t)
    return t.ngettext(
        "%(count)s so far, on pace for %(forecast)s; at most %(more)s more in %(num)s day",
        "%(count)s so far, on pace for %(forecast)s; at most %(more)s more in %(num)s days",
        days,
        count=so_far,
        forecast=pace,
        more=room,
    )


def sample_text(result: ObjectiveResult, t: Translator) -> str | None:
    """Say what a share is made of ("7 of 12"): 100 % of 2 items is not 100 % of 200."""
    if not is_share(result) or result.value is None:
        return None
    return details_text(result, t) or None


def last_closed(
    rows: Sequence[StoredResult], objective_id: str
) -> tuple[StoredResult, ObjectiveResult] | None:
    """Return an objective's latest period that had closed when it was evaluated."""
    for row in reversed(rows):
        if row.period_end > row.as_of:
            continue
        for result in row.objectives:
            if result.objective == objective_id:
                return row, result
    return None


def verdict_period(labels: Sequence[str]) -> str | None:
    """Return the period most objectives' last verdicts are of (the latest one on a tie)."""
    counted = Counter(labels)
    if not counted:
        return None
    return max(counted, key=lambda label: (counted[label], label))


@dataclass(frozen=True)
class PeriodVerdict:
    """A scorecard's line on the last closed period: how many objectives met, who owes what."""

    period: str
    met: int
    breached: tuple[str, ...]  # the titles of the breached objectives
    no_data: int
    credits: str | None  # "Sales owes €1,000.00", "none owed", or None without statements


def credits_owed(statements: Sequence[IssuedStatement], agreement: Agreement, t: Translator) -> str:
    """Say the credits a closed period's statements owe, per party: "Sales €1,000.00"."""
    owing = [s for s in statements if s.amount > Decimal(0)]
    if not owing:
        return t.gettext("none owed")
    parts = []
    for statement in owing:
        party = agreement.parties.get(statement.party)
        name = party.name if party is not None else statement.party
        parts.append(
            t.gettext(
                "%(party)s owes %(amount)s",
                party=name,
                amount=money_text(statement.amount, statement.currency, t),
            )
        )
    return ", ".join(parts)


def period_verdict(
    closed: Sequence[tuple[str, str, ObjectiveResult]],
    statements: Sequence[IssuedStatement] | None,
    agreement: Agreement,
    t: Translator,
) -> PeriodVerdict | None:
    """Sum up the verdicts of the period most objectives last closed: (label, title, result)."""
    period = verdict_period([label for label, _, _ in closed])
    if period is None:
        return None
    chosen = [(title, result) for label, title, result in closed if label == period]
    return PeriodVerdict(
        period=period,
        met=sum(1 for _, r in chosen if r.status is Status.MET),
        breached=tuple(title for title, r in chosen if r.status is Status.BREACHED),
        no_data=sum(1 for _, r in chosen if r.status is Status.NO_DATA),
        credits=None if statements is None else credits_owed(statements, agreement, t),
    )


def review_notice(
    agreement: Agreement, held: Sequence[dt.date], today: dt.date, t: Translator
) -> str | None:
    """Say that a review is overdue, since when: "Review overdue since Apr 1, 2026 (250 days)"."""
    since = overdue_since(agreement, today=today, held=held)
    if since is None:
        return None
    return t.ngettext(
        "Review overdue since %(date)s (%(num)s day)",
        "Review overdue since %(date)s (%(num)s days)",
        (today - since).days,
        date=t.date(since),
    )
