"""Who a message goes to and through which channel: routes first, else mail, else nowhere.

Escalation steps, failing-evaluation alerts and review reminders all address their contacts
here, so a contact is reached the same way whatever the message is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from slawatch.alerts.channels import mail_url
from slawatch.config import Settings
from slawatch.i18n import DEFAULT_LANGUAGE, supported
from slawatch.store.routes import routes_for
from slawatch.store.users import find_user


@dataclass(frozen=True)
class Recipient:
    """Where one message goes: the route's target (or the contact), its URL and language."""

    target: str
    url: str  # "" when there is nowhere to send it
    language: str


def contact_at_tier(contacts: Sequence[str], tier: int) -> str | None:
    """Return a party's contact for a tier (1-based): the last one if there are fewer."""
    if not contacts:
        return None
    return contacts[min(max(tier, 1), len(contacts)) - 1]


def recipients_for(
    connection: Connection, contact: str | None, party_target: str | None, settings: Settings
) -> list[Recipient]:
    """Return the routes of a contact and of its party, else mail to the contact, else none.

    The language is the route's, else that of the user with the contact's email, else English.
    A recipient without a URL stands for a message that cannot be sent (no route, no SMTP).
    """
    user = find_user(connection, contact) if contact else None
    fallback = supported(user.language if user else None) or DEFAULT_LANGUAGE
    targets = [t for t in (contact, party_target) if t]
    found: list[Recipient] = []
    for route in routes_for(connection, targets):
        if all(r.url != route.url for r in found):
            found.append(Recipient(route.target, route.url, supported(route.language) or fallback))
    if found:
        return found
    target = contact or party_target or ""
    if contact and settings.smtp_url:
        return [Recipient(contact, mail_url(settings.smtp_url, contact), fallback)]
    return [Recipient(target, "", fallback)]
