"""The agreement page lists stored event types and `where:` attributes that nothing uses."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from tests.evaluation.support import save_template, store_example_events
from tests.web.test_agreement_pages import DOCUMENT, browser, page_app

T0 = 1_790_000_000_000_000


def notice(page: str) -> str:
    found = re.search(
        r'<section class="notice no-print"[^>]*id="unused-names">(.*?)</section>', page, re.S
    )
    assert found, "no notice of unused names"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def store_typos(engine: Engine) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [EventIn("crm", f"L-{n}", "contaced", T0 + n) for n in range(1_234)]
            + [EventIn("crm", "L-1", "qualifed", T0)],
        )


def test_stored_types_no_objective_uses_are_listed_with_counts_and_a_suggestion(
    engine: Engine,
) -> None:
    save_template(engine)
    store_example_events(engine)
    store_typos(engine)
    with browser(page_app(engine), engine, "viewer") as client:
        text = notice(client.get(DOCUMENT).text)
    assert "contaced (1,234 events): did you mean contacted?" in text
    assert "qualifed (1 event): did you mean qualified?" in text
    assert "created (1,067 events)" in text  # the example's own extra type, with no guess
    assert "created (1,067 events):" not in text
    assert text.index("created") < text.index("qualifed")  # most frequent first


def test_a_where_attribute_no_stored_item_has_is_listed_with_the_closest_one(
    engine: Engine,
) -> None:
    save_template(engine, replace=("where: {kind: lead}", "where: {kind: lead, regoin: east}"))
    store_example_events(engine)
    with browser(page_app(engine), engine, "viewer") as client:
        text = notice(client.get(DOCUMENT).text)
    assert "regoin (qualified-leads): did you mean region?" in text


def test_the_notice_is_in_german_for_a_german_reader(engine: Engine) -> None:
    save_template(engine)
    store_typos(engine)
    with browser(page_app(engine), engine, "viewer", "de") as client:
        text = notice(client.get(DOCUMENT).text)
    assert "Namen in den Daten, die nichts verwendet" in text
    assert "contaced (1.234 Ereignisse): meinten Sie contacted?" in text


def test_no_notice_while_every_stored_name_is_used(engine: Engine) -> None:
    save_template(engine)
    with transaction(engine) as connection:
        store_events(connection, [EventIn("crm", "L-1", "contacted", T0, kind="lead")])
    with browser(page_app(engine), engine, "viewer") as client:
        page = client.get(DOCUMENT).text
    assert 'id="unused-names"' not in page
