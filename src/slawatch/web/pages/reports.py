"""Reports: the report page with its period picker, and the downloads (PDF, XLSX, CSV).

A report of a period reads what the background evaluator stored (results and item clocks) and
never evaluates on a request; a free range of days, which nothing stores, is measured from
the process's event table when asked for (`reports.ranges`). The language is the reader's
(their setting, the cookie, the browser) unless `?lang=` names one, so a German reader can
fetch the English PDF for a partner; a German reader's CSV is in German conventions. A bad
period answers a browser with the error page in its language, a token with a 4xx message.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from slawatch.engine.instants import from_us
from slawatch.engine.periods import PeriodLabelError, is_range
from slawatch.formatting import details_text, status_text, target_text, value_text
from slawatch.i18n import Translator, supported, translator
from slawatch.reports.csv import CsvConventions, report_csv
from slawatch.reports.document import agreement_pdf
from slawatch.reports.model import Report, first_and_last_day
from slawatch.reports.pdf import report_pdf
from slawatch.reports.ranges import range_report
from slawatch.reports.stored import ReportNotFoundError, report_from_store
from slawatch.reports.xlsx import report_xlsx
from slawatch.store.agreements import StoredAgreement, get_version, list_versions
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reports import is_subscribed, subscribe, unsubscribe
from slawatch.store.results import stored_periods
from slawatch.web.deps import Now, Reader
from slawatch.web.drafts import event_cache
from slawatch.web.errors import NotFoundError, UnprocessableError
from slawatch.web.pages.agreements import no_agreement
from slawatch.web.pages.period_picker import (
    PickedPeriod,
    RangeFrom,
    RangeTo,
    bad_period_page,
    chosen_label,
    latest_first,
    period_missing_page,
    period_picker,
)
from slawatch.web.pages.templating import language_of, page_translator, render
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
AgreementId = Annotated[str, Path(min_length=1, max_length=100)]
Language = Annotated[
    str | None, Query(max_length=10, description="en or de; default: the reader's language")
]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def reader_translator(request: Request, principal: Principal, lang: str | None) -> Translator:
    """Return the translator of `?lang=`, else of the reader; refuse an unknown language."""
    if lang is None:
        return translator(language_of(request, principal))
    chosen = supported(lang)
    if chosen is None:
        raise UnprocessableError(f"unknown language {lang!r}; use en or de")
    return translator(chosen)


def download(body: bytes, kind: str, filename: str) -> Response:
    """Answer with a file: a PDF opens in the browser, a workbook or CSV is saved."""
    disposition = "inline" if kind == "pdf" else "attachment"
    return Response(
        body,
        media_type=MEDIA_TYPES[kind],
        headers={
            "Content-Disposition": f'{disposition}; filename="{_UNSAFE.sub("_", filename)}"',
            "Cache-Control": "no-store",
        },
    )


class PeriodRefusedError(Exception):
    """A chosen period that cannot be reported, with the answer the caller gets."""

    def __init__(self, response: Response) -> None:
        super().__init__("period refused")
        self.response = response


def _refuse(
    request: Request,
    principal: Principal,
    agreement_id: str,
    label: str,
    error: PeriodLabelError | ReportNotFoundError,
) -> PeriodRefusedError:
    """Answer a browser with the page in its language; a token with the 4xx message."""
    if principal.via != "session":
        if isinstance(error, PeriodLabelError):
            return PeriodRefusedError(_json_refusal(UnprocessableError(str(error))))
        return PeriodRefusedError(_json_refusal(NotFoundError(error.message)))
    if isinstance(error, PeriodLabelError):
        return PeriodRefusedError(
            bad_period_page(request, principal, label, agreement_id=agreement_id)
        )
    with read_transaction(request.app.state.engine) as connection:
        labels = latest_first(stored_periods(connection, agreement_id))
    return PeriodRefusedError(
        period_missing_page(request, principal, label, labels, agreement_id=agreement_id)
    )


def _json_refusal(error: NotFoundError | UnprocessableError) -> Response:
    return JSONResponse({"detail": error.detail}, status_code=error.status_code)


def chosen_report(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    choice: tuple[str, str, str],
    now: int,
    *,
    with_items: bool = False,
) -> Report:
    """Return the report of the chosen period (the latest closed by default), or refuse it."""
    period, first, last = choice
    engine = request.app.state.engine
    label = f"{first}..{last}" if first or last else period
    try:
        chosen = chosen_label(period, first, last, ZoneInfo(stored.agreement.timezone))
        if chosen is not None and is_range(chosen):
            table, _last_event = event_cache(request.app).current(engine)
            with read_transaction(engine) as connection:
                return range_report(
                    connection, table, stored.id, chosen, as_of=now, generated_at=now
                )
        with read_transaction(engine) as connection:
            return report_from_store(
                connection, stored.id, chosen, generated_at=now, with_items=with_items
            )
    except (PeriodLabelError, ReportNotFoundError) as error:
        raise _refuse(request, principal, stored.id, label, error) from None


def _stored_or_refused(
    request: Request, principal: Principal, agreement_id: str
) -> StoredAgreement:
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
    if stored is not None:
        return stored
    if principal.via == "session":
        raise PeriodRefusedError(no_agreement(request, principal, agreement_id))
    raise NotFoundError(f"there is no agreement {agreement_id!r}")


def report_body(report: Report, kind: str, t: Translator) -> bytes:
    """Write a report in one format, a CSV in the conventions of the reader's language."""
    match kind:
        case "pdf":
            return report_pdf(report, t)
        case "xlsx":
            return report_xlsx(report, t)
        case _:
            return report_csv(report, CsvConventions.of(t.language)).encode("utf-8")


@router.get("/agreements/{agreement_id}/report.{kind}", response_model=None)
def report_file(
    agreement_id: AgreementId,
    kind: Annotated[str, Path(max_length=10)],
    request: Request,
    principal: Reader,
    now: Now,
    period: PickedPeriod = "",
    first: RangeFrom = "",
    last: RangeTo = "",
    lang: Language = None,
) -> Response:
    """Download one period's (or range's) report as report.pdf, report.xlsx or report.csv."""
    if kind not in MEDIA_TYPES:
        raise NotFoundError(
            f"there is no report.{kind}; ask for report.pdf, report.xlsx or report.csv",
        )
    t = reader_translator(request, principal, lang)
    try:
        stored = _stored_or_refused(request, principal, agreement_id)
        report = chosen_report(
            request, principal, stored, (period, first, last), now, with_items=kind == "xlsx"
        )
    except PeriodRefusedError as refused:
        return refused.response
    body = report_body(report, kind, t)
    return download(body, kind, f"{agreement_id}-{report.period.label}.{kind}")


def scorecard_rows(report: Report, t: Translator) -> list[dict[str, Any]]:
    """Return the report page's table: each objective's value, target, status and details."""
    return [
        {
            "id": score.id,
            "title": score.title,
            "owner": score.owner_name,
            "value": value_text(score.objective, score.value, t),
            "target": target_text(score.objective, t),
            "status": score.status,
            "status_text": status_text(score.status, t),
            "details": details_text(score.objective, t),
        }
        for score in report.scores
    ]


def download_links(agreement_id: str, label: str) -> list[tuple[str, str]]:
    """Return (format, URL) of a period's downloads."""
    query = urlencode({"period": label})
    return [
        (kind.upper(), f"/agreements/{agreement_id}/report.{kind}?{query}") for kind in MEDIA_TYPES
    ]


@router.get("/agreements/{agreement_id}/reports", response_class=HTMLResponse)
def report_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    now: Now,
    period: PickedPeriod = "",
    first: RangeFrom = "",
    last: RangeTo = "",
) -> Response:
    """Show a period's scorecard with the picker, its downloads and the subscription."""
    try:
        stored = _stored_or_refused(request, principal, agreement_id)
        report = chosen_report(request, principal, stored, (period, first, last), now)
    except PeriodRefusedError as refused:
        return refused.response
    t = page_translator(request, principal)
    with read_transaction(request.app.state.engine) as connection:
        labels = latest_first(stored_periods(connection, agreement_id))
        subscribed = principal.via == "session" and is_subscribed(
            connection, agreement_id, principal.name
        )
    label = report.period.label
    context = {
        "agreement": stored.agreement,
        "report": report,
        "label": label,
        "first_day": t.date(report.period.first),
        "last_day": t.date(first_and_last_day(report.period)[1]),
        "evaluated": t.datetime(report.as_of),
        "closed": report.closed,
        "ranged": is_range(label),
        "rows": scorecard_rows(report, t),
        "downloads": download_links(agreement_id, label),
        "picker": period_picker(f"/agreements/{agreement_id}/reports", labels, label, t),
        "can_subscribe": principal.via == "session",
        "subscribed": subscribed,
    }
    return render(request, "reports/page.html", context, principal)


@router.post(
    "/agreements/{agreement_id}/reports/subscription",
    dependencies=[Depends(form_csrf)],
    response_model=None,
)
def change_subscription(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    now: Now,
    subscribed: Annotated[bool, Form()] = True,
) -> Response:
    """Subscribe the signed-in reader to the agreement's reports, or end the subscription."""
    if principal.via != "session":
        raise UnprocessableError(
            "a token is not a person: subscribe a user with "
            "PUT /api/v1/agreements/{id}/report-subscribers/{email}"
        )
    with transaction(request.app.state.engine) as connection:
        if get_version(connection, agreement_id) is None:
            return no_agreement(request, principal, agreement_id)
        if subscribed:
            subscribe(connection, agreement_id, principal.name, now)
        else:
            unsubscribe(connection, agreement_id, principal.name)
    return RedirectResponse(f"/agreements/{agreement_id}/reports", status_code=303)


@router.get("/agreements/{agreement_id}/document.pdf")
def document_file(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    now: Now,
    version: Annotated[
        int | None, Query(ge=1, le=2_000_000_000, description="default: the current version")
    ] = None,
    lang: Language = None,
) -> Response:
    """Download the agreement as a PDF to print and sign (the current version by default)."""
    t = reader_translator(request, principal, lang)
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id, version)
        versions = list_versions(connection, agreement_id) if stored is None else []
    if stored is None:
        if not versions:
            raise NotFoundError(f"there is no agreement {agreement_id!r}")
        raise NotFoundError(
            f"agreement {agreement_id!r} has versions 1 to {versions[-1].version}",
        )
    agreement = stored.agreement.model_copy(update={"version": stored.version})
    generated = from_us(now, ZoneInfo(agreement.timezone))
    body = agreement_pdf(agreement, t, generated_at=generated)
    return download(body, "pdf", f"{agreement_id}-v{stored.version}-{t.language}.pdf")


def range_figure(
    request: Request, agreement_id: str, objective_id: str, label: str, now: int, t: Translator
) -> dict[str, Any] | None:
    """Return one objective's figure over a range of days, measured now; None if not measured.

    Raises PeriodLabelError or ReportNotFoundError as `range_report` does.
    """
    engine = request.app.state.engine
    table, _last_event = event_cache(request.app).current(engine)
    with read_transaction(engine) as connection:
        report = range_report(connection, table, agreement_id, label, as_of=now, generated_at=now)
    for row in scorecard_rows(report, t):
        if row["id"] == objective_id:
            return {**row, "label": label, "downloads": download_links(agreement_id, label)}
    return None
