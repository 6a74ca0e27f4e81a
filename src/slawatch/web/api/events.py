"""API routes: events in, one or a batch, acknowledged only after their commit.

How each element is checked is in `event_batch`; here the body is split into elements, the
batch is stored in one transaction and answered with its counts.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

from slawatch.ingest.limits import AttributeLimits
from slawatch.ingest.vocabulary import UsedTypes, unused_types
from slawatch.metrics import record_ingest
from slawatch.store.db import transaction
from slawatch.store.events import DEFAULT_SOURCE, EventColumns, EventIn, store_events
from slawatch.web.api.event_batch import (
    EXAMPLE_AT,
    LIMITS,
    EventError,
    Unreadable,
    check_elements,
    plain_columns,
)
from slawatch.web.deps import Ingester, engine_of, settings_of
from slawatch.web.errors import BadRequestError, ContentTooLargeError

router = APIRouter(tags=["events"])

MAX_JSON_DEPTH = 1_024  # orjson's own limit: deeper documents are refused while parsing
JSON_LINES = ("application/x-ndjson", "application/jsonl", "application/json-lines", "text/plain")


class UnusedEventType(BaseModel):
    """An event type of the batch that no objective of any stored agreement reads."""

    type: str
    count: int
    did_you_mean: str | None


class EventsStored(BaseModel):
    """`accepted + duplicate + rejected` is the number of elements sent.

    `unused_event_types` lists the types of the valid elements that no objective of any stored
    agreement uses (they are stored all the same): a typo such as `contaced` shows here. The
    key is left out when there are none.
    """

    accepted: int
    duplicate: int
    rejected: int
    errors: list[EventError]
    unused_event_types: list[UnusedEventType] = []


def used_types_of(request: Request) -> UsedTypes:
    """Return the process's view of the types the stored agreements use."""
    state = request.app.state
    used: UsedTypes | None = getattr(state, "used_types", None)
    if used is None:
        used = state.used_types = UsedTypes(engine_of(request))
    return used


_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["item", "type", "at"],
    "properties": {
        "item": {"type": "string", "description": "the item's id in its source"},
        "type": {"type": "string", "description": "what happened, e.g. qualified"},
        "at": {"type": "string", "description": f"ISO 8601 with offset, e.g. {EXAMPLE_AT}"},
        "kind": {"type": "string"},
        "source": {"type": "string", "default": DEFAULT_SOURCE},
        "idempotency_key": {"type": "string"},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": {"type": ["string", "number", "boolean"]},
}
_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [_EVENT_SCHEMA, {"type": "array", "items": _EVENT_SCHEMA}]}
            },
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def _elements(body: bytes, content_type: str) -> tuple[list[Any], bool]:
    """Split the body into elements; return them and whether it was one bare object."""
    if content_type in JSON_LINES:
        elements: list[Any] = []
        lines = [line for line in body.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            try:
                elements.append(orjson.loads(line))
            except (ValueError, RecursionError) as error:
                reason = _too_deep(error) or f"is not JSON: {error}"
                elements.append(Unreadable(f"line {index + 1} {reason}"))
        return elements, False
    try:
        # orjson parses a batch of 10,000 about five times faster than the standard library.
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "utf-8" in error.msg.lower():
            raise BadRequestError("the body is not UTF-8 text") from None
        if too_deep := _too_deep(error):
            raise BadRequestError(f"the body {too_deep}") from None
        raise BadRequestError(
            f"the body is not JSON: {error.msg} at line {error.lineno}, column {error.colno}; "
            "send an event object, an array of them, or JSON Lines as application/x-ndjson",
        ) from None
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, nesting too deep
        raise BadRequestError(f"the body cannot be read as events: {error}") from None
    if isinstance(document, list):
        return document, False
    return [document], True


def _too_deep(error: Exception) -> str | None:
    """Say what the parser's depth limit means for events, if that is what stopped it."""
    if isinstance(error, RecursionError) or "depth limit" in str(error):
        return (
            f"nests arrays or objects deeper than {MAX_JSON_DEPTH:,} levels (the limit); an "
            "event is one object of plain values with at most an `attributes` object inside"
        )
    return None


@router.post(
    "/events",
    response_model=EventsStored,
    openapi_extra=_OPENAPI,
    responses={
        400: {"description": "the body is not JSON"},
        413: {"description": "too many events or too large a body"},
        422: {"description": "every element was rejected; nothing was stored"},
        503: {"description": "the database takes no writes now; nothing was stored; retry"},
    },
)
async def post_events(request: Request, _principal: Ingester) -> Any:
    """Store one event or a batch (JSON array or JSON Lines); answer with the counts.

    Answers 200 once the valid elements are committed, with one error per rejected element;
    422 with the same body when every element was rejected (nothing was stored).
    """
    try:
        body = await request.body()
    except ClientDisconnect:
        raise BadRequestError("the client went away before sending the whole body") from None
    content_type = request.headers.get("content-type", "application/json")
    content_type = content_type.split(";")[0].strip().lower()
    settings = settings_of(request)
    engine = engine_of(request)
    used_types = used_types_of(request)

    def handle() -> EventsStored:
        started = time.perf_counter()
        elements, single = _elements(body, content_type)
        if len(elements) > settings.max_batch:
            raise ContentTooLargeError(
                f"the batch has {len(elements):,} events; send at most {settings.max_batch:,} "
                "per request",
            )
        header_key = request.headers.get("idempotency-key")
        if header_key is not None and (
            len(header_key) > LIMITS["idempotency_key"] or "\x00" in header_key
        ):
            raise BadRequestError("the Idempotency-Key header is longer than 200 characters")
        if header_key is not None and not single:
            raise BadRequestError(
                "the Idempotency-Key header applies to a single event; "
                "give each element of a batch its own idempotency_key",
            )
        limits = AttributeLimits.of(settings)
        events: EventColumns | list[EventIn] | None = plain_columns(elements, header_key, limits)
        errors: list[EventError] = []
        if events is None:
            checked = check_elements(elements, header_key, limits)
            events, errors = checked.events, checked.errors
        accepted = duplicates = 0
        unused: list[UnusedEventType] = []
        if len(events):
            # Read (rarely: cached) before storing, so a failing read never follows a commit.
            used = used_types.current()
            types = events.types if isinstance(events, EventColumns) else [e.type for e in events]
            unused = [UnusedEventType(**n.as_json()) for n in unused_types(types, used)]
            with transaction(engine) as connection:
                stored = store_events(connection, events)
            accepted, duplicates = stored.accepted, stored.duplicates
        record_ingest(accepted, duplicates, len(errors), time.perf_counter() - started)
        return EventsStored(
            accepted=accepted,
            duplicate=duplicates,
            rejected=len(errors),
            errors=errors,
            unused_event_types=unused,
        )

    result = await to_thread.run_sync(handle)
    if result.accepted:
        request.app.state.after_ingest()
    status = 422 if result.rejected and not (result.accepted or result.duplicate) else 200
    # The key appears only when there is something to report, so the answer to a batch that
    # uses known types stays exactly what it always was.
    unreported = None if result.unused_event_types else {"unused_event_types"}
    return JSONResponse(result.model_dump(exclude=unreported), status_code=status)
