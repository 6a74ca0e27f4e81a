"""The Benchmarks page: each objective beside its own history and the industry references.

Readers see, per agreement and objective, the latest period against the previous period, the
trailing 3 and 12 periods and the same period a year ago, and the external figures that apply,
each with its source and year. Admins edit a reference in a form (stored as an override of
the shipped entry) or reset it to the shipped entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from slawatch.comparisons.history import Average, Comparison
from slawatch.comparisons.industry import (
    KEY_PATTERN,
    Reference,
    ReferenceProblemError,
    effective_references,
    objective_comparisons,
    shipped_references,
)
from slawatch.formatting import change_text, figure_text, value_text
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import current_agreements
from slawatch.store.benchmarks import (
    Override,
    comparison_results,
    delete_override,
    save_override,
    stored_overrides,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.web.deps import Admin, Reader, engine_of
from slawatch.web.errors import NotFoundError
from slawatch.web.pages.home import objective_url
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
Key = Annotated[str, Path(min_length=1, max_length=100, pattern=KEY_PATTERN)]
UNITS = {
    "percent": N_("percent"),
    "hours": N_("hours"),
    "minutes": N_("minutes"),
    "count": N_("count"),
}
METHODS = {"pooled": N_("pooled"), "mean": N_("mean")}
FIELDS = {  # form field → its label, for messages
    "value": N_("Value"),
    "low": N_("Low"),
    "high": N_("High"),
    "unit": N_("Unit"),
    "author": N_("Author"),
    "source_title": N_("Title of the source"),
    "publication": N_("Publication"),
    "year": N_("Year"),
    "url": N_("Web address"),
    "note": N_("Note"),
}
PYDANTIC_FIELDS = {"source.title": "source_title"}


def _edit_url(key: str) -> str:
    return f"/benchmarks/references/{quote(key)}"


def reference_view(
    reference: Reference, override: Override | None, t: Translator
) -> dict[str, Any]:
    """Build what the page shows of a reference, in the reader's language where it has one."""
    shipped = any(r.key == reference.key for r in shipped_references())
    return {
        "key": reference.key,
        "title": reference.text("title", t.language),
        "measure": reference.text("measure", t.language),
        "note": reference.text("note", t.language),
        "figure": figure_text(reference.figure, t),
        "source": reference.source,
        "edited": override is not None,
        "shipped": shipped,
        "updated_by": override.updated_by if override else None,
        "updated_at": (zoned_text(override.updated_at, "UTC", t) if override else None),
        "edit_url": _edit_url(reference.key),
    }


def _row(
    name: str,
    average: Average,
    objective: Mapping[str, Any],
    comparison: Comparison,
    t: Translator,
) -> dict[str, Any]:
    difference = (
        comparison.value - average.value
        if comparison.value is not None and average.value is not None
        else None
    )
    single = len(average.labels) == 1
    basis = (
        average.labels[0]
        if single
        else t.gettext(
            "%(with_data)s of %(periods)s periods, %(method)s",
            with_data=average.periods,
            periods=len(average.labels),
            method=t.gettext(METHODS[average.method]),
        )
    )
    return {
        "name": t.gettext(name),
        "basis": basis if average.labels else "–",
        "value": value_text(objective, average.value, t),
        "difference": change_text(objective, difference, t),
    }


def comparison_rows(
    comparison: Comparison, objective: Mapping[str, Any], t: Translator
) -> list[dict[str, Any]]:
    """Return the table rows of one comparison: the period, then each earlier figure."""
    return [
        {
            "name": t.gettext("This period"),
            "basis": comparison.period,
            "value": value_text(objective, comparison.value, t),
            "difference": "",
        },
        _row(N_("Previous period"), comparison.previous, objective, comparison, t),
        _row(N_("Last 3 periods"), comparison.trailing_3, objective, comparison, t),
        _row(N_("Last 12 periods"), comparison.trailing_12, objective, comparison, t),
        _row(N_("Same period a year ago"), comparison.year_ago, objective, comparison, t),
    ]


@router.get("/benchmarks", response_class=HTMLResponse)
def benchmarks_page(request: Request, principal: Reader) -> HTMLResponse:
    """Show every objective beside its history and the references that apply to it."""
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        agreements = current_agreements(connection)
        overrides = stored_overrides(connection)
        rows = {s.id: comparison_results(connection, s.id) for s in agreements}
    in_force = effective_references({k: o.reference for k, o in overrides.items()})
    views = {r.key: reference_view(r, overrides.get(r.key), t) for r in in_force}
    cards = []
    for stored in agreements:
        periods = [(row.period, row.objectives) for row in rows[stored.id]]
        objectives = []
        for objective_id, comparison, references in objective_comparisons(
            stored.agreement, periods, in_force
        ):
            definition = stored.agreement.objectives[objective_id]
            # The comparison table formats values like the objective's JSON says it is.
            shape = {"kind": comparison.kind, "op": definition.target.op.value}
            objectives.append(
                {
                    "id": objective_id,
                    "title": definition.title,
                    "url": objective_url(stored.id, objective_id),
                    "rows": comparison_rows(comparison, shape, t),
                    "references": [views[r.key] for r in references],
                }
            )
        cards.append({"id": stored.id, "title": stored.title, "objectives": objectives})
    return render(
        request,
        "benchmarks/page.html",
        {"agreements": cards, "references": list(views.values())},
        principal,
    )


def _reference(key: str, overrides: Mapping[str, Override]) -> Reference:
    in_force = effective_references({k: o.reference for k, o in overrides.items()})
    for reference in in_force:
        if reference.key == key:
            return reference
    raise NotFoundError(f"no reference {key!r}; see /benchmarks")


def _form_values(reference: Reference) -> dict[str, str]:
    figure, source = reference.figure, reference.source
    return {
        "value": "" if figure.value is None else f"{figure.value:g}",
        "low": "" if figure.low is None else f"{figure.low:g}",
        "high": "" if figure.high is None else f"{figure.high:g}",
        "unit": figure.unit,
        "author": source.author,
        "source_title": source.title,
        "publication": source.publication,
        "year": str(source.year),
        "url": source.url,
        "note": reference.note,
    }


def _edit_form(
    request: Request,
    principal: Principal,
    reference: Reference,
    override: Override | None,
    values: dict[str, str],
    problems: list[str],
    *,
    code: int = 200,
) -> HTMLResponse:
    t = page_translator(request, principal)
    return render(
        request,
        "benchmarks/edit.html",
        {
            "reference": reference_view(reference, override, t),
            "values": values,
            "units": [(unit, t.gettext(name)) for unit, name in UNITS.items()],
            "problems": problems,
        },
        principal,
        status_code=code,
    )


@router.get("/benchmarks/references/{key}", response_class=HTMLResponse)
def edit_page(key: Key, request: Request, principal: Admin) -> HTMLResponse:
    """Show the form to edit a reference's figure, source and note."""
    with read_transaction(engine_of(request)) as connection:
        overrides = stored_overrides(connection)
    reference = _reference(key, overrides)
    return _edit_form(
        request, principal, reference, overrides.get(key), _form_values(reference), []
    )


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", ".")
    return float(cleaned) if cleaned else None


def edited_reference(
    reference: Reference, values: Mapping[str, str], t: Translator
) -> tuple[Reference | None, list[str]]:
    """Apply the form to a reference; return it, or None and the problems in the reader's words."""
    problems = []
    numbers: dict[str, float | None] = {}
    for name in ("value", "low", "high"):
        try:
            numbers[name] = _number(values.get(name, ""))
        except ValueError:
            problems.append(t.gettext("%(field)s: enter a number", field=t.gettext(FIELDS[name])))
    for name in ("author", "source_title", "publication", "url"):
        if not values.get(name, "").strip():
            problems.append(t.gettext("%(field)s: required", field=t.gettext(FIELDS[name])))
    year = values.get("year", "").strip()
    if not year.isdigit():
        problems.append(t.gettext("%(field)s: enter a year", field=t.gettext(FIELDS["year"])))
    if problems:
        return None, problems
    try:
        changed = reference.edited(
            figure={**numbers, "unit": values.get("unit", "")},
            source={
                "author": values.get("author", ""),
                "title": values.get("source_title", ""),
                "publication": values.get("publication", ""),
                "year": int(year),
                "url": values.get("url", ""),
            },
            note=values.get("note", ""),
        )
    except ValidationError as error:
        for problem in error.errors():
            location = tuple(str(part) for part in problem["loc"])
            field = PYDANTIC_FIELDS.get(".".join(location[-2:]), location[-1] if location else "")
            label = t.gettext(FIELDS[field]) if field in FIELDS else t.gettext("Figure")
            problems.append(f"{label}: {_problem_text(problem, t)}")
        return None, problems
    return changed, []


def _problem_text(problem: ErrorDetails, t: Translator) -> str:
    """One of pydantic's problems in the reader's language."""
    context = problem.get("ctx", {})
    match problem["type"]:
        case "value_error" if isinstance(cause := context.get("error"), ReferenceProblemError):
            return t.gettext(cause.template, **cause.values)
        case "greater_than_equal":
            return t.gettext("at least %(limit)s", limit=context["ge"])
        case "less_than_equal":
            return t.gettext("at most %(limit)s", limit=context["le"])
        case "string_too_short":
            return t.gettext("at least %(count)s characters", count=context["min_length"])
        case "string_too_long":
            return t.gettext("at most %(count)s characters", count=context["max_length"])
        case "literal_error":
            return t.gettext("choose one of the offered values")
    return str(problem["msg"]).removeprefix("Value error, ")


@router.post(
    "/benchmarks/references/{key}",
    response_class=HTMLResponse,
    response_model=None,
    dependencies=[Depends(form_csrf)],
)
async def save_edit(
    key: Key, request: Request, principal: Admin
) -> HTMLResponse | RedirectResponse:
    """Store the form as an override of the reference; show the form again if it is wrong."""
    form = await request.form()
    values = {name: str(form.get(name, ""))[:5000] for name in FIELDS}
    engine = engine_of(request)
    with read_transaction(engine) as connection:
        overrides = stored_overrides(connection)
    reference = _reference(key, overrides)
    changed, problems = edited_reference(reference, values, page_translator(request, principal))
    if changed is None:
        return _edit_form(
            request,
            principal,
            reference,
            overrides.get(key),
            values,
            problems,
            code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    with transaction(engine) as connection:
        save_override(connection, changed, actor=principal.name)
    return RedirectResponse(
        f"/benchmarks#reference-{key}", status.HTTP_303_SEE_OTHER, headers=NO_STORE
    )


@router.post(
    "/benchmarks/references/{key}/reset",
    response_class=RedirectResponse,
    dependencies=[Depends(form_csrf)],
)
def reset(key: Key, request: Request, principal: Admin) -> RedirectResponse:
    """Delete the admin's override: the shipped entry applies again."""
    with transaction(engine_of(request)) as connection:
        deleted = delete_override(connection, key, actor=principal.name)
    if not deleted:
        raise NotFoundError(f"reference {key!r} has no edit to reset; see /benchmarks")
    return RedirectResponse(
        f"/benchmarks#reference-{key}", status.HTTP_303_SEE_OTHER, headers=NO_STORE
    )
