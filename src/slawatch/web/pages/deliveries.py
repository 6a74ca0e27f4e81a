"""The admin deliveries page: every queued message, what became of it, failures first in view.

Admins see here why a message did not arrive (no route, a rejected address, a webhook that
answers 500) and can send a failed one again once the cause is fixed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.alerts.channels import redacted
from slawatch.i18n import Translator
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import (
    FAILED,
    PENDING,
    STATUSES,
    Delivery,
    delivery_counts,
    list_deliveries,
    retry_delivery,
)
from slawatch.web.deps import Admin, Now
from slawatch.web.errors import ConflictError
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.zones import reader_zone, zoned_text
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
SHOWN = 200
STATUS_CLASSES = {PENDING: "at_risk", FAILED: "breached", "sent": "met"}


def _row(t: Translator, delivery: Delivery, zone: str) -> dict[str, Any]:
    def when(instant: int | None) -> str:
        return "" if instant is None else zoned_text(instant, zone, t)

    return {
        "id": delivery.id,
        "created": when(delivery.created_at),
        "recipient": delivery.recipient,
        "channel": redacted(delivery.url),
        "language": delivery.language,
        "title": delivery.title,
        "status": delivery.status,
        "status_class": STATUS_CLASSES.get(delivery.status, "no_data"),
        "attempts": delivery.attempts,
        "next_attempt": when(delivery.next_attempt_at) if delivery.status == PENDING else "",
        "sent": when(delivery.sent_at),
        "last_error": delivery.last_error or "",
        "escalation_id": delivery.escalation_id,
        "can_retry": delivery.status == FAILED and bool(delivery.url),
    }


@router.get("/admin/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    principal: Admin,
    status_filter: Annotated[str, Query(alias="status")] = "",
) -> HTMLResponse:
    """List the newest deliveries, of one status or all, with the counts of each."""
    chosen = status_filter if status_filter in STATUSES else None
    t = page_translator(request, principal)
    with read_transaction(request.app.state.engine) as connection:
        rows = list_deliveries(connection, status=chosen, limit=SHOWN)
        counts = delivery_counts(connection)
        zone = reader_zone(stored.agreement.timezone for stored in current_agreements(connection))
    return render(
        request,
        "deliveries/list.html",
        {
            "zone": zone,
            "rows": [_row(t, delivery, zone) for delivery in rows],
            "counts": counts,
            "chosen": chosen,
            "statuses": STATUSES,
            "shown": SHOWN,
        },
        principal,
    )


@router.post(
    "/admin/deliveries/{delivery_id}/retry",
    dependencies=[Depends(form_csrf)],
    response_class=RedirectResponse,
)
def retry(
    request: Request,
    principal: Admin,
    now: Now,
    delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> RedirectResponse:
    """Queue a failed delivery again, with a fresh set of attempts."""
    with transaction(request.app.state.engine) as connection:
        queued = retry_delivery(connection, delivery_id, actor=principal.name, now=now)
    if not queued:
        raise ConflictError(
            f"delivery {delivery_id} is not a failed delivery with a channel to retry",
        )
    return RedirectResponse("/admin/deliveries", status.HTTP_303_SEE_OTHER, headers=NO_STORE)
