"""The My alerts page: in English and German, saved choices kept, a refused one explained."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web import test_preferences_api as api
from tests.web.test_access_matrix import log_in

client = api.client
cheap_hashing = api.cheap_hashing


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_the_page_says_tier_two_breaches_cannot_be_turned_off(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    page = client.get("/preferences", headers=headers)
    assert page.status_code == 200
    assert "Breaches at tier 2 and 3 always go at once" in page.text
    assert 'href="/preferences"' in page.text  # linked from the user menu
    assert 'id="mode-warn"' in page.text
    assert 'id="mode-evaluation_failing"' not in page.text  # admins' alerts, not a viewer's
    german = client.get(
        "/preferences", headers=headers | {"Cookie": headers["Cookie"] + "; slawatch_lang=de"}
    ).text
    assert "Verletzungen auf Stufe 2 und 3 gehen immer sofort hinaus" in german
    assert "<h1>Meine Meldungen</h1>" in german


def test_a_saved_choice_is_shown_again(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    page = client.get("/preferences", headers=headers).text
    saved = client.post(
        "/preferences",
        headers=headers,
        data={
            "csrf_token": csrf(page),
            "mode_warn": "off",
            "quiet_hours": "never",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/preferences?saved=1"
    shown = client.get("/preferences?saved=1", headers=headers).text
    assert "Your alert preferences are saved." in shown
    assert re.search(
        r'name="mode_warn">\s*<option value="now" >[^<]*</option>'
        r'<option value="digest" >[^<]*</option><option value="off" selected>',
        shown,
    )
    assert '<option value="never" selected>' in shown
    assert 'id="daily-summary" name="daily_summary" value="on" >' in shown


def test_a_refused_choice_is_explained_on_the_page(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    page = client.get("/preferences", headers=headers).text
    refused = client.post(
        "/preferences",
        headers=headers,
        data={"csrf_token": csrf(page), "mode_warn": "sometimes"},
    )
    assert refused.status_code == 422
    assert (
        "This choice cannot be saved: triggers.warn: &#39;sometimes&#39; is not a mode"
        in refused.text
    )
