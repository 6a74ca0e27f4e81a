"""Who a message goes to: the tier's contact, its routes and its party's, else mail, else none."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from slawatch.alerts.channels import mail_url
from slawatch.alerts.recipients import Recipient, contact_at_tier, recipients_for
from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from tests.alerts.test_notify import HOOK, route

SMTP = "mailto://smtp.example.com?from=slawatch@example.com"
CONTACTS = ("lena@example.com", "tom@example.com")


@pytest.mark.parametrize(
    ("tier", "contact"), [(0, CONTACTS[0]), (1, CONTACTS[0]), (3, CONTACTS[1])]
)
def test_a_tier_reaches_its_contact_or_the_last_one_when_there_are_fewer(tier: int, contact: str):
    assert contact_at_tier(CONTACTS, tier) == contact


def test_a_party_without_contacts_has_nobody_at_any_tier():
    assert contact_at_tier((), 2) is None


def test_routes_of_the_contact_and_its_party_come_first_each_url_once(engine: Engine):
    route(engine, "lena@example.com", HOOK, "de")
    route(engine, "acme:sales", HOOK)
    with transaction(engine) as connection:
        found = recipients_for(
            connection, "lena@example.com", "acme:sales", Settings(smtp_url=SMTP)
        )
    assert found == [Recipient("lena@example.com", HOOK, "de")]


def test_without_routes_a_contact_gets_mail_in_the_users_language(engine: Engine):
    with transaction(engine) as connection:
        create_user(connection, "lena@example.com", "a long password 1", "viewer", "de")
        found = recipients_for(connection, "lena@example.com", None, Settings(smtp_url=SMTP))
    assert found == [Recipient("lena@example.com", mail_url(SMTP, "lena@example.com"), "de")]


def test_without_a_route_or_mail_the_message_has_nowhere_to_go(engine: Engine):
    with transaction(engine) as connection:
        found = recipients_for(connection, None, "acme:sales", Settings(smtp_url=SMTP))
    assert found == [Recipient("acme:sales", "", "en")]
