"""Owners of generated items: the people of the party whose clocks measure the item.

Leads go to the sales reps (the party owning speed-to-lead), requests to the marketing
contacts, tickets to the IT service desk, and so on. A party without named people gets
numbered agents. The draw uses its own random stream (from the seed and the item kind), so
adding owners changed no other column of a seeded file.
"""

from __future__ import annotations

import zlib

import numpy as np

from slawatch.agreements.model import Agreement
from slawatch.generate.flows import Flow

# Each party's people who own items, with their share of the items; a department head (the
# party's tier-2 contact) manages them. The demo directory names them (commands/directory.py).
OWNERS: dict[str, tuple[tuple[str, float], ...]] = {
    "sales": (("tom.berg", 0.35), ("sara.lind", 0.25), ("jonas.meier", 0.25), ("mia.schulz", 0.15)),
    "marketing": (("lena.koch", 0.45), ("paul.wagner", 0.35), ("emma.fischer", 0.2)),
    "it": (("servicedesk.lead", 0.3), ("lukas.hoffmann", 0.4), ("nina.becker", 0.3)),
    "hr": (("hr.servicecenter", 0.3), ("laura.weber", 0.4), ("tim.schaefer", 0.3)),
}
OWNER = "owner"  # the attribute, as CRM mappings name it
AGENTS = 3  # numbered owners of a party without named people


def flow_party(flow: Flow) -> str | None:
    """Return the party owning the flow's clocks, else its first objective's, else None."""
    measured = flow.clocks or flow.objectives
    return measured[0].owner if measured else None


def owner_pool(party: str) -> tuple[tuple[str, float], ...]:
    named = OWNERS.get(party)
    if named is not None:
        return named
    return tuple((f"{party}.agent{number}", 1 / AGENTS) for number in range(1, AGENTS + 1))


def draw_owners(agreement: Agreement, flow: Flow, n: int, seed: int) -> np.ndarray | None:
    """Return an owner key per item, or None for services (an outage has no owner)."""
    party = flow_party(flow)
    if flow.is_service or party is None or party not in agreement.parties:
        return None
    keys, weights = zip(*owner_pool(party), strict=True)
    rng = np.random.default_rng([seed, zlib.crc32(flow.kind.encode())])
    shares = np.array(weights) / sum(weights)
    return rng.choice(np.array(keys), size=n, p=shares)
