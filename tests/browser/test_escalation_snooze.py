"""Snoozing an escalation with a reason from its page, in Chromium."""

from __future__ import annotations

from slawatch.engine.instants import to_us
from slawatch.store.db import make_engine, transaction
from slawatch.store.escalations import NewEscalation, open_escalation
from tests.browser.conftest import AS_OF, Site, Tab


def breached_period(site: Site) -> int:
    """Open an escalation of a breached period on the server's database."""
    engine = make_engine(site.database)
    with transaction(engine) as connection:
        escalation_id = open_escalation(
            connection,
            NewEscalation(
                agreement_id="marketing-sales",
                objective="conversion",
                subject="period:browser-snooze",
                trigger="period_breached",
                party="sales",
                opened_at=to_us(AS_OF),
                next_step_at=None,
                detail={"status": "breached"},
                period="browser-snooze",
            ),
        )
    engine.dispose()
    assert escalation_id is not None
    return escalation_id


def test_an_editor_snoozes_an_escalation_with_a_reason(tab: Tab, site: Site) -> None:
    escalation_id = breached_period(site)
    tab.log_in()
    tab.goto(f"/escalations/{escalation_id}")
    tab.page.click("form[action$='/snooze'] button[type=submit]")  # no reason: the browser asks
    assert tab.page.locator("#snooze-reason:invalid").count() == 1
    tab.page.fill("#snooze-for", "2h")
    tab.page.fill("#snooze-reason", "waiting for the month's late invoices")
    tab.page.click("form[action$='/snooze'] button[type=submit]")
    tab.settle("snoozed")
    text = tab.page.inner_text("main")
    assert "Snoozed until" in text and "waiting for the month's late invoices" in text
    assert "Snoozed" in tab.page.inner_text("ol.timeline")
    assert tab.errors == []
