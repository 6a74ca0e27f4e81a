"""The demo's approved correction: a test lead Marketing excluded and Sales approved.

It shows what the corrections page, the item page, the reports and the credits look like
with one, on an item that really was measured: the first lead handed over last month.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from slawatch.store.corrections import (
    CorrectionAction,
    CorrectionDraft,
    CorrectionRecord,
    decide,
    propose,
)
from slawatch.store.schema import events, items

AGREEMENT = "marketing-sales"
PROPOSER = "lena.koch@example.com"  # Marketing
APPROVER = "head.sales@example.com"  # Sales, an editor of the demo
HOUR = 3_600_000_000


def add_demo_correction(connection: Connection, *, since: int, now: int) -> CorrectionRecord | None:
    """Exclude the first lead handed over at or after `since` from speed-to-lead, approved.

    None when the demo has no such lead (an agreement without events).
    """
    found = connection.execute(
        select(events.c.item_id, items.c.external_id)
        .join(items, items.c.id == events.c.item_id)
        .where(items.c.source == AGREEMENT, events.c.type == "handed_over", events.c.at >= since)
        .order_by(events.c.at, events.c.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    draft = CorrectionDraft(
        AGREEMENT,
        CorrectionAction.EXCLUDE,
        int(found.item_id),
        f"{found.external_id} is a test lead from the CRM sandbox, not a real prospect",
        "CRM ticket SUP-4711: sandbox leads were synchronised by mistake",
        objective="speed-to-lead",
    )
    proposed = propose(connection, draft, actor=PROPOSER, now=now - 2 * HOUR, applies=False)
    return decide(
        connection,
        proposed.id,
        approved=True,
        actor=APPROVER,
        reason="Checked in the CRM: a sandbox lead.",
        now=now - HOUR,
    )
