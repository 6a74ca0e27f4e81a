"""The review pages: when the next review is due, past reviews, recording one, target history.

Recording a review freezes the figures it discussed; the form carries the current YAML, and
changing it there (with a date from which it applies) makes the next agreement version, so
the decision and the new targets are one step. The history of every target over time is one
chart: each objective's target per version, from the date that version came into force.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.agreements import AgreementError, Limits
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import RetroactiveVersionError
from slawatch.alerts.reviews import (
    CADENCE_NAMES,
    REMINDER_DAYS,
    next_due_date,
    record_review,
)
from slawatch.engine.instants import from_us
from slawatch.formatting import (
    number_text,
    status_text,
    target_text,
    threshold_text,
    value_text,
)
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, all_versions, get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reviews import Review, get_review, list_reviews
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader, settings_of
from slawatch.web.pages.agreements import missing_page, no_agreement
from slawatch.web.pages.credits import money
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.verdicts import review_notice
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
EARLIEST = dt.date(1970, 1, 1)


def target_history(
    versions: list[StoredAgreement], today: dt.date, t: Translator
) -> dict[str, Any] | None:
    """Return a Chart.js config of every objective's target per version, by effective date.

    Versions are in force from their effective date (a later version with the same date
    replaces the earlier one), so each line steps at a date and holds until the next; the
    last point is today. Shares use the left axis in %, counts the right one.
    """
    in_force: dict[dt.date, StoredAgreement] = {}
    for stored in sorted(versions, key=lambda v: (v.effective, v.version)):
        in_force[stored.effective] = stored
    if not in_force:
        return None
    dates = sorted(in_force)
    shown = [*dates, today] if today > dates[-1] else dates
    datasets: dict[str, dict[str, Any]] = {}
    for position, day in enumerate(shown):
        stored = in_force[max(d for d in dates if d <= day)]
        for objective in stored.agreement.objectives.values():
            target = objective.target
            dataset = datasets.setdefault(
                objective.id,
                {
                    "label": objective.title or objective.id,
                    "data": [None] * len(shown),
                    "stepped": "after",
                    "yAxisID": "share" if target.share else "count",
                },
            )
            dataset["data"][position] = (
                round(target.value * 100, 4) if target.share else target.value
            )
    axes = {d["yAxisID"] for d in datasets.values()}
    scales: dict[str, Any] = {}
    if "share" in axes:
        scales["share"] = {
            "type": "linear",
            "position": "left",
            "title": {"display": True, "text": t.gettext("Target in %")},
        }
    if "count" in axes:
        scales["count"] = {
            "type": "linear",
            "position": "right",
            "title": {"display": True, "text": t.gettext("Target as a number")},
            "grid": {"drawOnChartArea": "share" not in axes},
        }
    labels = [t.date(day) for day in shown]
    if shown[-1] not in in_force:
        labels[-1] = t.gettext("today")
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": list(datasets.values())},
        "options": {"scales": scales, "plugins": {"legend": {"position": "bottom"}}},
    }


def _target_cell(value: float | None, axis: str, t: Translator) -> str:
    """Write a target of the chart's table: a share as written (99.95%), a count as a number."""
    if value is None:
        return "–"
    if axis == "share":
        return threshold_text({"share": True}, value / 100, t)
    return number_text(value, t, 2)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def review_row(review: Review, t: Translator) -> dict[str, Any]:
    return {
        "id": review.id,
        "held_on": t.date(review.held_on),
        "participants": ", ".join(review.participants),
        "decision": _first_line(review.decisions),
        "version": review.version,
    }


def _today(stored: StoredAgreement, now: int) -> dt.date:
    return from_us(now, ZoneInfo(stored.agreement.timezone)).date()


def _page(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    *,
    now: int,
    form: dict[str, str] | None = None,
    errors: list[str] | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    with read_transaction(request.app.state.engine) as connection:
        versions = all_versions(connection, stored.id)
        found = list_reviews(connection, stored.id)
    t = page_translator(request, principal)
    agreement = stored.agreement
    today = _today(stored, now)
    due = next_due_date(agreement, today=today)
    chart = target_history(versions, today, t)
    table = None
    if chart is not None:
        table = {
            "labels": chart["data"]["labels"],
            "rows": [
                (d["label"], [_target_cell(v, d["yAxisID"], t) for v in d["data"]])
                for d in chart["data"]["datasets"]
            ],
        }
    context = {
        "agreement_id": stored.id,
        "title": agreement.title,
        "cadence": t.gettext(CADENCE_NAMES[agreement.review]) if agreement.review else None,
        "due": t.date(due) if due is not None else None,
        "days_left": (due - today).days if due is not None else None,
        "overdue": review_notice(agreement, [r.held_on for r in found], today, t),
        "reminder_days": REMINDER_DAYS,
        "reviews": [review_row(r, t) for r in found],
        "chart": chart,
        "table": table,
        "form": form or {"held_on": today.isoformat(), "yaml": stored.yaml},
        "errors": errors or [],
        "problems": problems or [],
        "here": "reviews",
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors or problems else status.HTTP_200_OK
    return render(request, "reviews/list.html", context, principal, status_code=code)


@router.get("/agreements/{agreement_id}/reviews", response_class=HTMLResponse)
def reviews_page(
    agreement_id: AgreementId, request: Request, principal: Reader, now: Now
) -> HTMLResponse:
    """Show the next due date, the reviews held, the target history and the review form."""
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    return _page(request, principal, stored, now=now)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _check(
    stored: StoredAgreement, form: dict[str, str], t: Translator, limits: Limits, now: int
) -> tuple[list[str], list[dict[str, Any]], dt.date | None, str | None, dt.date | None]:
    """Read the review form: errors to show, YAML problems, and what to record."""
    errors: list[str] = []
    held_on = _date(form["held_on"])
    if held_on is None or held_on < EARLIEST:
        errors.append(t.gettext("Give the day the review was held."))
    elif held_on > _today(stored, now):
        errors.append(t.gettext("The review is dated in the future; record it once it was held."))
    if not [p for p in form["participants"].splitlines() if p.strip()]:
        errors.append(t.gettext("Name at least one participant, one per line."))
    yaml_text = form["yaml"].replace("\r\n", "\n")
    changed = (
        yaml_text.strip() != "" and yaml_text.strip() != stored.yaml.replace("\r\n", "\n").strip()
    )
    effective = _date(form["effective"]) if form["effective"].strip() else None
    problems: list[dict[str, Any]] = []
    if changed:
        if effective is None:
            errors.append(t.gettext("Say from which day the changed agreement applies."))
        try:
            parsed = parse_agreement(yaml_text, source=f"{stored.id}.yaml", limits=limits)
        except AgreementError as error:
            problems = [
                {"line": p.line, "field": p.field, "message": p.message, "hint": p.hint}
                for p in error.problems
            ]
        else:
            if parsed.id != stored.id:
                errors.append(
                    t.gettext(
                        "The YAML is of agreement %(other)s, not of this one.", other=parsed.id
                    )
                )
            elif effective is not None and effective < _today(stored, now):
                errors.append(
                    t.gettext(
                        "New targets from %(date)s would change closed periods: a review's "
                        "version applies from today (%(today)s) or later. An admin can save "
                        "a retroactive version in the editor.",
                        date=t.date(effective),
                        today=t.date(_today(stored, now)),
                    )
                )
    return errors, problems, held_on, yaml_text if changed else None, effective


@router.post(
    "/agreements/{agreement_id}/reviews",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def record_from_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    held_on: Annotated[str, Form(max_length=40)] = "",
    participants: Annotated[str, Form(max_length=20_000, pattern=NO_NUL)] = "",
    notes: Annotated[str, Form(max_length=50_000, pattern=NO_NUL)] = "",
    decisions: Annotated[str, Form(max_length=50_000, pattern=NO_NUL)] = "",
    yaml: Annotated[str, Form(max_length=1_000_000, pattern=NO_NUL)] = "",
    effective: Annotated[str, Form(max_length=40)] = "",
) -> HTMLResponse | RedirectResponse:
    """Record a review from the form; changed YAML becomes the next version from `effective`."""
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    form = {
        "held_on": held_on,
        "participants": participants,
        "notes": notes,
        "decisions": decisions,
        "yaml": yaml,
        "effective": effective,
    }
    t = page_translator(request, principal)
    limits = settings_of(request).agreement_limits()
    errors, problems, day, yaml_text, in_force = _check(stored, form, t, limits, now)
    if errors or problems or day is None:
        return _page(
            request, principal, stored, now=now, form=form, errors=errors, problems=problems
        )
    try:
        review = _record(
            request, principal, agreement_id, form, day, yaml_text, in_force, limits=limits, now=now
        )
    except RetroactiveVersionError as error:  # the day turned since the check
        return _page(
            request, principal, stored, now=now, form=form, errors=[str(error)], problems=[]
        )
    if review.version is not None:
        request.app.state.after_ingest()
    return RedirectResponse(
        f"/agreements/{agreement_id}/reviews/{review.id}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


def _record(
    request: Request,
    principal: Principal,
    agreement_id: str,
    form: dict[str, str],
    day: dt.date,
    yaml_text: str | None,
    in_force: dt.date | None,
    *,
    limits: Limits,
    now: int,
) -> Review:
    with transaction(request.app.state.engine) as connection:
        current = get_version(connection, agreement_id)
        assert current is not None  # agreements are never deleted
        return record_review(
            connection,
            current,
            held_on=day,
            participants=[p.strip() for p in form["participants"].splitlines() if p.strip()],
            notes=form["notes"],
            decisions=form["decisions"],
            actor=principal.name,
            now=now,
            yaml_text=yaml_text,
            effective=in_force,
            limits=limits,
        )


def snapshot_view(snapshot: dict[str, Any], t: Translator, zone: str = "UTC") -> dict[str, Any]:
    """Return the frozen figures of a review as the page shows them."""
    periods = [
        {
            "period": period["period"],
            "version": period.get("version"),
            "objectives": [
                {
                    "title": objective.get("title", objective["id"]),
                    "value": value_text(objective, objective.get("value"), t),
                    "target": target_text(objective, t),
                    "status": objective["status"],
                    "status_text": status_text(objective["status"], t),
                }
                for objective in period.get("objectives", [])
            ],
        }
        for period in snapshot.get("periods", [])
    ]
    credits = [
        {
            "period": credit["period"],
            "party": credit["party"],
            "amount": money(credit["amount"], credit["currency"], t),
            "changed": credit.get("changed_after_issue", False),
        }
        for credit in snapshot.get("credits", [])
    ]
    taken = snapshot.get("taken_at")
    return {
        "taken_at": zoned_text(dt.datetime.fromisoformat(taken), zone, t) if taken else "",
        "periods": periods,
        "credits": credits,
    }


@router.get("/agreements/{agreement_id}/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    agreement_id: AgreementId,
    review_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    request: Request,
    principal: Reader,
) -> HTMLResponse:
    """Show one review: who, what was decided, and the figures as they were then."""
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
        review = get_review(connection, agreement_id, review_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    t = page_translator(request, principal)
    if review is None:
        message = t.gettext(
            "Agreement %(id)s has no review %(review)s.", id=agreement_id, review=review_id
        )
        return missing_page(request, principal, message, agreement_id=agreement_id)
    zone = ZoneInfo(stored.agreement.timezone)
    context = {
        "agreement_id": agreement_id,
        "title": stored.agreement.title,
        "review": review,
        "held_on": t.date(review.held_on),
        "recorded": zoned_text(review.created_at, zone.key, t),
        "snapshot": snapshot_view(review.snapshot, t, zone.key),
        "here": "reviews",
    }
    return render(request, "reviews/detail.html", context, principal)
