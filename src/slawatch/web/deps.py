"""Request-scoped dependencies and path parameters shared by the API routes and pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.wall_clock import now_us
from slawatch.web.security import Permission, Principal, require

# Who may call a route, as a parameter: `principal: Reader` admits anyone who may read.
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Ingester = Annotated[Principal, Depends(require(Permission.INGEST))]
Editor = Annotated[Principal, Depends(require(Permission.EDIT))]
Admin = Annotated[Principal, Depends(require(Permission.ADMIN))]


async def now() -> int:
    """Return the instant this request is answered at, in µs since the epoch.

    Handlers take it as a parameter (`now: Now`) instead of reading the wall clock, so one
    request sees one instant and a test sets the time by overriding this dependency. Async:
    it only reads the clock, so it runs on the event loop, not in a worker thread.
    """
    return now_us()


Now = Annotated[int, Depends(now)]

NO_NUL = r"^[^\x00]*$"  # PostgreSQL refuses NUL in text: a 422 here, not a failed query

# An agreement's id as the language allows it: lower-case words joined by hyphens.
AgreementId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="the agreement's id, e.g. marketing-sales",
    ),
]


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# An item's address: /items/{source}/{external_id}, each part percent-encoded. Both parameters
# are paths, so that a source beginning with an encoded slash still reaches the route.
ITEM_PATH = "/items/{source:path}/{external_id:path}"
_ITEMS = b"/items/"


def item_address(request: Request, source: str, external_id: str) -> tuple[str, str]:
    """Return the (source, id) an item's address names, split at its first unencoded slash.

    Links encode both parts, so a source `crm/eu` arrives as `crm%2Feu`; but the server decodes
    the path before routing, which would split it at the wrong slash. The raw path still tells
    an encoded slash from a separator. An id may also be sent with plain slashes (`a/b`): all
    that follows the source is the id.
    """
    raw: bytes = request.scope.get("raw_path") or b""
    at = raw.find(_ITEMS)
    if at < 0:
        return source, external_id
    raw_source, slash, raw_id = raw[at + len(_ITEMS) :].partition(b"/")
    if not slash:
        return source, external_id
    return _decoded(raw_source), _decoded(raw_id)


def suffixed_item_address(
    request: Request, source: str, external_id: str, suffix: str
) -> tuple[str, str] | None:
    """Return the (source, id) of an address that ends in `suffix` ("/story"), as `item_address`.

    None when the suffix's slash arrived encoded (`%2Fstory`): then it belongs to the id, and
    the address is the item's own page.
    """
    raw: bytes = request.scope.get("raw_path") or b""
    if _ITEMS not in raw:
        return source, external_id
    if not raw.endswith(suffix.encode()):
        return None
    found_source, found_id = item_address(request, source, external_id)
    return found_source, found_id.removesuffix(suffix)


def _decoded(part: bytes) -> str:
    return unquote_to_bytes(part).decode("utf-8", errors="replace")
