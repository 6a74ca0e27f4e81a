"""The start page: every agreement's current standing, from stored results.

A plain overview until the dashboard arrives: each agreement with its latest period's
objectives and their status, linked to the report API. It never evaluates on a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction
from slawatch.store.results import stored_results
from slawatch.web.security import Permission, Principal, require
from slawatch.web.sessions import csrf_token

router = APIRouter(tags=["pages"])
reader = require(Permission.READ)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")


def _value(objective: dict[str, Any]) -> str:
    value = objective.get("value")
    if value is None:
        return "–"
    if objective.get("kind") == "count":
        return f"{value:g}"
    return f"{value * 100:.1f} %"


def _target(objective: dict[str, Any]) -> str:
    target = objective["target"]
    shown = f"{target:g}" if objective.get("kind") == "count" else f"{target * 100:g} %"
    return f"{objective['op']} {shown}"


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, principal: Principal = Depends(reader)) -> HTMLResponse:
    """Show every agreement's latest period (browsers without a session go to log in)."""
    cards = []
    with read_transaction(request.app.state.engine) as connection:
        for stored in current_agreements(connection):
            results = stored_results(connection, stored.agreement.id)
            latest = max(results, key=lambda r: r.period_start) if results else None
            objectives = latest.payload["periods"][0]["objectives"] if latest else []
            cards.append(
                {
                    "id": stored.agreement.id,
                    "title": stored.agreement.title,
                    "version": stored.version,
                    "period": latest.period if latest else None,
                    "objectives": [
                        {
                            "id": o["id"],
                            "owner": stored.agreement.parties[o["owner"]].name,
                            "value": _value(o),
                            "target": _target(o),
                            "status": o["status"],
                        }
                        for o in objectives
                    ],
                }
            )
    return templates.TemplateResponse(
        request,
        "home.html",
        {"cards": cards, "user": principal.name, "csrf_token": csrf_token(request)},
        headers={"Cache-Control": "no-store"},
    )
