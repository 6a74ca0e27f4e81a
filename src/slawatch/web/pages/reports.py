"""Reports and the agreement document as downloads: PDF, XLSX and CSV from the stored results.

A report reads what the background evaluator stored (results and item clocks) and never
evaluates on a request. The language is the reader's (their setting, the cookie, the
browser) unless `?lang=` names one, so a German reader can fetch the English PDF for a
partner.
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from slawatch.engine.instants import from_us
from slawatch.engine.periods import PeriodLabelError
from slawatch.i18n import Translator, supported, translator
from slawatch.reports.csv import report_csv
from slawatch.reports.document import agreement_pdf
from slawatch.reports.pdf import report_pdf
from slawatch.reports.stored import ReportNotFoundError, report_from_store
from slawatch.reports.xlsx import report_xlsx
from slawatch.store.agreements import get_version, list_versions
from slawatch.store.db import read_transaction
from slawatch.web.deps import Now, Reader
from slawatch.web.errors import NotFoundError, UnprocessableError
from slawatch.web.pages.templating import language_of
from slawatch.web.security import Principal

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


@router.get("/agreements/{agreement_id}/report.{kind}")
def report_file(
    agreement_id: AgreementId,
    kind: Annotated[str, Path(max_length=10)],
    request: Request,
    principal: Reader,
    now: Now,
    period: Annotated[
        str | None,
        Query(max_length=20, description="2026-10, 2026-Q4, …; default: the latest closed"),
    ] = None,
    lang: Language = None,
) -> Response:
    """Download one period's report as report.pdf, report.xlsx or report.csv."""
    if kind not in MEDIA_TYPES:
        raise NotFoundError(
            f"there is no report.{kind}; ask for report.pdf, report.xlsx or report.csv",
        )
    t = reader_translator(request, principal, lang)
    with read_transaction(request.app.state.engine) as connection:
        try:
            report = report_from_store(
                connection,
                agreement_id,
                period,
                generated_at=now,
                with_items=kind == "xlsx",
            )
        except PeriodLabelError as error:
            raise UnprocessableError(str(error)) from None
        except ReportNotFoundError as error:
            raise NotFoundError(error.message) from None
    match kind:
        case "pdf":
            body = report_pdf(report, t)
        case "xlsx":
            body = report_xlsx(report, t)
        case _:
            body = report_csv(report).encode("utf-8")
    return download(body, kind, f"{agreement_id}-{report.period.label}.{kind}")


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
