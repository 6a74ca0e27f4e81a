"""Read the parties of an agreement and the contacts escalation notifies, tier by tier."""

from __future__ import annotations

import re
from typing import Any

from slawatch.agreements._walk import (
    At,
    Walk,
    each_entry,
    list_items,
    read_mapping,
    read_sequence,
    read_text,
    required_hint,
)
from slawatch.agreements.model import Party

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def read_parties(walk: Walk, value: Any, at: At, declared: set[str]) -> dict[str, Party]:
    mapping = read_mapping(walk, value, at, what="a mapping of party ids to parties")
    if mapping is None:
        return {}
    if not mapping.node:
        walk.problem(at, "needs at least one party", required_hint("parties"))
    parties: dict[str, Party] = {}
    for party_id, body, party_at in each_entry(walk, mapping, what="party id"):
        declared.add(party_id)
        before = len(walk.problems)
        name, contacts = _party_name(party_id), tuple[str, ...]()
        if body is not None:
            party = read_mapping(walk, body, party_at, known=("name", "contacts"))
            if party is None:
                continue
            if "name" in party:
                name = read_text(walk, party.get("name"), party.value_at("name")) or name
            if "contacts" in party:
                contacts = _contacts(walk, party.get("contacts"), party.value_at("contacts"))
        if len(walk.problems) == before:
            parties[party_id] = Party(id=party_id, name=name, contacts=contacts)
    return parties


def _party_name(identifier: str) -> str:
    """Default party name: it → IT, hr → HR, business-unit → Business Unit."""
    if len(identifier) <= 2:
        return identifier.upper()
    return identifier.replace("-", " ").title()


def _contacts(walk: Walk, value: Any, at: At) -> tuple[str, ...]:
    seq = read_sequence(walk, value, at, what="a list of e-mail addresses (tier 1, 2, 3)")
    if seq is None:
        return ()
    if len(seq) > 3:
        walk.problem(
            at,
            f"lists {len(seq)} contacts, at most 3 are used",
            "tier 1 employee, tier 2 department head, tier 3 management",
        )
    contacts: list[str] = []
    for _, item, item_at in list_items(seq, at):
        email = read_text(walk, item, item_at)
        if email is not None and not EMAIL.fullmatch(email):
            walk.problem(item_at, f'"{email}" is not an e-mail address', "write name@example.com")
        elif email is not None:
            contacts.append(email)
    return tuple(contacts)
