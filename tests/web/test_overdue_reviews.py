"""An overdue review is flagged on the agreement page and the review page, not counted down."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from slawatch.engine.instants import to_us
from slawatch.web.pages import reviews
from tests.evaluation.support import save_template
from tests.web.support import set_now
from tests.web.test_agreement_pages import browser, page_app
from tests.web.test_credits_api import included

DECEMBER = to_us(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))
MARCH = to_us(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC))


def client_at(engine: Engine, instant: int, language: str | None = None):
    app = included(page_app(engine), reviews.router)
    set_now(app, instant)
    return browser(app, engine, "viewer", language)


def test_the_agreement_page_flags_a_review_overdue_since_april(engine: Engine):
    save_template(engine)  # quarterly from 1 January 2026, no review recorded
    page = client_at(engine, DECEMBER).get("/agreements/marketing-sales").text
    assert "Review overdue since Apr 1, 2026 (250 days)" in page
    assert 'href="/agreements/marketing-sales/reviews">Review overdue' in page


def test_the_review_page_says_overdue_beside_the_next_due_date(engine: Engine):
    save_template(engine)
    page = client_at(engine, DECEMBER).get("/agreements/marketing-sales/reviews").text
    assert "Overdue" in page and "Review overdue since Apr 1, 2026 (250 days)" in page
    assert "Next review due" in page  # 1 January 2027, still shown after the flag


def test_nothing_is_flagged_before_the_first_due_date(engine: Engine):
    save_template(engine)
    client = client_at(engine, MARCH)
    assert "overdue" not in client.get("/agreements/marketing-sales").text.lower()
    assert "Review overdue" not in client.get("/agreements/marketing-sales/reviews").text


def test_the_flag_speaks_german(engine: Engine):
    save_template(engine)
    page = client_at(engine, DECEMBER, "de").get("/agreements/marketing-sales").text
    assert "Überprüfung überfällig seit 01.04.2026 (250 Tage)" in page
