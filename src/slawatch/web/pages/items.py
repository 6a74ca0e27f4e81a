"""The item page: attributes, the event timeline, and every clock as a bar that explains itself.

The clocks come from `evaluation.item_clock`, their facts from `clock_texts` and their bars
from `clock_bars`; this module is the route.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from slawatch.engine.instants import from_us
from slawatch.evaluation.item_clock import ItemClock, measure_item
from slawatch.formatting import clock_state_text
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, versions_by_agreement
from slawatch.store.db import read_transaction
from slawatch.store.directory import person
from slawatch.store.incidents import windows_by_agreement
from slawatch.store.items import ItemDetail, item_detail
from slawatch.store.owner_clocks import OWNER
from slawatch.web.deps import ITEM_PATH, Now, Reader, engine_of, item_address
from slawatch.web.pages.clock_bars import clock_bar
from slawatch.web.pages.clock_texts import clock_facts, instant_text
from slawatch.web.pages.people import person_url
from slawatch.web.pages.templating import page_translator, render

router = APIRouter(tags=["pages"], include_in_schema=False)


def clock_view(clock: ItemClock, t: Translator, key: str) -> dict[str, Any]:
    return {
        "agreement": clock.stored.id,
        "agreement_title": clock.stored.agreement.title,
        "version": clock.stored.version,
        "objective": clock.objective.id,
        "title": clock.objective.title,
        "state": clock.state,
        "verdict": clock_state_text(clock.state, t),
        "facts": clock_facts(clock, t),
        "bar": clock_bar(clock, t, key),
    }


def owner_view(connection: Connection, detail: ItemDetail | None) -> dict[str, str] | None:
    """Return the item's owner: the name from the directory (else the id) and their page."""
    key = detail.attributes.get(OWNER) if detail is not None else None
    if not key:
        return None
    found = person(connection, key)
    return {"key": key, "name": found.name if found else key, "url": person_url(key)}


# -- the route -------------------------------------------------------------------------------


def _timeline_zone(
    detail: ItemDetail, versions: dict[str, list[StoredAgreement]], clocks: list[ItemClock]
) -> str:
    """Return the zone to show the events in: the first clock's agreement, else the source's."""
    if clocks:
        return clocks[0].zone
    same = versions.get(detail.source)
    return same[-1].agreement.timezone if same else "UTC"


@router.get(ITEM_PATH, response_class=HTMLResponse)
def item_page(
    source: str, external_id: str, request: Request, principal: Reader, now: Now
) -> HTMLResponse:
    """Show one item: attributes, events in time order and an explained bar per clock."""
    source, external_id = item_address(request, source, external_id)
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        # PostgreSQL refuses NUL in text; no stored id can contain one.
        unstorable = "\x00" in source or "\x00" in external_id
        detail = None if unstorable else item_detail(connection, source, external_id)
        versions = versions_by_agreement(connection) if detail is not None else {}
        incidents = windows_by_agreement(connection) if detail is not None else {}
        owner = owner_view(connection, detail)
    if detail is None:
        missing = {"source": source, "external_id": external_id}
        return render(request, "items/missing.html", missing, principal, status_code=404)
    as_of = now
    clocks = measure_item(detail, versions, as_of, incidents)
    zone = _timeline_zone(detail, versions, clocks)
    events = [
        {
            "at": instant_text(e.at, zone, t),
            "iso": from_us(e.at).isoformat(),
            "type": e.type,
            "received": instant_text(e.received_at, zone, t),
        }
        for e in detail.events
    ]
    context: dict[str, Any] = {
        "item": detail,
        "zone": zone,
        "as_of": instant_text(as_of, zone, t),
        "events": events,
        "clocks": [clock_view(c, t, f"clock-{i}") for i, c in enumerate(clocks)],
        "owner": owner,
    }
    return render(request, "items/item.html", context, principal)
