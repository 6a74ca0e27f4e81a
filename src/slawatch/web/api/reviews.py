"""API routes: an agreement's reviews — record one, list them, read one with its snapshot.

A review may change targets: with `yaml` and `effective` in the body, the YAML becomes the
agreement's next version in force from that date, in the same transaction as the review, and
the review links it. Invalid YAML is refused with every problem and its line, as on PUT.
History is sealed: a review's version is in force from today or a later day; a past date is
refused (a retroactive version is an admin's PUT with a reason, previewed by a dry run).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from slawatch.agreements import Agreement, AgreementError, Limits
from slawatch.agreements.limits import DEFAULT_LIMITS, EARLIEST_DATE, LATEST_DATE
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import RetroactiveVersionError
from slawatch.alerts.reviews import next_due_date, record_review
from slawatch.engine.instants import from_us
from slawatch.store.agreements import StoredAgreement, get_version, in_force_of
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reviews import Review, get_review, list_reviews
from slawatch.web.api.agreements import invalid_agreement
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.errors import NotFoundError, UnprocessableError
from slawatch.web.security import Principal

router = APIRouter(tags=["reviews"])
ReviewId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the review's number")]
EARLIEST, LATEST = EARLIEST_DATE, LATEST_DATE
# PostgreSQL refuses NUL in text: refuse it here, as a 422, rather than fail in the query.
PARTICIPANT = r"^[^\x00]*[^\x00\s][^\x00]*$"  # something visible, and no NUL


class ReviewIn(BaseModel):
    held_on: dt.date = Field(description="the day the review took place (not in the future)")
    participants: list[Annotated[str, Field(min_length=1, max_length=320, pattern=PARTICIPANT)]] = (
        Field(min_length=1, max_length=100, description="names or emails of who took part")
    )
    notes: str = Field(default="", max_length=50_000, pattern=NO_NUL)
    decisions: str = Field(
        default="",
        max_length=50_000,
        pattern=NO_NUL,
        description="the first line names a version it creates",
    )
    yaml: str | None = Field(
        default=None,
        max_length=1_000_000,
        pattern=NO_NUL,
        description="the agreement with changed targets: becomes the next version",
    )
    effective: dt.date | None = Field(
        default=None, description="from when the new version is in force; needed with yaml"
    )


class ReviewSummary(BaseModel):
    id: int
    agreement: str
    held_on: dt.date
    participants: list[str]
    notes: str
    decisions: str
    version: int | None = Field(description="the agreement version this review created")
    created_by: str
    created_at: dt.datetime


class ReviewRead(ReviewSummary):
    snapshot: dict[str, Any] = Field(
        description="the stored results and credit statements the review looked at, frozen"
    )


def summary(review: Review) -> ReviewSummary:
    return ReviewSummary(
        id=review.id,
        agreement=review.agreement_id,
        held_on=review.held_on,
        participants=review.participants,
        notes=review.notes,
        decisions=review.decisions,
        version=review.version,
        created_by=review.created_by,
        created_at=from_us(review.created_at, ZoneInfo("UTC")),
    )


def _agreement(request: Request, agreement_id: str) -> StoredAgreement:
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        raise NotFoundError(f"no agreement {agreement_id!r}")
    return stored


def check_review(stored: StoredAgreement, body: ReviewIn, *, now: int) -> None:
    """Refuse what cannot be recorded: a review held in the future, a version without a date."""
    today = from_us(now, ZoneInfo(stored.agreement.timezone)).date()
    if body.held_on > today:
        raise UnprocessableError(
            f"held_on: {body.held_on} is in the future; record a review once it was held"
        )
    if body.held_on < EARLIEST:
        raise UnprocessableError(f"held_on: {body.held_on} is before {EARLIEST}")
    if body.yaml is None and body.effective is not None:
        raise UnprocessableError(
            "effective: is only used with yaml; send the changed agreement as yaml too"
        )
    if body.yaml is not None:
        if body.effective is None:
            raise UnprocessableError(
                "effective: say from which day the changed agreement applies, e.g. 2026-07-01"
            )
        if not EARLIEST <= body.effective <= LATEST:
            raise UnprocessableError(
                f"effective: {body.effective} is out of range; give a date up to {LATEST}"
            )


def sealed(
    stored: StoredAgreement, parsed: Agreement, effective: dt.date | None, now: int
) -> str | None:
    """Return why a review may not create this version (a past in-force date), else None."""
    try:
        in_force_of(parsed, stored, effective=effective, retroactive=False, reason="", now=now)
    except RetroactiveVersionError as error:
        return (
            f"{error}; a review's version is in force from today or later (for a retroactive "
            f"version an admin uses PUT /api/v1/agreements/{stored.id}?retroactive=true, "
            "with dry_run=true first)"
        )
    return None


def yaml_problems(
    stored: StoredAgreement,
    text: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    effective: dt.date | None = None,
    now: int = 0,
) -> JSONResponse | None:
    """Return the 4xx answer for YAML a review may not store as a version, else None.

    Refused: invalid YAML or over a limit, another agreement's, or an in-force date before
    today (it would change closed periods).
    """
    try:
        parsed = parse_agreement(text, source=f"{stored.id}.yaml", limits=limits)
    except AgreementError as error:
        return invalid_agreement(error)
    if parsed.id != stored.id:
        return JSONResponse(
            {
                "detail": f"the YAML says `agreement: {parsed.id}` but this review is of "
                f"{stored.id!r}; change the `agreement:` line",
                "problems": [],
            },
            status_code=422,
        )
    refused = sealed(stored, parsed, effective, now)
    if refused is not None:
        return JSONResponse({"detail": refused, "problems": []}, status_code=422)
    return None


@router.post(
    "/agreements/{agreement_id}/reviews",
    status_code=201,
    response_model=ReviewRead,
    responses={
        404: {"description": "no such agreement"},
        413: {"description": "the YAML is over SLAWATCH_MAX_AGREEMENT_BYTES"},
        422: {"description": "invalid review or agreement YAML (problems with their lines)"},
    },
)
def create_review(
    agreement_id: AgreementId, body: ReviewIn, request: Request, principal: Editor, now: Now
) -> Any:
    """Record a review with a frozen snapshot; with yaml + effective, also the next version."""
    stored = _agreement(request, agreement_id)
    check_review(stored, body, now=now)
    limits = settings_of(request).agreement_limits()
    if body.yaml is not None:
        refused = yaml_problems(stored, body.yaml, limits, effective=body.effective, now=now)
        if refused is not None:
            return refused
    try:
        review = _record(request, agreement_id, body, principal, now, limits)
    except RetroactiveVersionError as error:  # the day turned since the check
        raise UnprocessableError(str(error)) from None
    if review.version is not None:
        request.app.state.after_ingest()  # the new version needs evaluating
    read = ReviewRead(**summary(review).model_dump(), snapshot=review.snapshot)
    return JSONResponse(read.model_dump(mode="json"), status_code=201)


def _record(
    request: Request,
    agreement_id: str,
    body: ReviewIn,
    principal: Principal,
    now: int,
    limits: Limits,
) -> Review:
    with transaction(engine_of(request)) as connection:
        current = get_version(connection, agreement_id)
        assert current is not None  # agreements are never deleted
        return record_review(
            connection,
            current,
            held_on=body.held_on,
            participants=[p.strip() for p in body.participants],
            notes=body.notes,
            decisions=body.decisions,
            actor=principal.name,
            now=now,
            yaml_text=body.yaml,
            effective=body.effective,
            limits=limits,
        )


@router.get(
    "/agreements/{agreement_id}/reviews",
    response_model=list[ReviewSummary],
    responses={404: {"description": "no such agreement"}},
)
def read_reviews(agreement_id: AgreementId, request: Request, _principal: Reader, now: Now) -> Any:
    """List an agreement's reviews, most recently held first (without snapshots).

    The `X-Next-Review` header carries the next due date when the agreement has a cadence.
    """
    stored = _agreement(request, agreement_id)
    with read_transaction(engine_of(request)) as connection:
        found = list_reviews(connection, agreement_id)
    today = from_us(now, ZoneInfo(stored.agreement.timezone)).date()
    due = next_due_date(stored.agreement, today=today)
    headers = {} if due is None else {"X-Next-Review": due.isoformat()}
    return JSONResponse([summary(r).model_dump(mode="json") for r in found], headers=headers)


@router.get(
    "/agreements/{agreement_id}/reviews/{review_id}",
    response_model=ReviewRead,
    responses={404: {"description": "no such agreement or review"}},
)
def read_review(
    agreement_id: AgreementId, review_id: ReviewId, request: Request, _principal: Reader
) -> Any:
    """Read one review with the snapshot of the figures it discussed."""
    _agreement(request, agreement_id)
    with read_transaction(engine_of(request)) as connection:
        review = get_review(connection, agreement_id, review_id)
    if review is None:
        raise NotFoundError(f"agreement {agreement_id!r} has no review {review_id}")
    return ReviewRead(**summary(review).model_dump(), snapshot=review.snapshot)
