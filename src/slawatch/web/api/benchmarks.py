"""API routes: history comparisons of every objective, and the industry references.

GET answers with each objective's latest period beside its previous period, trailing 3 and
12 periods and the same period a year ago, the references that apply to it, and every
reference in force (shipped, or as an admin edited it). PUT stores an admin's edit of a
reference as an override; DELETE removes the override, so the shipped entry applies again.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ValidationError

from slawatch.comparisons.history import Average
from slawatch.comparisons.industry import (
    KEY_PATTERN,
    Reference,
    effective_references,
    objective_comparisons,
    shipped_references,
)
from slawatch.engine.instants import from_us
from slawatch.store.agreements import current_agreements, get_version
from slawatch.store.benchmarks import (
    Override,
    comparison_results,
    delete_override,
    save_override,
    stored_overrides,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.web.deps import Admin, Reader, engine_of
from slawatch.web.errors import BadRequestError, NotFoundError, UnprocessableError

router = APIRouter(tags=["benchmarks"])
Key = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=KEY_PATTERN,
        description="the reference's key, e.g. speed-to-lead-five-minutes",
    ),
]
Origin = Literal["shipped", "edited", "added"]


class ReferenceRead(Reference):
    """A reference as in force, and whether an admin edited (or added) it."""

    origin: Origin
    updated_by: str | None = None
    updated_at: dt.datetime | None = None


class ReferenceWrite(Reference):
    """A reference as an admin sends it; the key comes from the path (if given, it must match)."""

    key: str | None = None  # type: ignore[assignment]


class AverageRead(BaseModel):
    value: float | None
    method: Literal["pooled", "mean"]
    periods: list[str]  # the periods asked for
    with_data: int  # how many of them had a value


class ComparisonRead(BaseModel):
    objective: str
    title: str
    kind: str
    period: str
    value: float | None
    change: float | None
    previous: AverageRead
    trailing_3: AverageRead
    trailing_12: AverageRead
    year_ago: AverageRead
    references: list[str]  # keys of the references that apply


class AgreementComparisons(BaseModel):
    id: str
    title: str
    objectives: list[ComparisonRead]


class BenchmarksRead(BaseModel):
    agreements: list[AgreementComparisons]
    references: list[ReferenceRead]


def reference_read(reference: Reference, override: Override | None) -> ReferenceRead:
    shipped = {r.key for r in shipped_references()}
    origin: Origin = "shipped" if override is None else "edited"
    if override is not None and reference.key not in shipped:
        origin = "added"
    return ReferenceRead(
        **reference.model_dump(),
        origin=origin,
        updated_by=override.updated_by if override else None,
        updated_at=from_us(override.updated_at, dt.UTC) if override else None,
    )


def _average(average: Average) -> AverageRead:
    return AverageRead(
        value=average.value,
        method=average.method,
        periods=list(average.labels),
        with_data=average.periods,
    )


@router.get("/benchmarks", response_model=BenchmarksRead)
def read_benchmarks(
    request: Request,
    _principal: Reader,
    agreement: Annotated[
        str | None,
        Query(max_length=100, description="only this agreement's objectives (default: all)"),
    ] = None,
) -> Any:
    """Compare every objective's latest period with its history; list the references."""
    with read_transaction(engine_of(request)) as connection:
        if agreement is None:
            agreements = current_agreements(connection)
        else:
            one = get_version(connection, agreement)
            if one is None:
                raise NotFoundError(f"no agreement {agreement!r}; GET /api/v1/agreements")
            agreements = [one]
        overrides = stored_overrides(connection)
        rows = {s.id: comparison_results(connection, s.id) for s in agreements}
    in_force = effective_references({k: o.reference for k, o in overrides.items()})
    listed = []
    for stored in agreements:
        periods = [(row.period, row.objectives) for row in rows[stored.id]]
        objectives = []
        for objective_id, comparison, references in objective_comparisons(
            stored.agreement, periods, in_force
        ):
            objectives.append(
                ComparisonRead(
                    objective=objective_id,
                    title=stored.agreement.objectives[objective_id].title,
                    kind=comparison.kind,
                    period=comparison.period,
                    value=comparison.value,
                    change=comparison.change,
                    previous=_average(comparison.previous),
                    trailing_3=_average(comparison.trailing_3),
                    trailing_12=_average(comparison.trailing_12),
                    year_ago=_average(comparison.year_ago),
                    references=[r.key for r in references],
                )
            )
        listed.append(AgreementComparisons(id=stored.id, title=stored.title, objectives=objectives))
    return BenchmarksRead(
        agreements=listed,
        references=[reference_read(r, overrides.get(r.key)) for r in in_force],
    )


@router.put(
    "/benchmarks/{key}",
    response_model=ReferenceRead,
    responses={
        400: {"description": "the body names another key"},
        422: {"description": "invalid reference: every problem with its field"},
    },
)
def put_reference(key: Key, body: ReferenceWrite, request: Request, principal: Admin) -> Any:
    """Store an edit of a reference (or a new one) as an override of the shipped entry."""
    if body.key is not None and body.key != key:
        raise BadRequestError(
            f"the body names key {body.key!r} but the path {key!r}; send it to its own path"
        )
    try:
        reference = Reference.model_validate(body.model_dump() | {"key": key})
    except ValidationError as error:
        raise UnprocessableError(f"invalid reference: {error.errors()[0]['msg']}") from None
    with transaction(engine_of(request)) as connection:
        save_override(connection, reference, actor=principal.name)
        override = stored_overrides(connection).get(key)
    return reference_read(reference, override)


@router.delete(
    "/benchmarks/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "the reference has no override"}},
)
def delete_reference(key: Key, request: Request, principal: Admin) -> Response:
    """Reset a reference to the shipped entry (or remove a reference an admin added)."""
    with transaction(engine_of(request)) as connection:
        deleted = delete_override(connection, key, actor=principal.name)
    if not deleted:
        shipped = any(r.key == key for r in shipped_references())
        raise NotFoundError(
            f"reference {key!r} is the shipped one already; nothing to reset"
            if shipped
            else f"no reference {key!r}; GET /api/v1/benchmarks lists them",
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
