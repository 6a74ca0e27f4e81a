"""The service-credit page: statements per period and party, revisions flagged, accepted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.evaluation.credits import issue_statements
from slawatch.store.agreements import save_version
from slawatch.store.credits import issued_statement, issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.pages import credits
from tests.evaluation.test_credits import (
    AGREEMENT,
    LATER,
    evaluated_and_stated,
    late_leads_in_april,
)
from tests.web.support import set_now
from tests.web.test_credits_api import included
from tests.web.test_reviews_pages import PASSWORD, csrf

PAGE = f"/agreements/{AGREEMENT}/credits"
ACCEPT = f"{PAGE}/2026-04/sales/accept-revision"


def browser(engine: Engine, role: str = "admin", language: str | None = None) -> TestClient:
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    app = included(create_app(Settings(demo=True), engine), credits.router)
    set_now(app, LATER)  # the year to date is LATER's year
    client = TestClient(app)
    token = csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def revised(engine: Engine) -> None:
    evaluated_and_stated(engine)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)


def test_statements_are_listed_latest_period_first_with_what_each_party_owes(engine: Engine):
    evaluated_and_stated(engine)
    page = browser(engine, "viewer").get(PAGE)
    assert page.status_code == 200
    sections = re.findall(r'<section id="period-([^"]+)"', page.text)
    assert sections == ["2026-06", "2026-05", "2026-04", "2026-03", "2026-02", "2026-01"]
    expanded = re.findall(r'<h2 id="heading-([^"]+)"', page.text)
    assert expanded == ["2026-05", "2026-04", "2026-02"]  # the periods that owe something
    april = page.text.split('id="period-2026-04"')[1].split("</section>")[0]
    assert "owed in total: €750.00" in april
    assert "owes €500.00" in april and "owes €250.00" in april
    assert "tier 1 (5% of the fee)" in april and "≥ 95%" in april
    assert "Changed after issue" not in page.text


def test_a_revision_is_flagged_with_its_differences_and_only_admins_can_accept(engine: Engine):
    revised(engine)
    viewer = browser(engine, "viewer").get(PAGE).text
    assert "Changed after issue" in viewer
    assert "would owe €1,000.00" in viewer
    assert "What the revision changes" in viewer and "tier reached" in viewer
    assert "accept-revision" not in viewer
    admin = browser(engine).get(PAGE).text
    assert f'action="{ACCEPT}"' in admin
    assert f'name="revision" value="{LATER}"' in admin


def test_an_admin_accepts_a_revision_from_the_page(engine: Engine):
    revised(engine)
    client = browser(engine)
    token = csrf(client.get(PAGE).text)
    answer = client.post(
        ACCEPT, data={"csrf_token": token, "revision": str(LATER)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PAGE}?accepted=1#period-2026-04"
    with read_transaction(engine) as connection:
        april = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert april is not None and str(april.amount) == "1000.00" and april.revised is None
    page = client.get(answer.headers["location"]).text
    assert "The revision was accepted and issued." in page


def test_a_revision_that_moved_on_is_not_accepted_and_the_page_says_so(engine: Engine):
    revised(engine)
    client = browser(engine)
    token = csrf(client.get(PAGE).text)
    answer = client.post(ACCEPT, data={"csrf_token": token, "revision": "1"})
    assert answer.status_code == 200 and "no longer pending" in answer.text
    with read_transaction(engine) as connection:
        april = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert april is not None and april.revised is not None


def test_accepting_needs_the_csrf_token(engine: Engine):
    revised(engine)
    client = browser(engine)
    client.get(PAGE)
    forged = client.post(ACCEPT, data={"csrf_token": "forged", "revision": str(LATER)})
    assert forged.status_code == 403


def test_the_page_speaks_german(engine: Engine):
    revised(engine)
    page = browser(engine, "viewer", "de").get(PAGE).text
    assert "Nach Ausstellung geändert" in page and "schuldet 500,00" in page


def test_agreements_without_credits_or_statements_say_why(engine: Engine):
    client = browser(engine, "viewer")
    assert client.get("/agreements/nothing/credits").status_code == 404
    with transaction(engine) as connection:
        save_version(connection, template_text("hr-requests"), author="t", reason="first")
        save_version(connection, template_text(AGREEMENT), author="t", reason="first")
    assert "has no service credits" in client.get("/agreements/hr-requests/credits").text
    assert "No statements yet" in client.get(PAGE).text


def test_the_page_starts_with_this_years_totals_per_party(engine: Engine):
    evaluated_and_stated(engine)
    page = browser(engine, "viewer").get(PAGE).text
    summary = page.split('class="credit-summary"')[1].split("</section>")[0]
    assert "Year to date, 2026" in summary
    rows = dict(re.findall(r'<th scope="row">(\w+)</th>(.*?)</tr>', summary))
    owed = {party: re.findall(r">([^<]*€[^<]*)<", cells) for party, cells in rows.items()}
    with read_transaction(engine) as connection:
        stated = issued_statements(connection, AGREEMENT)
    sales = sum(s.amount for s in stated if s.party == "sales")
    marketing = sum(s.amount for s in stated if s.party == "marketing")
    assert owed["Sales"] == [f"€{sales:,.2f}", f"€{marketing:,.2f}"]
    assert owed["Marketing"] == [f"€{marketing:,.2f}", f"€{sales:,.2f}"]
    assert page.index("Year to date") < page.index('id="period-2026-06"')


def test_statements_without_an_amount_fold_into_one_line(engine: Engine):
    evaluated_and_stated(engine)
    page = browser(engine, "viewer").get(PAGE).text
    folded = re.findall(r'<details class="quiet-periods">\s*<summary>([^<]*)</summary>', page)
    assert folded == [
        "1 period with nothing owed: 2026-06",
        "1 period with nothing owed: 2026-03",
        "1 period with nothing owed: 2026-01",
    ]
    april = page.split('id="period-2026-04"')[1].split("</section>")[0]
    assert '<details class="quiet-statement">' not in april or "owes €0.00" in april
