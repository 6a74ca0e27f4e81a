"""API routes: agreements as versioned YAML, their history, and their stored reports.

Reports are served from the stored results the background evaluator keeps current; a request
never evaluates, except a PUT that asks what it would change (`dry_run`) or saves a
retroactive version: those measure the closed periods it changes, old beside new. A PUT
creates a new version and asks for a re-evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from slawatch.agreements import Agreement, AgreementError, AgreementLimitError, Limits
from slawatch.agreements.limits import EARLIEST_DATE, LATEST_DATE, too_large
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import InForce, RetroactiveVersionError
from slawatch.engine.instants import from_us
from slawatch.engine.periods import PeriodLabelError, is_range, parse_label
from slawatch.evaluation.retroactive import VersionPreview, preview_version
from slawatch.reports.ranges import range_evaluation
from slawatch.reports.stored import ReportNotFoundError
from slawatch.store.agreements import (
    StoredAgreement,
    current_agreements,
    get_version,
    in_force_of,
    list_versions,
    save_version,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import stored_periods, stored_result
from slawatch.web.deps import AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.drafts import event_cache
from slawatch.web.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from slawatch.web.security import Permission, Principal

router = APIRouter(tags=["agreements"])
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
EARLIEST, LATEST = EARLIEST_DATE, LATEST_DATE  # the dates an agreement may name
_YAML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


class AgreementSummary(BaseModel):
    id: str
    version: int
    title: str
    effective: dt.date


class AgreementRead(AgreementSummary):
    yaml: str
    author: str
    reason: str
    created_at: dt.datetime
    retroactive: bool = False


class VersionRead(BaseModel):
    version: int
    author: str
    reason: str
    effective: dt.date
    created_at: dt.datetime
    retroactive: bool = False


class ProblemRead(BaseModel):
    line: int | None
    field: str
    message: str
    hint: str | None


def _instant(us: int) -> dt.datetime:
    return from_us(us, ZoneInfo("UTC"))


def _read(stored: StoredAgreement) -> AgreementRead:
    return AgreementRead(
        id=stored.id,
        version=stored.version,
        title=stored.title,
        effective=stored.effective,
        yaml=stored.yaml,
        author=stored.author,
        reason=stored.reason,
        created_at=_instant(stored.created_at),
        retroactive=stored.retroactive,
    )


def _not_found(agreement_id: str) -> NotFoundError:
    return NotFoundError(
        f"no agreement {agreement_id!r}; create it with PUT /api/v1/agreements/{agreement_id}"
    )


def invalid_agreement(error: AgreementError) -> JSONResponse:
    """Answer 422 with every problem of an agreement's YAML, each at its line.

    YAML over a limit is refused before it is read: 413 for its size, 422 for its nesting or
    what its aliases expand to, with the limit named in `detail` and `limit`.
    """
    problems = [
        ProblemRead(line=p.line, field=p.field, message=p.message, hint=p.hint).model_dump()
        for p in error.problems
    ]
    if isinstance(error, AgreementLimitError):
        first = error.problems[0]
        return JSONResponse(
            {
                "detail": f"the agreement was not read: {first.message}; {first.hint}",
                "limit": error.limit,
                "problems": problems,
            },
            status_code=413 if error.limit == "size" else 422,
        )
    return JSONResponse(
        {"detail": f"the agreement is invalid: {len(problems)} problem(s)", "problems": problems},
        status_code=422,
    )


@router.get("/agreements", response_model=list[AgreementSummary])
def list_agreements(request: Request, _principal: Reader) -> list[AgreementSummary]:
    """List every agreement with its current version."""
    with read_transaction(engine_of(request)) as connection:
        stored = current_agreements(connection)
    return [
        AgreementSummary(id=s.id, version=s.version, title=s.title, effective=s.effective)
        for s in stored
    ]


@router.get(
    "/agreements/{agreement_id}",
    response_model=AgreementRead,
    responses={404: {"description": "no such agreement"}},
)
def read_agreement(agreement_id: AgreementId, request: Request, _principal: Reader) -> Any:
    """Read an agreement's current version, with its YAML."""
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        raise _not_found(agreement_id)
    return _read(stored)


def _yaml_text(request: Request, body: bytes) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in YAML_TYPES:
        got = media or "none"
        raise UnsupportedMediaTypeError(
            f"send the agreement as YAML with Content-Type application/yaml (got {got})"
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequestError(
            f"the body is not UTF-8 text (byte {error.start}); save the YAML as UTF-8"
        ) from None


def _decide(
    request: Request,
    agreement: Agreement,
    *,
    effective: dt.date | None,
    retro: bool,
    reason: str,
    now: int,
) -> InForce:
    """Decide from when the version would be in force (blocks: run it in a thread); 422 if not."""
    with read_transaction(engine_of(request)) as connection:
        previous = get_version(connection, agreement.id)
    try:
        return in_force_of(
            agreement, previous, effective=effective, retroactive=retro, reason=reason, now=now
        )
    except RetroactiveVersionError as error:
        raise UnprocessableError(str(error)) from None


Reason = Annotated[str, Query(max_length=2000, description="why this version")]
InForceFrom = Annotated[
    dt.date | None,
    Query(
        description="in force from (default: the day it is saved; the first version: "
        "the YAML's effective)"
    ),
]
Retroactive = Annotated[
    bool,
    Query(
        description="admins: put it in force from a past `effective`, judging closed "
        "periods again (needs a reason)"
    ),
]
DryRun = Annotated[
    bool,
    Query(
        description="save nothing; answer with every closed period the version would "
        "change, old beside new"
    ),
]


def _check_asked(principal: Principal, effective: dt.date | None, retroactive: bool) -> None:
    """Refuse an in-force date out of range (422), or reaching back without being an admin (403)."""
    if effective is not None and not EARLIEST <= effective <= LATEST:
        raise UnprocessableError(
            f"effective: {effective} is out of range; give a date from {EARLIEST} to {LATEST}"
        )
    if retroactive and Permission.ADMIN not in principal.permissions:
        raise ForbiddenError(
            "retroactive: only an admin may save a version that changes closed periods; leave "
            "`effective` empty (in force from the day it is saved) or ask an admin",
        )


async def _sent_agreement(
    request: Request, agreement_id: str, limits: Limits
) -> tuple[str, Agreement] | JSONResponse:
    """Read the body as the agreement's YAML: (text, agreement), or the answer refusing it."""
    body = await request.body()
    if len(body) > limits.max_bytes:  # refused before it is decoded
        return invalid_agreement(too_large(f"{agreement_id}.yaml", len(body), limits))
    text = _yaml_text(request, body)
    try:
        # Reading YAML is CPU work of up to a second within the limits: never on the loop.
        parsed = await run_in_threadpool(
            parse_agreement, text, source=f"{agreement_id}.yaml", limits=limits
        )
    except AgreementError as error:
        return invalid_agreement(error)
    if parsed.id != agreement_id:
        raise BadRequestError(
            f"the YAML says `agreement: {parsed.id}` but the path names {agreement_id!r}; "
            f"PUT it to /api/v1/agreements/{parsed.id} or change the `agreement:` line",
        )
    return text, parsed


def _save(
    request: Request,
    agreement_id: str,
    text: str,
    *,
    author: str,
    reason: str,
    effective: dt.date | None,
    retroactive: bool,
    limits: Limits,
    preview: VersionPreview | None,
) -> StoredAgreement:
    """Save the next version and read it back (blocks: run it in a thread); 422 if refused."""
    try:
        with transaction(engine_of(request)) as connection:
            _agreement, version = save_version(
                connection,
                text,
                author=author,
                reason=reason,
                effective=effective,
                retroactive=retroactive,
                source=f"{agreement_id}.yaml",
                limits=limits,
                audit_detail=None if preview is None else preview.audit_detail(),
            )
            stored = get_version(connection, agreement_id, version)
    except RetroactiveVersionError as error:  # the day turned between the check and the save
        raise UnprocessableError(str(error)) from None
    assert stored is not None  # just written in the same transaction
    return stored


@router.put(
    "/agreements/{agreement_id}",
    status_code=201,
    response_model=AgreementRead,
    openapi_extra=_YAML_BODY,
    responses={
        200: {"description": "dry run: the closed periods the version would change, unsaved"},
        400: {"description": "the YAML names another agreement"},
        403: {"description": "a retroactive version, asked for by someone who is not an admin"},
        413: {"description": "the YAML is over SLAWATCH_MAX_AGREEMENT_BYTES"},
        415: {"description": "not YAML"},
        422: {
            "description": "invalid agreement (every problem with its line); nested or "
            "expanding beyond a limit (see docs/limits.md); or an in-force date in the past "
            "without `retroactive` and a reason"
        },
    },
)
async def put_agreement(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    reason: Reason = "",
    effective: InForceFrom = None,
    retroactive: Retroactive = False,
    dry_run: DryRun = False,
) -> Any:
    """Store the YAML as the agreement's next version; answers with the new version.

    History is sealed: a version in force from a past day is refused unless an admin asks
    for it with `retroactive=true` and a reason. `dry_run=true` saves nothing and lists the
    closed periods the version would change (none unless it is retroactive).
    """
    _check_asked(principal, effective, retroactive)
    limits = settings_of(request).agreement_limits()
    sent = await _sent_agreement(request, agreement_id, limits)
    if isinstance(sent, JSONResponse):
        return sent
    text, parsed = sent
    decided = await to_thread.run_sync(
        lambda: _decide(
            request, parsed, effective=effective, retro=retroactive, reason=reason, now=now
        )
    )
    preview: VersionPreview | None = None
    if dry_run or decided.retroactive:
        engine, cache = engine_of(request), event_cache(request.app)
        preview = await to_thread.run_sync(
            lambda: preview_version(engine, cache, parsed, text, decided, now=now)
        )
    if dry_run:
        assert preview is not None
        return JSONResponse(preview.document(), status_code=200)
    stored = await to_thread.run_sync(
        lambda: _save(
            request,
            agreement_id,
            text,
            author=principal.name,
            reason=reason,
            effective=effective,
            retroactive=retroactive,
            limits=limits,
            preview=preview,
        )
    )
    request.app.state.after_ingest()
    answer = _read(stored).model_dump(mode="json")
    if preview is not None:
        answer["changes"] = preview.document()
    return JSONResponse(answer, status_code=201)


@router.get(
    "/agreements/{agreement_id}/versions",
    response_model=list[VersionRead],
    responses={404: {"description": "no such agreement"}},
)
def read_versions(agreement_id: AgreementId, request: Request, _principal: Reader) -> Any:
    """List an agreement's versions, oldest first: who, when, why and from when."""
    with read_transaction(engine_of(request)) as connection:
        versions = list_versions(connection, agreement_id)
    if not versions:
        raise _not_found(agreement_id)
    return [
        VersionRead(
            version=v.version,
            author=v.author,
            reason=v.reason,
            effective=v.effective,
            created_at=_instant(v.created_at),
            retroactive=v.retroactive,
        )
        for v in versions
    ]


@router.get(
    "/agreements/{agreement_id}/versions/{version}",
    response_model=AgreementRead,
    responses={404: {"description": "no such agreement or version"}},
)
def read_version(
    agreement_id: AgreementId,
    version: Annotated[int, Path(ge=1, le=2_000_000_000, description="1, 2, …")],
    request: Request,
    _principal: Reader,
) -> Any:
    """Read one version of an agreement, with its YAML."""
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id, version)
        versions = list_versions(connection, agreement_id) if stored is None else []
    if stored is None:
        if not versions:
            raise _not_found(agreement_id)
        raise NotFoundError(f"agreement {agreement_id!r} has versions 1 to {versions[-1].version}")
    return _read(stored)


@router.get(
    "/agreements/{agreement_id}/report",
    responses={
        200: {"description": "the `evaluate --format json` document of that period"},
        404: {"description": "no such agreement, or no stored result for the period yet"},
    },
)
def read_report(
    agreement_id: AgreementId,
    request: Request,
    _principal: Reader,
    period: Annotated[
        str,
        Query(
            min_length=1,
            max_length=30,
            description="2026-10, 2026-W41, 2026-Q4, … or a range of days 2026-10-01..2026-10-15",
        ),
    ],
    now: Now,
) -> Any:
    """Return the stored evaluation of one period, as `slawatch evaluate --format json` has it.

    A range of days, which nothing stores, is evaluated now as one window (docs/reports.md).
    """
    if is_range(period):
        return range_document(request, agreement_id, period, now)
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
        if stored is None:
            raise _not_found(agreement_id)
        try:
            label = parse_label(period, ZoneInfo(stored.agreement.timezone)).label
        except PeriodLabelError as error:
            raise UnprocessableError(str(error)) from None
        result = stored_result(connection, agreement_id, label)
        known = [] if result is not None else stored_periods(connection, agreement_id)
    if result is None:
        if not known:
            message = (
                f"no stored results for {agreement_id!r} yet; they are computed in the "
                "background after each change, try again in a moment"
            )
        else:
            message = (
                f"no stored result for period {label}; stored periods run from {known[0]} "
                f"to {known[-1]} ({len(known)} periods)"
            )
        raise NotFoundError(message)
    return JSONResponse(result.payload, headers={"X-Agreement-Version": str(result.version)})


def range_document(request: Request, agreement_id: str, period: str, now: int) -> Any:
    """Evaluate a range of days from the process's event table; 422 or 404 with a message."""
    engine = engine_of(request)
    table, _last_event = event_cache(request.app).current(engine)
    try:
        with read_transaction(engine) as connection:
            evaluation, version = range_evaluation(
                connection, table, agreement_id, period, as_of=now
            )
    except PeriodLabelError as error:
        raise UnprocessableError(str(error)) from None
    except ReportNotFoundError as error:
        raise NotFoundError(error.message) from None
    return JSONResponse(evaluation.document(), headers={"X-Agreement-Version": str(version)})
