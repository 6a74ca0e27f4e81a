"""API routes: an objective's breakdown by owner, team or attribute, and its late clocks."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from slawatch.engine.breakdowns import GroupFigures, sort_groups
from slawatch.engine.instants import US, from_us
from slawatch.engine.kinds import clocked
from slawatch.evaluation.breakdowns import OWNER, BreakdownError, NotMeasuredError, late_now
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.db import read_transaction
from slawatch.web.deps import NO_NUL, AgreementId, Now, Reader, engine_of
from slawatch.web.errors import NotFoundError, UnprocessableError
from slawatch.web.pages.breakdowns import breakdowns_of, read_sort

router = APIRouter(tags=["breakdowns"])
ObjectiveId = Annotated[str, Path(min_length=1, max_length=100)]


class GroupRead(BaseModel):
    """One group's figures: for a ratio, `met` is the numerator and `items` the denominator."""

    group: str | None  # the owner, team or attribute value; null for the unnamed groups
    missing: str | None  # why unnamed: no_value, no_team, unknown_owner
    name: str | None  # an owner's name from the directory
    items: int
    value: float | None
    met: int
    breached: int
    pending: int
    at_risk: int
    median_seconds: int | None
    p90_seconds: int | None
    previous_value: float | None
    change: float | None


class BreakdownRead(BaseModel):
    agreement: str
    objective: str
    kind: str  # clock or ratio
    period: str
    previous_period: str | None
    version: int
    as_of: str
    by: str
    groupings: list[str]
    groups: list[GroupRead]
    total: GroupRead | None


class LateItemRead(BaseModel):
    source: str
    external_id: str
    period: str
    started_at: str
    deadline: str
    late: bool  # past the deadline; else at risk


class LateOwnerRead(BaseModel):
    owner: str | None  # null: items without an owner
    name: str | None
    late: int
    at_risk: int
    items: list[LateItemRead]


def _seconds(us: int | None) -> int | None:
    return None if us is None else us // US


def _group(group: GroupFigures, names: dict[str, str]) -> GroupRead:
    return GroupRead(
        group=None if group.missing else group.key,
        missing=group.missing,
        name=names.get(group.key),
        items=group.items,
        value=group.value,
        met=group.met,
        breached=group.breached,
        pending=group.pending,
        at_risk=group.at_risk,
        median_seconds=_seconds(group.median_us),
        p90_seconds=_seconds(group.p90_us),
        previous_value=group.previous,
        change=group.change,
    )


def _agreement(request: Request, agreement_id: str) -> StoredAgreement:
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        raise NotFoundError(f"no agreement {agreement_id!r}; list them at /api/v1/agreements")
    return stored


@router.get(
    "/agreements/{agreement_id}/objectives/{objective_id}/breakdown",
    responses={
        404: {"description": "no such agreement or objective, or no stored result for the period"},
        422: {"description": "a period label, grouping, sort column or order that is not one"},
    },
)
def read_breakdown(
    agreement_id: AgreementId,
    objective_id: ObjectiveId,
    request: Request,
    _principal: Reader,
    by: Annotated[
        str, Query(max_length=100, pattern=NO_NUL, description="owner, team or an attribute")
    ] = OWNER,
    period: Annotated[
        str, Query(max_length=20, pattern=NO_NUL, description="2026-10 …; default: the latest")
    ] = "",
    sort: Annotated[str, Query(max_length=20, pattern=NO_NUL)] = "group",
    order: Annotated[str, Query(max_length=4, pattern=NO_NUL)] = "asc",
) -> BreakdownRead:
    """Split one period of a clock or ratio objective into groups, with each group's figures."""
    stored = _agreement(request, agreement_id)
    try:
        with read_transaction(engine_of(request)) as connection:
            found = breakdowns_of(request.app).make(
                connection, stored, objective_id, by=by, period=period or None
            )
        column, descending = read_sort(found.measure, sort, order)
    except NotMeasuredError as error:
        raise NotFoundError(str(error)) from None
    except BreakdownError as error:
        raise UnprocessableError(str(error)) from None
    names = {key: person.name for key, person in found.names.items()}
    zone = ZoneInfo(stored.agreement.timezone)
    return BreakdownRead(
        agreement=found.agreement_id,
        objective=found.objective,
        kind=found.measure.value,
        period=found.period,
        previous_period=found.previous_period,
        version=found.version,
        as_of=from_us(found.as_of, zone).isoformat(),
        by=found.by,
        groupings=list(found.groupings),
        groups=[_group(g, names) for g in sort_groups(found.groups, column, descending=descending)],
        total=_group(found.total, {}) if found.total else None,
    )


@router.get(
    "/agreements/{agreement_id}/objectives/{objective_id}/late",
    responses={404: {"description": "no such agreement, or no clock objective of that id"}},
)
def read_late(
    agreement_id: AgreementId,
    objective_id: ObjectiveId,
    request: Request,
    _principal: Reader,
    now: Now,
    items: Annotated[int, Query(ge=0, le=1000, description="items listed per owner")] = 20,
) -> list[LateOwnerRead]:
    """List the running clocks past their deadline or at risk, by owner, the most late first."""
    stored = _agreement(request, agreement_id)
    objective = stored.agreement.objectives.get(objective_id)
    if objective is None or clocked(objective) is None:
        clocks = [key for key, o in stored.agreement.objectives.items() if clocked(o) is not None]
        raise NotFoundError(
            f"agreement {agreement_id!r} has no clock objective {objective_id!r}; its clock "
            f"objectives are {', '.join(clocks) or 'none'}"
        )
    zone = ZoneInfo(stored.agreement.timezone)
    with read_transaction(engine_of(request)) as connection:
        keeper = breakdowns_of(request.app)
        owners = late_now(connection, stored, objective_id, now=now, keeper=keeper)
    return [
        LateOwnerRead(
            owner=None if owner.owner.startswith("\x00") else owner.owner,
            name=owner.person.name if owner.person else None,
            late=owner.late,
            at_risk=owner.at_risk,
            items=[
                LateItemRead(
                    source=late.clock.source,
                    external_id=late.clock.external_id,
                    period=late.clock.period,
                    started_at=from_us(late.clock.started_at, zone).isoformat(),
                    deadline=from_us(late.clock.deadline, zone).isoformat(),
                    late=late.late,
                )
                for late in owner.clocks[:items]
            ],
        )
        for owner in owners
    ]
