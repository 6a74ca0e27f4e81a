"""The database schema, as SQLAlchemy Core tables; Alembic migrations create it.

Instants are BIGINT microseconds since the epoch (UTC), like the engine's columns, so loading
events into the engine needs no conversion. Events are append-only: no UPDATE or DELETE
touches them, and (item, type, at) is unique, so a retried batch changes nothing.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("title", Text, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

agreement_versions = Table(
    "agreement_versions",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("yaml", Text, nullable=False),
    Column("effective", Date, nullable=False),
    Column("author", String(320), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("agreement_id", String(100), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("party", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("contacts", JSON, nullable=False),
    ForeignKeyConstraint(
        ["agreement_id", "version"],
        ["agreement_versions.agreement_id", "agreement_versions.version"],
    ),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("kind", String(100)),
    # {attribute: [value, at µs]}: the latest non-empty value by event instant wins.
    Column("attributes", JSON, nullable=False),
    UniqueConstraint("source", "external_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, ForeignKey("items.id"), nullable=False),
    Column("type", String(100), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("idempotency_key", String(200), unique=True),
    Column("received_at", BigInteger, nullable=False),
    UniqueConstraint("item_id", "type", "at"),
)
Index("ix_events_type_at", events.c.type, events.c.at)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("language", String(10)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", BigInteger, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("scope", String(20), nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger),
    Column("revoked_at", BigInteger),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_audit_log_subject", audit_log.c.subject, audit_log.c.at)

imports = Table(
    "imports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("filename", Text, nullable=False),
    Column("mapping", String(50), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# Stored evaluation results: the `evaluate` JSON of each agreement and period, kept current
# by the background evaluator; pages and the report API read these, never evaluate.
results = Table(
    "results",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("period", String(20), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("period_start", BigInteger, nullable=False),
    Column("period_end", BigInteger, nullable=False),
    Column("as_of", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False),
)

# One row per agreement: what needs recomputing and who is doing it. Any replica claims the
# work with a conditional UPDATE on the lease, so it runs exactly once.
evaluation_state = Table(
    "evaluation_state",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("wanted", BigInteger, nullable=False),  # bumped by every change (events, versions)
    Column("done", BigInteger, nullable=False),  # the `wanted` value the stored results reflect
    Column("last_event_id", BigInteger, nullable=False),
    Column("computed_at", BigInteger),
    Column("lease_owner", String(100)),
    Column("lease_until", BigInteger),
)
