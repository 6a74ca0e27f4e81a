"""The event types the stored agreements use: what imports, batches and the store are checked by.

Events in the store are not bound to one agreement, so a type counts as used when an objective
of any stored agreement (its current version) reads it. With no agreement stored there is
nothing to compare with, and nothing is reported.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement
from slawatch.engine.vocabulary import (
    UnusedName,
    Vocabulary,
    missing_attributes,
    unused_names,
    used_event_types,
    where_attributes,
)
from slawatch.expiring import Expiring
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.db import read_transaction
from slawatch.store.vocabulary import (
    attribute_names,
    attributes_present,
    event_counts,
    event_types,
)

MAX_AGE_SECONDS = 5.0
PAGE_MAX_AGE_SECONDS = 60.0  # counting a million unused events costs a few hundred ms


def stored_used_types(connection: Connection) -> frozenset[str] | None:
    """Return the types the current agreements use, or None when no agreement is stored."""
    stored = current_agreements(connection)
    if not stored:
        return None
    return frozenset().union(*(used_event_types(s.agreement) for s in stored))


def unused_types(types: Iterable[str], used: frozenset[str] | None) -> list[UnusedName]:
    """Count the types of an input and return those no objective uses (none without `used`)."""
    if used is None:
        return []
    return unused_names(Counter(types), used)


class UsedTypes:
    """The stored agreements' event types, kept per process and re-read every few seconds.

    A batch of events is checked on every request; reading and parsing the agreements each
    time would cost a query per request. A new version shows here within `max_age` seconds
    in every process (at once in the one that saved it, through `forget`).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self._kept: Expiring[None, frozenset[str] | None] = Expiring(max_age=max_age, clock=clock)

    def _read(self) -> frozenset[str] | None:
        with read_transaction(self.engine) as connection:
            return stored_used_types(connection)

    def current(self) -> frozenset[str] | None:
        return self._kept.get(None, self._read)

    def forget(self) -> None:
        """Re-read on the next call: an agreement was saved."""
        self._kept.forget()


def stored_vocabulary(connection: Connection, agreement: Agreement) -> Vocabulary:
    """Return the stored event types no stored agreement uses, and `agreement`'s lost attributes.

    Only the unused types are counted, and the attribute names of every item are read only
    when a `where:` attribute is not found at once: a page showing this stays cheap on a
    large store while everything is in order.
    """
    used = (stored_used_types(connection) or frozenset()) | used_event_types(agreement)
    unused = [name for name in event_types(connection) if name not in used]
    named = where_attributes(agreement)
    carried = attributes_present(connection, named)
    if len(carried) < len(named):
        carried |= attribute_names(connection)
    return Vocabulary(
        unused_event_types=tuple(unused_names(event_counts(connection, unused), used)),
        unused_where_attributes=tuple(missing_attributes(named, carried)),
    )


class StoredVocabularies:
    """Each agreement version's `stored_vocabulary`, kept per process for `max_age` seconds.

    The agreement page shows it on every view; counting the events of an unused type that
    has a million of them takes a few hundred milliseconds, so a page shows counts up to
    `max_age` seconds old.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_age: float = PAGE_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self._kept: Expiring[tuple[str, int], Vocabulary] = Expiring(max_age=max_age, clock=clock)

    def of(self, stored: StoredAgreement) -> Vocabulary:
        def read() -> Vocabulary:
            with read_transaction(self.engine) as connection:
                return stored_vocabulary(connection, stored.agreement)

        return self._kept.get((stored.id, stored.version), read)
