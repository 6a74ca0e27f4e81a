"""What a page says about an agreement whose evaluation is failing.

The overview and the agreement page show the same sentence, so a reader knows the figures
they see are frozen, since when, and why: the figures stay those of the last success.
"""

from __future__ import annotations

from slawatch.i18n import Translator
from slawatch.store.health import Health
from slawatch.web.pages.zones import zoned_text


def failure_notice(health: Health | None, zone: str, t: Translator) -> str | None:
    """Say when the shown results are from and since when the evaluation fails; None if it works."""
    if health is None or health.failing_since is None:
        return None
    since = zoned_text(health.failing_since, zone, t)
    error = health.last_error or "–"
    if health.last_success_at is None:
        return t.gettext(
            "No results: evaluation failing since %(since)s: %(error)s", since=since, error=error
        )
    return t.gettext(
        "Results are from %(when)s; evaluation failing since %(since)s: %(error)s",
        when=zoned_text(health.last_success_at, zone, t),
        since=since,
        error=error,
    )
