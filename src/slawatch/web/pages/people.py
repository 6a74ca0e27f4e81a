"""The person page: what one owner has open across agreements, late first, and their team.

Everything comes from the directory and the stored clocks (store/owner_clocks.py); a request
never evaluates and never reads all items, so the page costs the same with a million leads.
An owner id that the directory does not know still gets its page, named by the id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from slawatch.engine.clock_states import state_at
from slawatch.engine.instants import from_us
from slawatch.formatting import clock_state_text, time_left_text
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.clock_lists import ClockRow
from slawatch.store.db import read_transaction
from slawatch.store.directory import Person, people_by_key, person, team_members, team_of
from slawatch.store.owner_clocks import finished_clocks, open_items
from slawatch.web.deps import NO_NUL, Now, Reader, engine_of
from slawatch.web.pages.home import item_url, objective_url
from slawatch.web.pages.templating import page_translator, render

router = APIRouter(tags=["pages"], include_in_schema=False)
OPEN_LIMIT = 100
FINISHED_LIMIT = 20
FINISHED_DAYS = 7
DAY_US = 86_400_000_000
PersonKey = Annotated[str, Path(min_length=1, max_length=300, pattern=NO_NUL)]


def person_url(key: str) -> str:
    return f"/people/{quote(key, safe='')}"


def _instant(us: int, zone: str, t: Translator) -> tuple[str, str]:
    """Return an instant as the tables show it (to the minute, in the zone) and in ISO."""
    moment = from_us(us, dt.UTC)
    local = moment.astimezone(ZoneInfo(zone))
    day = format_date(local, "medium", locale=t.locale)
    text = f"{day} {format_time(local, 'short', locale=t.locale)}"
    return text, moment.isoformat().replace("+00:00", "Z")


def clock_line(
    clock: ClockRow, by_id: dict[str, StoredAgreement], t: Translator, *, now: int
) -> dict[str, Any]:
    """Return one clock as the person page's tables show it, its state as of now."""
    stored = by_id.get(clock.agreement_id)
    zone = stored.agreement.timezone if stored is not None else "UTC"
    definition = stored.agreement.objectives.get(clock.objective) if stored else None
    state, _ = state_at(
        clock.state,
        clock.since,
        stopped_at=clock.stopped_at,
        deadline=clock.deadline,
        warn_at=clock.warn_at,
        now=now,
    )
    line: dict[str, Any] = {
        "item": clock.external_id,
        "item_url": item_url(clock.source, clock.external_id),
        "agreement": stored.title if stored is not None else clock.agreement_id,
        "agreement_url": f"/agreements/{quote(clock.agreement_id)}",
        "objective": definition.title if definition is not None else clock.objective,
        "objective_url": objective_url(clock.agreement_id, clock.objective),
        "state": state,
        "state_text": clock_state_text(state, t),
        "deadline": None,
        "left": t.gettext("suspended while paused"),
        "live": False,
    }
    if clock.deadline is not None:
        line["deadline"], line["deadline_iso"] = _instant(clock.deadline, zone, t)
        line["left"] = time_left_text((clock.deadline - now) / 1_000_000, t)
        line["live"] = clock.stopped_at is None and state != "paused"
    if clock.stopped_at is not None:
        line["stopped"], line["stopped_iso"] = _instant(clock.stopped_at, zone, t)
    return line


def _person_view(found: Person, names: dict[str, Person]) -> dict[str, Any]:
    manager = names.get(found.manager) if found.manager else None
    return {
        "key": found.key,
        "name": found.name,
        "email": found.email,
        "team": found.team,
        "party": found.party,
        "manager": found.manager,
        "manager_name": manager.name if manager is not None else found.manager,
        "manager_url": person_url(found.manager) if found.manager else None,
    }


def people_links(persons: Sequence[Person]) -> list[dict[str, str]]:
    return [{"name": p.name, "key": p.key, "url": person_url(p.key)} for p in persons]


@router.get("/people/{key:path}", response_class=HTMLResponse)
def person_page(key: PersonKey, request: Request, principal: Reader, now: Now) -> HTMLResponse:
    """Show one owner's open items with deadlines, late first, recent finishes and team."""
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        found = person(connection, key)
        opened, counts = open_items(connection, key, now=now, limit=OPEN_LIMIT)
        since = now - FINISHED_DAYS * DAY_US
        finished = finished_clocks(connection, key, since=since, now=now, limit=FINISHED_LIMIT)
        if found is None and not opened and not finished:
            return render(request, "people/missing.html", {"key": key}, principal, status_code=404)
        by_id = {stored.id: stored for stored in current_agreements(connection)}
        team = team_of(connection, found.team) if found is not None and found.team else []
        managed = team_members(connection, key)
        names = people_by_key(connection, [found.manager] if found and found.manager else [])
    context = {
        "key": key,
        "person": _person_view(found, names) if found is not None else None,
        "counts": counts,
        "open": [clock_line(clock, by_id, t, now=now) for clock in opened],
        "open_limit": OPEN_LIMIT,
        "finished": [clock_line(clock, by_id, t, now=now) for clock in finished],
        "finished_days": FINISHED_DAYS,
        "team": people_links([member for member in team if member.key != key]),
        "managed": people_links(managed),
    }
    return render(request, "people/person.html", context, principal)
