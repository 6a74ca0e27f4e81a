"""The period picker: a stored period chosen from a list, or a free range of days.

One helper for every page that shows a period (the agreement, an objective, the report):
`PickedPeriod`, `RangeFrom` and `RangeTo` are its query parameters, `chosen_label` reads
them into one label of the grammar of `engine/periods.py`, `period_picker` fills the partial
template `_period_picker.html`, and `bad_period_page` answers a period that is not one with
the page's own error page in the reader's language (not an API's JSON).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from slawatch.agreements.model import PeriodKind
from slawatch.engine.periods import (
    RANGE_SEPARATOR,
    PeriodLabelError,
    is_range,
    label_kind,
    parse_label,
    read_range,
)
from slawatch.i18n import N_, Translator
from slawatch.web.deps import NO_NUL
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.security import Principal

PickedPeriod = Annotated[
    str,
    Query(
        max_length=30,
        pattern=NO_NUL,
        description="2026-10, 2026-Q4, 2026-W41, 2026-10-05, 2026 or 2026-10-01..2026-10-15",
    ),
]
RangeFrom = Annotated[
    str, Query(alias="from", max_length=10, pattern=NO_NUL, description="first day, 2026-10-01")
]
RangeTo = Annotated[
    str, Query(alias="to", max_length=10, pattern=NO_NUL, description="last day, 2026-10-15")
]

# The list's groups, in the order a reader looks for them.
GROUPS = (
    (PeriodKind.MONTH, N_("Months")),
    (PeriodKind.QUARTER, N_("Quarters")),
    (PeriodKind.YEAR, N_("Years")),
    (PeriodKind.WEEK, N_("Weeks")),
    (PeriodKind.DAY, N_("Days")),
)


def chosen_label(period: str, first: str, last: str, zone: ZoneInfo) -> str | None:
    """Return the label the reader chose, None for none; PeriodLabelError for a bad one.

    The range's two days win over the list: the picker's range form sends only them.
    """
    if first.strip() or last.strip():
        if not (first.strip() and last.strip()):
            raise PeriodLabelError("a range needs its first and its last day")
        return parse_label(f"{first.strip()}{RANGE_SEPARATOR}{last.strip()}", zone).label
    if not period.strip():
        return None
    return parse_label(period, zone).label


def _groups(labels: Iterable[str], t: Translator) -> list[tuple[str, list[str]]]:
    by_kind: dict[PeriodKind, list[str]] = {}
    for label in labels:
        try:
            by_kind.setdefault(label_kind(label), []).append(label)
        except PeriodLabelError:
            continue  # a stored label of a grammar this version no longer reads
    return [(t.gettext(name), by_kind[kind]) for kind, name in GROUPS if kind in by_kind]


def _days(label: str | None) -> tuple[str, str]:
    """Return the first and last day a label spans, to prefill the range form."""
    if not label:
        return "", ""
    if is_range(label):
        first, last = read_range(label)
        return first.isoformat(), last.isoformat()
    window = parse_label(label, ZoneInfo("UTC"))  # dates only: any zone gives the same days
    return window.first.isoformat(), (window.after - dt.timedelta(days=1)).isoformat()


def period_picker(
    action: str,
    labels: Sequence[str],
    chosen: str | None,
    t: Translator,
    *,
    keep: Mapping[str, str] | None = None,
    any_period: str | None = None,
) -> dict[str, Any]:
    """Return the context of `_period_picker.html`.

    `labels` are the stored periods, latest first; `keep` are query parameters the page
    carries along (a filter); `any_period` names a first option that chooses no period.
    """
    first, last = _days(chosen)
    return {
        "action": action,
        "groups": _groups(labels, t),
        "chosen": chosen or "",
        "chosen_range": bool(chosen) and is_range(chosen or ""),
        "first": first,
        "last": last,
        "keep": [(name, value) for name, value in (keep or {}).items() if value],
        "any_period": any_period,
    }


def latest_first(labels: Iterable[str]) -> list[str]:
    """Return stored labels (earliest first, as the store lists them) latest first."""
    return list(reversed(list(labels)))


def bad_period_page(
    request: Request,
    principal: Principal,
    period: str,
    *,
    agreement_id: str | None = None,
    status_code: int = 422,
) -> HTMLResponse:
    """Answer a period that is not one with the error page, in the reader's language."""
    t = page_translator(request, principal)
    message = t.gettext(
        "%(period)s is not a period slawatch can show. Choose one from the list, or write a "
        "day 2026-10-05, an ISO week 2026-W41, a month 2026-10, a quarter 2026-Q4, a year 2026 "
        "or a range of days 2026-10-01..2026-10-15 (the earlier day first), in the years from "
        "1970 to 2199.",
        period=period or "–",
    )
    return _error_page(request, principal, message, agreement_id, status_code)


def period_missing_page(
    request: Request,
    principal: Principal,
    period: str,
    labels: Sequence[str],
    *,
    agreement_id: str,
) -> HTMLResponse:
    """Answer a period with nothing stored (or not begun) with a 404 page saying what there is."""
    t = page_translator(request, principal)
    if labels:
        message = t.gettext(
            "Nothing is stored for %(period)s yet. Stored periods run from %(first)s to "
            "%(last)s; choose one of them or a range of days.",
            period=period,
            first=labels[-1],
            last=labels[0],
        )
    else:
        message = t.gettext(
            "Nothing is stored for %(period)s yet: figures are computed in the background "
            "after events arrive.",
            period=period,
        )
    return _error_page(request, principal, message, agreement_id, 404)


def _error_page(
    request: Request,
    principal: Principal,
    message: str,
    agreement_id: str | None,
    status_code: int,
) -> HTMLResponse:
    return render(
        request,
        "period_error.html",
        {"message": message, "agreement_id": agreement_id},
        principal,
        status_code=status_code,
    )


def picked_or_refused(
    request: Request,
    principal: Principal,
    agreement_id: str,
    zone: ZoneInfo,
    choice: tuple[str, str, str],
    labels: Sequence[str],
) -> str | HTMLResponse | None:
    """Return the chosen label (None for none), or the error page a page answers with.

    A label must be stored (`labels`) to be shown; a range is measured when asked for.
    """
    period, first, last = choice
    try:
        chosen = chosen_label(period, first, last, zone)
    except PeriodLabelError:
        written = period if period.strip() else f"{first}{RANGE_SEPARATOR}{last}"
        return bad_period_page(request, principal, written, agreement_id=agreement_id)
    if chosen is not None and not is_range(chosen) and chosen not in labels:
        return period_missing_page(request, principal, chosen, labels, agreement_id=agreement_id)
    return chosen
