"""The breakdown section of an objective's page: its period split by owner, team or attribute.

Sorting and the grouping are query parameters (`?by=owner&sort=p90&order=desc`), so every
view is a link; the figures come from evaluation/breakdowns.py and are written through
formatting.py like every other figure on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from slawatch.agreements.model import Objective
from slawatch.engine.breakdowns import NO_VALUE, Column, GroupFigures, Measure, sort_groups
from slawatch.engine.instants import US
from slawatch.evaluation.breakdowns import (
    OWNER,
    TEAM,
    Breakdown,
    BreakdownError,
    Breakdowns,
    OwnerLate,
    late_now,
)
from slawatch.formatting import (
    change_text,
    count_text,
    time_left_text,
    value_text,
    working_text,
)
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import StoredAgreement
from slawatch.store.db import read_transaction
from slawatch.web.pages.agreements import objective_figure
from slawatch.web.pages.zones import zoned_text

CLOCK_COLUMNS = (
    (Column.GROUP, N_("Group")),
    (Column.VALUE, N_("Value")),
    (Column.MET, N_("Met")),
    (Column.BREACHED, N_("Breached")),
    (Column.PENDING, N_("Pending")),
    (Column.MEDIAN, N_("Median time")),
    (Column.P90, N_("90th percentile")),
    (Column.CHANGE, N_("Trend")),
)
RATIO_COLUMNS = (
    (Column.GROUP, N_("Group")),
    (Column.VALUE, N_("Value")),
    (Column.MET, N_("Counted")),
    (Column.ITEMS, N_("Of")),
    (Column.CHANGE, N_("Trend")),
)
MISSING_NAMES = {
    "no_value": N_("none"),
    "no_team": N_("no team"),
    "unknown_owner": N_("not in the directory"),
}
LATE_SHOWN = 5  # items listed per owner; the item list has the rest


def breakdowns_of(app: Any) -> Breakdowns:
    """Return the app's breakdown keeper, made on first use (one per process and app)."""
    keeper = getattr(app.state, "breakdowns", None)
    if keeper is None:
        keeper = app.state.breakdowns = Breakdowns()
    return keeper


def columns_of(measure: Measure) -> tuple[tuple[Column, str], ...]:
    return CLOCK_COLUMNS if measure is Measure.CLOCK else RATIO_COLUMNS


def read_sort(measure: Measure, sort: str, order: str) -> tuple[Column, bool]:
    """Return the column and direction asked for; BreakdownError names the choices."""
    allowed = [column.value for column, _ in columns_of(measure)]
    if sort not in allowed:
        raise BreakdownError(f"sort {sort!r} is not a column; write one of {', '.join(allowed)}")
    if order not in ("asc", "desc"):
        raise BreakdownError(f"order {order!r} is not a direction; write asc or desc")
    return Column(sort), order == "desc"


def group_name(group: GroupFigures, found: Breakdown, t: Translator) -> tuple[str, str | None]:
    """Return a group's name and, for an owner the directory knows, their page."""
    if group.missing is not None:
        name = t.gettext(MISSING_NAMES[group.missing])
        return (t.gettext("no owner") if found.by == OWNER else name), None
    if found.by == OWNER:
        person = found.names.get(group.key)
        link = f"/people/{quote(group.key, safe='')}"
        return (person.name if person else group.key), link
    return group.key, None


def _trend(change: float | None, op: str) -> str:
    """Return whether a change is for the better: up for an at-least target, down for at-most."""
    if not change:
        return ""
    return "better" if (change > 0) == op.startswith(">") else "worse"


def _row(
    group: GroupFigures, found: Breakdown, figure: dict[str, Any], t: Translator
) -> dict[str, Any]:
    name, link = group_name(group, found, t)
    return {
        "name": name,
        "link": link,
        "missing": group.missing is not None,
        "value": value_text(figure, group.value, t),
        "items": count_text(group.items, t),
        "met": count_text(group.met, t),
        "breached": count_text(group.breached, t),
        "pending": count_text(group.pending, t),
        "median": "–" if group.median_us is None else working_text(group.median_us / US, t),
        "p90": "–" if group.p90_us is None else working_text(group.p90_us / US, t),
        "change": change_text(figure, group.change, t),
        "trend": _trend(group.change, str(figure["op"])),
    }


def breakdown_section(
    found: Breakdown, objective: Objective, t: Translator, *, sort: Column, descending: bool
) -> dict[str, Any]:
    """Return the breakdown section's context: its rows sorted, and links for every view."""
    figure = objective_figure(objective)
    base = f"/agreements/{found.agreement_id}/objectives/{found.objective}"

    def link(**changed: str) -> str:
        query = {"period": found.period, "by": found.by, "sort": sort.value}
        query["order"] = "desc" if descending else "asc"
        return f"{base}?{urlencode({**query, **changed})}#breakdown"

    headers = []
    for column, label in columns_of(found.measure):
        flip = "asc" if sort is column and descending else "desc"
        if column is Column.GROUP and sort is not column:
            flip = "asc"
        headers.append(
            {
                "label": t.gettext(label),
                "url": link(sort=column.value, order=flip),
                "sorted": ("descending" if descending else "ascending") if sort is column else None,
                "column": column.value,
            }
        )
    groupings = [(OWNER, t.gettext("Owner")), (TEAM, t.gettext("Team"))]
    groupings += [(name, name) for name in found.groupings if name not in (OWNER, TEAM)]
    ordered = sort_groups(found.groups, sort, descending=descending)
    return {
        "base": base,
        "period": found.period,
        "previous_period": found.previous_period,
        "by": found.by,
        "groupings": groupings,
        "headers": headers,
        "measure": found.measure.value,
        "rows": [_row(group, found, figure, t) for group in ordered],
        "total": _row(found.total, found, figure, t) if found.total else None,
        "error": None,
    }


def late_section(
    request: Any, stored: StoredAgreement, objective_id: str, now: int, t: Translator
) -> list[dict[str, Any]]:
    """Return the late-now list: per owner, their late and at-risk clocks, most late first."""
    keeper = breakdowns_of(request.app)
    with read_transaction(request.app.state.engine) as connection:
        owners = late_now(connection, stored, objective_id, now=now, keeper=keeper)
    zone = ZoneInfo(stored.agreement.timezone)
    agreement_id = stored.agreement.id
    return [_late_owner(owner, agreement_id, objective_id, zone, now, t) for owner in owners]


def _late_owner(
    owner: OwnerLate, agreement_id: str, objective_id: str, zone: ZoneInfo, now: int, t: Translator
) -> dict[str, Any]:
    known = owner.owner != NO_VALUE
    where = urlencode({"state": "breached", "where": f"{OWNER}={owner.owner}"})
    return {
        "name": owner.person.name
        if owner.person
        else owner.owner
        if known
        else t.gettext("no owner"),
        "link": f"/people/{quote(owner.owner, safe='')}" if known else None,
        "late": owner.late,
        "at_risk": owner.at_risk,
        "more": max(0, len(owner.clocks) - LATE_SHOWN),
        "all_url": f"/agreements/{agreement_id}/objectives/{objective_id}?{where}#items"
        if known
        else None,
        "clocks": [
            {
                "url": f"/items/{quote(clock.source, safe='')}/{quote(clock.external_id, safe='')}",
                "external_id": clock.external_id,
                "late": clock.deadline <= now,
                "deadline": zoned_text(clock.deadline, zone.key, t),
                "overdue": time_left_text((clock.deadline - now) / US, t),
            }
            for clock in (late.clock for late in owner.clocks[:LATE_SHOWN])
        ],
    }
