"""Alert preferences: each recipient's mode per trigger, quiet hours and daily summary.

A recipient is a contact's email (stored lower-cased). A recipient without rows has the
defaults of `alerts/preferences.py`; saving writes every given trigger, so a page and the API
replace choices rather than merge them by accident. Each change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, insert, select

from slawatch.alerts.preferences import Choices
from slawatch.store import audit
from slawatch.store.schema import alert_preferences, alert_recipients


def choices_of(connection: Connection, recipient: str) -> Choices:
    """Return a recipient's choices; the defaults for anyone who never chose."""
    p, r = alert_preferences.c, alert_recipients.c
    key = recipient.strip().lower()
    modes = dict(connection.execute(select(p.trigger, p.mode).where(p.recipient == key)).all())
    row = connection.execute(
        select(r.quiet_hours, r.daily_summary).where(r.recipient == key)
    ).first()
    if row is None:
        return Choices(modes=modes)
    return Choices(modes=modes, quiet_hours=row.quiet_hours, daily_summary=bool(row.daily_summary))


def save_choices(
    connection: Connection,
    recipient: str,
    choices: Choices,
    *,
    actor: str,
    now: int,
) -> Choices:
    """Replace a recipient's choices with `choices` (already checked); return them as stored."""
    p, r = alert_preferences.c, alert_recipients.c
    key = recipient.strip().lower()
    connection.execute(delete(alert_preferences).where(p.recipient == key))
    if choices.modes:
        connection.execute(
            insert(alert_preferences),
            [
                {"recipient": key, "trigger": t, "mode": m, "updated_at": now, "updated_by": actor}
                for t, m in sorted(choices.modes.items())
            ],
        )
    connection.execute(delete(alert_recipients).where(r.recipient == key))
    connection.execute(
        insert(alert_recipients).values(
            recipient=key,
            quiet_hours=choices.quiet_hours,
            daily_summary=choices.daily_summary,
            updated_at=now,
            updated_by=actor,
        )
    )
    audit.record(
        connection,
        actor=actor,
        action="alert_preferences.save",
        subject=f"recipient:{key}",
        modes=dict(choices.modes),
        quiet_hours=choices.quiet_hours,
        daily_summary=choices.daily_summary,
    )
    return choices_of(connection, key)


def summary_choices(connection: Connection, recipients: list[str]) -> Mapping[str, bool]:
    """Return who of `recipients` turned the daily summary off (False) or on (True)."""
    r = alert_recipients.c
    if not recipients:
        return {}
    rows = connection.execute(
        select(r.recipient, r.daily_summary).where(r.recipient.in_(recipients))
    )
    return {recipient: bool(flag) for recipient, flag in rows}
