"""One objective: its value per period against the target, and the items behind the figure.

The chart and the period table come from the stored results (the same figures the report API
serves); the items of a clock objective from the stored item clocks, filtered by state,
attributes and period, 50 to a page. The filter form is a plain GET form that htmx turns into
a swap of the item table, so it works with and without JavaScript.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from slawatch.agreements.model import Agreement, Objective
from slawatch.comparisons.history import compare
from slawatch.comparisons.industry import Reference, references_for
from slawatch.engine.instants import US, from_us
from slawatch.engine.kinds import clocked
from slawatch.engine.kinds.base import TimedObjective
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.engine.results import ObjectiveResult
from slawatch.evaluation.breakdowns import (
    OWNER,
    BreakdownError,
    NotMeasuredError,
    PeriodChoiceError,
    measure_of,
)
from slawatch.formatting import (
    CLOCK_STATE_NAMES,
    Measured,
    clock_state_text,
    details_text,
    figure_text,
    is_share,
    status_text,
    target_text,
    value_text,
    working_text,
)
from slawatch.i18n import Translator
from slawatch.reports.stored import ReportNotFoundError
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.benchmarks import reference_overrides
from slawatch.store.clock_lists import ClockRow, clock_page
from slawatch.store.clocks import STATES
from slawatch.store.db import read_transaction
from slawatch.store.history import period_labels, recent_results
from slawatch.web.deps import NO_NUL, AgreementId, Now, Reader
from slawatch.web.pages.agreements import missing_page, no_agreement, objective_figure
from slawatch.web.pages.breakdowns import (
    breakdown_section,
    breakdowns_of,
    late_section,
    read_sort,
)
from slawatch.web.pages.feeds import feed_warnings
from slawatch.web.pages.period_picker import (
    RangeFrom,
    RangeTo,
    bad_period_page,
    latest_first,
    period_picker,
    picked_or_refused,
)
from slawatch.web.pages.reports import range_figure
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal

router = APIRouter(tags=["pages"], include_in_schema=False)
PERIODS_SHOWN = 36  # periods in the chart and the table
TRAILING = 3  # periods in the trailing average
PAGE_SIZE = 50
STATUS_COLOURS = {  # app.css's light scheme: a chart cannot read CSS variables
    "met": "#1a7f37",
    "on_track": "#0550ae",
    "at_risk": "#9a6700",
    "breached": "#cf222e",
    "no_data": "#59636e",
}
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
ObjectiveId = Annotated[str, Path(min_length=1, max_length=100)]


def _scaled(objective: Measured, value: float | None) -> float | None:
    """Return a value as the chart draws it: shares in percent, counts as they are."""
    if value is None:
        return None
    return round(value * 100, 4) if is_share(objective) else value


def period_rows(
    results: list[tuple[str, int, ObjectiveResult]], t: Translator
) -> list[dict[str, Any]]:
    """Return the table rows of (label, version, result), with trailing averages."""
    rows = []
    history: list[tuple[str, ObjectiveResult]] = []
    for label, version, objective in results:
        history.append((label, objective))
        trailing = compare(history).trailing_3
        rows.append(
            {
                "period": label,
                "version": version,
                "value": objective.value,
                "value_text": value_text(objective, objective.value, t),
                "target": objective.target,
                "target_text": target_text(objective, t),
                "status": objective.status.value,
                "status_text": status_text(objective.status.value, t),
                "details": details_text(objective, t),
                "trailing": trailing.value if trailing.periods else None,
                "trailing_text": value_text(objective, trailing.value, t)
                if trailing.periods
                else "–",
                "figure": objective,
            }
        )
    return rows


def _band(reference: Reference, figure: Measured) -> tuple[float, float] | None:
    """Return a reference's low and high on the chart's scale, if it measures the same unit."""
    unit = "percent" if is_share(figure) else "count"
    shown = reference.figure
    if shown.unit != unit:
        return None
    low = shown.value if shown.value is not None else shown.low
    high = shown.value if shown.value is not None else shown.high
    return None if low is None or high is None else (low, high)


def chart_config(
    rows: list[dict[str, Any]],
    figure: Measured,
    references: list[Reference],
    t: Translator,
) -> dict[str, Any]:
    """Return the Chart.js config: values as bars, the target, the trailing average, a band."""
    labels = [row["period"] for row in rows]
    datasets: list[dict[str, Any]] = [
        {
            "type": "bar",
            "label": t.gettext("Value"),
            "data": [_scaled(row["figure"], row["value"]) for row in rows],
            "backgroundColor": [STATUS_COLOURS.get(row["status"], "#59636e") for row in rows],
            "order": 3,
        },
        {
            "type": "line",
            "label": t.gettext("Target"),
            "data": [_scaled(row["figure"], row["target"]) for row in rows],
            "borderColor": "#1f2328",
            "borderDash": [6, 4],
            "pointRadius": 0,
            "stepped": "middle",
            "order": 1,
        },
        {
            "type": "line",
            "label": t.gettext("Trailing average of %(n)s periods", n=TRAILING),
            "data": [_scaled(row["figure"], row["trailing"]) for row in rows],
            "borderColor": "#8250df",
            "pointRadius": 2,
            "spanGaps": True,
            "order": 2,
        },
    ]
    datasets += _reference_lines(references, figure, len(rows), t)
    share = is_share(figure)
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {
                "y": {
                    "beginAtZero": not share,  # shares: close enough to see 93 % from 98 %
                    "title": {"display": True, "text": "%" if share else t.gettext("count")},
                    **({"suggestedMax": 100} if share else {}),
                }
            },
        },
    }


def _reference_lines(
    references: list[Reference], figure: Measured, periods: int, t: Translator
) -> list[dict[str, Any]]:
    """Return the first reference in the chart's unit as a line, or a band of two lines."""
    for reference in references:
        band = _band(reference, figure)
        if band is None:
            continue
        label = t.gettext(
            "Industry reference: %(title)s", title=reference.text("title", t.language)
        )
        line = {
            "type": "line",
            "borderColor": "rgba(9, 105, 218, 0.6)",
            "backgroundColor": "rgba(9, 105, 218, 0.12)",
            "pointRadius": 0,
            "order": 4,
        }
        if band[0] == band[1]:
            return [{**line, "label": label, "data": [band[0]] * periods}]
        return [
            # shade the band between the two lines
            {**line, "label": f"{label} ({band[1]:g})", "data": [band[1]] * periods, "fill": "+1"},
            {**line, "label": f"{label} ({band[0]:g})", "data": [band[0]] * periods},
        ]
    return []  # one reference at most: several would hide the bars


def parse_where(text: str) -> tuple[dict[str, str], list[str]]:
    """Read `name=value, name=value` attribute filters; return them and the parts not read."""
    found: dict[str, str] = {}
    unread = []
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not _ATTRIBUTE.match(name) or not value or len(value) > 300:
            unread.append(part.strip()[:100])
            continue
        found[name] = value
    return found, unread


def _instant(us: int | None, zone: ZoneInfo, t: Translator) -> str:
    return "–" if us is None else zoned_text(us, zone.key, t)


def item_row(row: ClockRow, zone: ZoneInfo, t: Translator) -> dict[str, Any]:
    open_clock = row.stopped_at is None and row.deadline is not None
    return {
        "url": f"/items/{quote(row.source, safe='')}/{quote(row.external_id, safe='')}",
        "source": row.source,
        "external_id": row.external_id,
        "attributes": row.attributes,
        "period": row.period,
        "started": _instant(row.started_at, zone, t),
        "stopped": _instant(row.stopped_at, zone, t),
        "deadline": _instant(row.deadline, zone, t),
        "countdown": from_us(row.deadline, ZoneInfo("UTC")).isoformat()
        if open_clock and row.deadline is not None
        else None,
        "elapsed": working_text(row.elapsed_us / US, t),
        "paused": working_text(row.paused_us / US, t) if row.paused_us else "–",
        "state": row.state,
        "state_text": clock_state_text(row.state, t),
    }


DAY_US = 86_400 * US


def _started(period: str | None, zone: ZoneInfo) -> tuple[int, int] | None:
    """Return a span holding the starts of a period's clocks, a day wider either side.

    The margin keeps every clock of the period inside even if an earlier version of the
    agreement placed its periods in another time zone.
    """
    if not period:
        return None
    try:
        span = parse_label(period, zone)
    except PeriodLabelError:
        return None
    return span.start - DAY_US, span.end + DAY_US


def _items(
    request: Request,
    stored: StoredAgreement,
    objective: TimedObjective,
    t: Translator,
    *,
    period: str | None,
    states: list[str],
    where: str,
    page: int,
) -> dict[str, Any]:
    """Return the item table's context: one page of clocks and the filters that chose it."""
    agreement = stored.agreement
    attributes, unread = parse_where(where)
    chosen = [state for state in states if state in STATES]
    with read_transaction(request.app.state.engine) as connection:
        labels = period_labels(connection, agreement.id, objective.period, limit=PERIODS_SHOWN)
        rows, total = clock_page(
            connection,
            agreement.id,
            objective.id,
            period=period or None,
            states=chosen or None,
            attributes=attributes,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            started=_started(period, ZoneInfo(agreement.timezone)),
        )
    zone = ZoneInfo(agreement.timezone)
    base = f"/agreements/{agreement.id}/objectives/{objective.id}"
    query: list[tuple[str, str]] = [("state", state) for state in chosen]
    if period:
        query.append(("period", period))
    if where.strip():
        query.append(("where", where))
    pages = max(1, -(-total // PAGE_SIZE))

    def link(number: int, fragment: bool) -> str:
        path = f"{base}/items" if fragment else base
        return f"{path}?{urlencode([*query, ('page', str(number))])}"

    return {
        "objective_id": objective.id,
        "base": base,
        "rows": [item_row(row, zone, t) for row in rows],
        "total": total,
        "first": (page - 1) * PAGE_SIZE + 1 if rows else 0,
        "last": (page - 1) * PAGE_SIZE + len(rows),
        "page": page,
        "pages": pages,
        "previous": (link(page - 1, False), link(page - 1, True)) if page > 1 else None,
        "next": (link(page + 1, False), link(page + 1, True)) if page < pages else None,
        "page_url": link(page, False),
        "states": [(state, t.gettext(CLOCK_STATE_NAMES[state])) for state in STATES],
        "chosen_states": chosen,
        "periods": labels,
        "period": period or "",
        "where": where,
        "attributes": attributes,
        "unread": unread,
        "attribute_names": sorted({name for row in rows for name in row.attributes}),
    }


def _objective(
    request: Request, principal: Principal, agreement_id: str, objective_id: str
) -> tuple[StoredAgreement, Objective] | HTMLResponse:
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    objective = stored.agreement.objectives.get(objective_id)
    if objective is None:
        t = page_translator(request, principal)
        message = t.gettext(
            "The agreement has no objective %(objective)s; its objectives are %(ids)s.",
            objective=objective_id,
            ids=", ".join(stored.agreement.objectives),
        )
        return missing_page(request, principal, message, agreement_id=agreement_id)
    return stored, objective


def _periods(
    request: Request, agreement: Agreement, objective: Objective
) -> tuple[list[tuple[str, int, ObjectiveResult]], list[Reference]]:
    with read_transaction(request.app.state.engine) as connection:
        stored = recent_results(connection, agreement.id, objective.period, limit=PERIODS_SHOWN)
        overrides = reference_overrides(connection)
    found = []
    for result in stored:
        figure = result.result(objective.id)
        if figure is not None:
            found.append((result.period, result.version, figure))
    return found, references_for(agreement, objective.id, overrides)


def _picked(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    objective: Objective,
    choice: tuple[str, str, str],
    results: list[tuple[str, int, ObjectiveResult]],
    t: Translator,
    now: int,
) -> dict[str, Any] | HTMLResponse:
    """Return the period picker's context and a chosen range's figure, or the error page."""
    labels = latest_first(label for label, _version, _result in results)
    picked = picked_or_refused(
        request, principal, stored.id, ZoneInfo(stored.agreement.timezone), choice, labels
    )
    if isinstance(picked, HTMLResponse):
        return picked
    action = f"/agreements/{stored.id}/objectives/{objective.id}"
    figure = None
    ranged = picked is not None and picked not in labels
    if picked is not None and ranged:  # a range of days, measured now
        try:
            figure = range_figure(request, stored.id, objective.id, picked, now, t)
        except ReportNotFoundError:  # the range has not begun
            return bad_period_page(request, principal, picked, agreement_id=stored.id)
    return {
        "picker": period_picker(action, labels, picked, t, any_period=t.gettext("all periods")),
        "range": figure,
        "items_period": "" if picked is None or ranged else picked,  # the items of a stored one
    }


FilterStates = Annotated[list[str], Query(alias="state", max_length=10)]
FilterPeriod = Annotated[str, Query(max_length=30, pattern=NO_NUL)]
FilterWhere = Annotated[str, Query(max_length=1000, pattern=NO_NUL)]
FilterPage = Annotated[int, Query(ge=1, le=1_000_000)]
GroupBy = Annotated[str, Query(max_length=100, pattern=NO_NUL)]
SortBy = Annotated[str, Query(max_length=20, pattern=NO_NUL)]


def _breakdown(
    request: Request,
    stored: StoredAgreement,
    objective: Objective,
    t: Translator,
    *,
    choice: tuple[str, str, str, str],
    now: int,
) -> tuple[dict[str, Any] | None, bool]:
    """Return the breakdown section's context and whether the request asked it wrongly."""
    period, by, sort, order = choice
    measure = measure_of(objective)
    if measure is None:
        return None, False
    section: dict[str, Any] = {"error": None, "by": by, "rows": []}
    try:
        column, descending = read_sort(measure, sort, order)
        with read_transaction(request.app.state.engine) as connection:
            found = breakdowns_of(request.app).make(
                connection, stored, objective.id, by=by, period=period or None
            )
        section = breakdown_section(found, objective, t, sort=column, descending=descending)
    except (NotMeasuredError, PeriodChoiceError) as error:
        # The page's period (a stored one, a range of days) is the period picker's to judge.
        section["error"] = t.gettext("No breakdown: %(reason)s", reason=str(error))
        return section, False
    except BreakdownError as error:
        section["error"] = t.gettext("No breakdown: %(reason)s", reason=str(error))
        return section, True
    if measure.value == "clock":
        section["late"] = late_section(request, stored, objective.id, now, t)
    return section, False


@router.get("/agreements/{agreement_id}/objectives/{objective_id}", response_class=HTMLResponse)
def objective_page(
    agreement_id: AgreementId,
    objective_id: ObjectiveId,
    request: Request,
    principal: Reader,
    now: Now,
    state: FilterStates = [],  # noqa: B006 - FastAPI copies defaults per request
    period: FilterPeriod = "",
    where: FilterWhere = "",
    page: FilterPage = 1,
    first: RangeFrom = "",
    last: RangeTo = "",
    by: GroupBy = OWNER,
    sort: SortBy = "value",
    order: SortBy = "asc",
) -> HTMLResponse:
    """Show an objective's periods as a chart and a table, its breakdown and its items."""
    found = _objective(request, principal, agreement_id, objective_id)
    if isinstance(found, HTMLResponse):
        return found
    stored, objective = found
    t = page_translator(request, principal)
    results, references = _periods(request, stored.agreement, objective)
    choice = (period, first, last)
    picked = _picked(request, principal, stored, objective, choice, results, t, now)
    if isinstance(picked, HTMLResponse):
        return picked
    period = picked.pop("items_period")
    rows = period_rows(results, t)
    figure = objective_figure(objective)
    context: dict[str, Any] = {
        "agreement": stored.agreement,
        "objective": objective,
        "owner": stored.agreement.parties[objective.owner].name,
        "target": target_text(figure, t),
        "rows": rows,
        "chart": chart_config(rows, figure, references, t) if rows else None,
        "references": [
            {
                "title": reference.text("title", t.language),
                "measure": reference.text("measure", t.language),
                "figure": figure_text(reference.figure, t),
                "source": reference.source,
            }
            for reference in references
        ],
        "trailing": TRAILING,
        "listing": None,
        "feed_warnings": feed_warnings(request, stored.agreement, objective, now, t),
        **picked,
    }
    timed = clocked(objective)
    if timed is not None:
        context["listing"] = _items(
            request, stored, timed, t, period=period, states=state, where=where, page=page
        )
    asked = (period, by, sort, order)
    context["breakdown"], wrong = _breakdown(request, stored, objective, t, choice=asked, now=now)
    status = 422 if wrong else 200
    return render(request, "agreements/objective.html", context, principal, status_code=status)


@router.get(
    "/agreements/{agreement_id}/objectives/{objective_id}/items", response_class=HTMLResponse
)
def objective_items(
    agreement_id: AgreementId,
    objective_id: ObjectiveId,
    request: Request,
    principal: Reader,
    state: FilterStates = [],  # noqa: B006 - FastAPI copies defaults per request
    period: FilterPeriod = "",
    where: FilterWhere = "",
    page: FilterPage = 1,
) -> HTMLResponse:
    """Return the item table alone, for htmx to swap in; the browser's URL shows the page."""
    found = _objective(request, principal, agreement_id, objective_id)
    if isinstance(found, HTMLResponse):
        return found
    stored, objective = found
    timed = clocked(objective)
    if timed is None:
        t = page_translator(request, principal)
        message = t.gettext("Only response-time objectives list items.")
        return missing_page(request, principal, message, agreement_id=agreement_id)
    t = page_translator(request, principal)
    listing = _items(request, stored, timed, t, period=period, states=state, where=where, page=page)
    response = render(request, "agreements/_items.html", {"listing": listing}, principal)
    response.headers["HX-Push-Url"] = listing["page_url"]
    return response
