"""The editor's side of sealed history: why a save is refused, and what a retroactive one changes.

A retroactive version is shown before it is saved: every closed period whose value, status or
credit would change, old beside new. The confirmation carries a fingerprint of exactly what was
shown (text, date, reason), so a draft edited after the preview is previewed again, never saved
unseen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from slawatch.agreements.versions import RetroactiveProblem, RetroactiveVersionError
from slawatch.engine.results import ObjectiveResult
from slawatch.evaluation.retroactive import VersionPreview
from slawatch.formatting import status_text, value_text
from slawatch.i18n import Translator
from slawatch.web.pages.credits import money


def fingerprint(text: str, effective: dt.date, reason: str) -> str:
    """Return what a confirmation of a previewed retroactive save must repeat."""
    shown = "\0".join((text, effective.isoformat(), reason.strip()))
    return hashlib.sha256(shown.encode()).hexdigest()


def refusal(error: RetroactiveVersionError, today: dt.date, t: Translator) -> tuple[str, str]:
    """Return (field, message) for a refused in-force date, in the reader's language."""
    if error.problem is RetroactiveProblem.PAST_DATE:
        return "effective", t.gettext(
            "%(date)s lies before today (%(today)s): a version in force from a past day would "
            "change closed periods. Leave “In force from” empty (in force from today) or give "
            "today or a later day, and keep the YAML's effective: as it was; an admin can save "
            "it as a retroactive version with a reason.",
            date=t.date(error.effective),
            today=t.date(today),
        )
    if error.problem is RetroactiveProblem.NO_REASON:
        return "reason", t.gettext(
            "A retroactive version needs a reason: say why closed periods are judged again."
        )
    return "retroactive", t.gettext(
        "“Retroactive” needs an in-force date in the past; untick it or give the past day."
    )


def only_admins(t: Translator) -> str:
    return t.gettext(
        "Only an admin may save a retroactive version; leave “In force from” empty or ask an admin."
    )


def _side(objective: ObjectiveResult | None, t: Translator) -> dict[str, str]:
    if objective is None:
        return {"value": "–", "status": "", "status_text": t.gettext("not measured")}
    return {
        "value": value_text(objective, objective.value, t),
        "status": objective.status.value,
        "status_text": status_text(objective.status.value, t),
    }


def preview_view(preview: VersionPreview, titles: dict[str, str], t: Translator) -> dict[str, Any]:
    """Return the preview as the editor shows it: periods, objectives and credits, old and new."""

    def owed(amount: str | None, currency: str) -> str:
        return "–" if amount is None else money(amount, currency, t)

    return {
        "effective": t.date(preview.effective),
        "periods": preview.periods,
        "objectives": [
            {
                "period": change.period,
                "title": titles.get(change.objective, change.objective),
                "before": _side(change.before, t),
                "after": _side(change.after, t),
            }
            for change in preview.objectives
        ],
        "credits": [
            {
                "period": change.period,
                "party": change.party,
                "before": owed(change.before, change.currency),
                "after": owed(change.after, change.currency),
            }
            for change in preview.credits
        ],
    }
