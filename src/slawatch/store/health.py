"""Evaluation health: which agreements' evaluations fail, since when, and with what error.

A failure of one agreement's evaluation (bad data, a bug) is recorded here and the evaluator
moves on to the next agreement. The row is written in the transaction that gives the lease
back, so the lease never outlives a failure; the next refresh tries the agreement again, and
its first success ends the episode. Pages, /metrics and the escalation tick read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store.schema import evaluation_health, evaluation_state

MAX_ERROR = 2000  # characters of an error kept: enough for a message, never a whole dump


@dataclass(frozen=True)
class Health:
    """How an agreement's evaluation stands: failing since when and why, and its last success."""

    agreement_id: str
    failing_since: int | None  # µs; None while the latest attempt succeeded
    failed_attempts: int
    last_error: str | None
    last_attempt_at: int | None
    recovered_at: int | None
    last_success_at: int | None  # µs; when results were last stored (evaluation_state)

    @property
    def failing(self) -> bool:
        return self.failing_since is not None


def error_text(error: BaseException) -> str:
    """Say what went wrong in one line: the exception's type and message, bounded."""
    message = str(error).replace("\x00", "").strip()  # PostgreSQL cannot store NUL in text
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _upsert(connection: Connection) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(evaluation_health)


def record_failure(
    connection: Connection, agreement_id: str, *, at: int, error: str, wanted: int
) -> None:
    """Record a failed attempt; the first of an episode sets `failing_since`."""
    h = evaluation_health.c
    statement = _upsert(connection).values(
        agreement_id=agreement_id,
        failing_since=at,
        failed_attempts=1,
        failed_wanted=wanted,
        last_error=error,
        last_attempt_at=at,
    )
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[h.agreement_id],
        set_={
            "failing_since": func.coalesce(h.failing_since, statement.excluded.failing_since),
            "failed_attempts": case((h.failing_since.is_(None), 1), else_=h.failed_attempts + 1),
            "failed_wanted": statement.excluded.failed_wanted,
            "last_error": statement.excluded.last_error,
            "last_attempt_at": statement.excluded.last_attempt_at,
        },
    )
    connection.execute(upsert)


def record_success(connection: Connection, agreement_id: str, *, at: int) -> bool:
    """End a failure episode, if one is open; True if the agreement has just recovered.

    A healthy agreement has no row or a row without `failing_since`: the UPDATE matches
    nothing, one primary-key probe per evaluation.
    """
    h = evaluation_health.c
    recovered = connection.execute(
        update(evaluation_health)
        .where(h.agreement_id == agreement_id, h.failing_since.is_not(None))
        .values(failing_since=None, failed_wanted=None, recovered_at=at, last_attempt_at=at)
    )
    return recovered.rowcount == 1


def _health_query() -> Any:
    s = evaluation_state.c
    return select(
        s.agreement_id,
        s.computed_at,
        evaluation_health.c.failing_since,
        evaluation_health.c.failed_attempts,
        evaluation_health.c.last_error,
        evaluation_health.c.last_attempt_at,
        evaluation_health.c.recovered_at,
    ).outerjoin(evaluation_health, evaluation_health.c.agreement_id == s.agreement_id)


def _health(row: Any) -> Health:
    return Health(
        agreement_id=row.agreement_id,
        failing_since=row.failing_since,
        failed_attempts=row.failed_attempts or 0,
        last_error=row.last_error,
        last_attempt_at=row.last_attempt_at,
        recovered_at=row.recovered_at,
        last_success_at=row.computed_at,
    )


def health_of(connection: Connection, agreement_id: str) -> Health | None:
    """Return an agreement's evaluation health; None for an agreement that does not exist."""
    row = connection.execute(
        _health_query().where(evaluation_state.c.agreement_id == agreement_id)
    ).first()
    return None if row is None else _health(row)


def all_health(connection: Connection) -> dict[str, Health]:
    """Return every agreement's evaluation health, by agreement id."""
    rows = connection.execute(_health_query().order_by(evaluation_state.c.agreement_id))
    return {row.agreement_id: _health(row) for row in rows}


def failing_agreements(connection: Connection) -> dict[str, Health]:
    """Return the agreements whose latest evaluation failed, by agreement id."""
    query = _health_query().where(evaluation_health.c.failing_since.is_not(None))
    return {row.agreement_id: _health(row) for row in connection.execute(query)}
