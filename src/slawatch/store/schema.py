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
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
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
    # A retroactive version governs from its effective day, even periods begun before its
    # save; any other later version only periods that begin after it was saved.
    Column("retroactive", Boolean, nullable=False, default=False, server_default=false()),
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

# The history of items' kinds and attributes: a row wherever an event set a value or changed
# it, so that an evaluation as of an earlier instant reads the values of that instant. Read
# as a long table (item, name, value, at) whatever the number of names. Derived from the
# events' payloads and only ever appended to, so no foreign key (it would slow ingestion).
item_attributes = Table(
    "item_attributes",
    metadata,
    Column("item_id", Id, primary_key=True),
    Column("name", String(1000), primary_key=True),  # "kind" for the item's kind
    Column("at", BigInteger, primary_key=True),
    Column("value", Text, nullable=False),
    sqlite_with_rowid=False,  # one b-tree, not a table and its key's index: half the writes
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

# How each agreement's evaluation went: a row appears with its first failure and stays, so
# the end of an episode (`recovered_at`) is kept too. `failing_since` is NULL while the latest
# attempt succeeded; the last success itself is `evaluation_state.computed_at`.
evaluation_health = Table(
    "evaluation_health",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("failing_since", BigInteger),  # the first failed attempt of the current episode
    Column("failed_attempts", Integer, nullable=False),  # in the current (or last) episode
    Column("failed_wanted", BigInteger),  # the change number the latest failed attempt tried
    Column("last_error", Text),
    Column("last_attempt_at", BigInteger, nullable=False),
    Column("recovered_at", BigInteger),  # when the last episode ended
)

# Every item clock of every clock objective as the background evaluator last saw it. Written
# as a diff (only rows whose state, deadline or stop changed), so a batch of new events costs
# rows in proportion to the batch. Pages read it for the at-risk queue and the item lists; the
# alert triggers read its state changes.
item_clocks = Table(
    "item_clocks",
    metadata,
    # Derived data without foreign keys: they would more than double the cost of storing a
    # million clocks on PostgreSQL, and neither agreements nor items are ever deleted.
    Column("agreement_id", String(100), primary_key=True),
    Column("objective", String(100), primary_key=True),
    Column("item_id", Id, primary_key=True),
    Column("period", String(20), nullable=False),  # label of the period the clock started in
    Column("started_at", BigInteger, nullable=False),
    Column("stopped_at", BigInteger),
    Column("deadline", BigInteger),  # NULL when suspended (paused before any deadline)
    Column("warn_at", BigInteger),  # the warning point; NULL without `warn:`
    Column("elapsed_us", BigInteger, nullable=False),  # working time at `as_of`
    Column("paused_us", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),  # met | breached | paused | at_risk | running
    Column("since", BigInteger, nullable=False),  # when the current state began
    Column("as_of", BigInteger, nullable=False),  # the evaluation instant of this row
)
Index("ix_item_clocks_state_deadline", item_clocks.c.state, item_clocks.c.deadline)
Index(  # an objective's item list, newest first
    "ix_item_clocks_objective_started",
    item_clocks.c.agreement_id,
    item_clocks.c.objective,
    item_clocks.c.started_at,
)
Index(
    "ix_item_clocks_objective_period_state",
    item_clocks.c.agreement_id,
    item_clocks.c.objective,
    item_clocks.c.period,
    item_clocks.c.state,
)

# A closed or running period's breakdown figures, one row per grouping (owner, team or an
# attribute), written by the evaluator in the transaction that writes the period's clocks.
# Grouping "" holds the period's total and the attribute names its items carry. A team row
# names the directory it was grouped with (`directory`): after a directory change it is not
# read until the evaluator groups again.
period_breakdowns = Table(
    "period_breakdowns",
    metadata,
    Column("agreement_id", String(100), primary_key=True),
    Column("objective", String(100), primary_key=True),
    Column("period", String(20), primary_key=True),
    Column("grouping", String(100), primary_key=True),
    Column("directory", String(64)),
    Column("digest", String(64)),  # a ratio's items and hits when grouped (total row)
    Column("figures", JSON, nullable=False),
)

# Named leases for background jobs that must run in one process at a time (escalation ticks,
# credit statements, review reminders): taken with a conditional UPDATE, like evaluation_state.
leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(100)),
    Column("until", BigInteger),
)

# An escalation: one per subject (an item clock or a period objective) and trigger. The unique
# key is what keeps a trigger from opening twice, also with several replicas.
escalations = Table(
    "escalations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agreement_id", String(100), ForeignKey("agreements.id"), nullable=False),
    Column("objective", String(100), nullable=False),
    Column("subject", String(300), nullable=False),  # "item:<item id>" or "period:<label>"
    Column("item_id", Id, ForeignKey("items.id")),
    Column("period", String(20)),
    Column("trigger", String(20), nullable=False),  # warn | breach | at_risk | period_breached
    Column("party", String(100), nullable=False),  # the owning party of the objective
    Column("opened_at", BigInteger, nullable=False),
    Column("tier", Integer, nullable=False),  # the highest tier notified so far
    Column("next_step_at", BigInteger),  # when the ladder climbs next; NULL when it cannot
    Column("acknowledged_at", BigInteger),
    Column("acknowledged_by", String(320)),
    Column("ack_comment", Text),
    Column("closed_at", BigInteger),
    Column("closed_by", String(320)),  # a user, or "slawatch" when the subject recovered
    Column("close_reason", String(20)),  # resolved | recovered
    Column("detail", JSON, nullable=False),  # the numbers at opening
    Column("snoozed_until", BigInteger),  # no notification before this instant
    Column("snoozed_by", String(320)),
    Column("snooze_reason", Text),
    UniqueConstraint("agreement_id", "objective", "subject", "trigger"),
)
Index("ix_escalations_open", escalations.c.closed_at, escalations.c.next_step_at)

# Since when the escalation tick has watched this database: whatever turned bad before is
# history, and opens no escalation (one row, "alerts").
alert_watch = Table(
    "alert_watch",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("since", BigInteger, nullable=False),
)

escalation_steps = Table(
    "escalation_steps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("escalation_id", Id, ForeignKey("escalations.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("action", String(20), nullable=False),  # opened | escalated | acknowledged | ...
    Column("tier", Integer),
    Column("actor", String(320), nullable=False),
    Column("comment", Text),
    UniqueConstraint("escalation_id", "action", "tier"),
)

# Where a contact (an email of an agreement's party) or a whole party is notified: apprise
# URLs, and the language of its messages. Without a route, a contact gets mail through the
# configured SMTP server.
notification_routes = Table(
    "notification_routes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("target", String(320), nullable=False),  # an email, or "<agreement>:<party>"
    Column("url", Text, nullable=False),  # an apprise URL
    Column("language", String(10)),
    Column("created_by", String(320), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# One row per message to send; `dedup_key` makes a second replica's insert of the same
# message a no-op, and the lease columns let one sender at a time attempt it.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dedup_key", String(400), nullable=False, unique=True),
    Column("escalation_id", Id, ForeignKey("escalations.id")),
    Column("recipient", String(320), nullable=False),
    Column("url", Text, nullable=False),
    Column("language", String(10), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(12), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("last_error", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger),
    Column("lease_owner", String(100)),
    Column("lease_until", BigInteger),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)

# Per-recipient delivery policy (alerts/preferences.py): each recipient's choice per trigger,
# their quiet hours and daily summary, and every message the policy let through or held back.
alert_preferences = Table(
    "alert_preferences",
    metadata,
    Column("recipient", String(320), nullable=False),  # a contact's email
    Column("trigger", String(40), nullable=False),  # breach | warn | … | review_reminder
    Column("mode", String(10), nullable=False),  # now | digest | off
    Column("updated_at", BigInteger, nullable=False),
    Column("updated_by", String(320), nullable=False),
    PrimaryKeyConstraint("recipient", "trigger"),
)
alert_recipients = Table(
    "alert_recipients",
    metadata,
    Column("recipient", String(320), primary_key=True),
    # objective (the calendar of what a message is about) | never | <agreement>/<calendar>
    Column("quiet_hours", String(220), nullable=False),
    Column("daily_summary", Boolean, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("updated_by", String(320), nullable=False),
)
alert_notices = Table(
    "alert_notices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dedup_key", String(400), nullable=False, unique=True),
    Column("recipient", String(320), nullable=False),
    Column("url", Text, nullable=False),
    Column("language", String(10), nullable=False),
    Column("trigger", String(40), nullable=False),
    Column("tier", Integer, nullable=False),
    Column("escalation_id", Id, ForeignKey("escalations.id")),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("zone", String(64), nullable=False),  # the recipient's zone for the daily summary
    Column("mode", String(10), nullable=False),  # now | digest
    Column("created_at", BigInteger, nullable=False),
    Column("release_at", BigInteger, nullable=False),  # not sent before (window, quiet hours)
    Column("delivery_id", Id, ForeignKey("deliveries.id")),  # NULL: a digest entry not yet sent
)
Index("ix_alert_notices_held", alert_notices.c.delivery_id, alert_notices.c.release_at)
Index("ix_alert_notices_recipient", alert_notices.c.recipient, alert_notices.c.created_at)

# A credit statement as issued for a closed period; a later change to that period's numbers
# is stored beside it (`revised`) and flagged, never applied over the issued one.
credit_statements = Table(
    "credit_statements",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("period", String(20), primary_key=True),
    Column("party", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("issued_at", BigInteger, nullable=False),
    Column("amount", String(40), nullable=False),  # a Decimal as text: exact cents
    Column("currency", String(10), nullable=False),
    Column("statement", JSON, nullable=False),
    Column("revised", JSON),  # the statement recomputed later, when it differs
    Column("revised_at", BigInteger),
    Column("revision_reason", Text),  # what moved the figures, e.g. the corrections that did
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agreement_id", String(100), ForeignKey("agreements.id"), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("participants", JSON, nullable=False),
    Column("snapshot", JSON, nullable=False),  # the stored results at the time, frozen
    Column("notes", Text, nullable=False),
    Column("decisions", Text, nullable=False),
    Column("version", Integer),  # the agreement version this review created, if any
    Column("created_by", String(320), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# Industry reference figures edited by an admin; the shipped data file is the default and a
# row here replaces the entry of the same key.
benchmark_references = Table(
    "benchmark_references",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("reference", JSON, nullable=False),
    Column("updated_by", String(320), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# The directory: the people named as items' owners (an event's `owner` attribute holds their
# key), with their team, manager and agreement party. Edited by admins, imported from CSV.
people = Table(
    "people",
    metadata,
    Column("key", String(300), primary_key=True),  # the owner id as the events carry it
    Column("name", Text, nullable=False),
    Column("email", String(320)),
    Column("team", String(200)),
    Column("manager", String(300)),  # another person's key
    Column("party", String(100)),  # an agreement party's id (sales, marketing …)
    Column("language", String(10)),
    Column("updated_by", String(320), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
Index("ix_people_manager", people.c.manager)

# A person's items: the owner rows of the attribute history only (a partial index), so the
# person page finds them without a scan and ingestion pays nothing for other attributes.
# Covering (with the instant): the owner's items are read from the index alone.
Index(
    "ix_item_attributes_owner",
    item_attributes.c.value,
    item_attributes.c.item_id,
    item_attributes.c.at,
    sqlite_where=item_attributes.c.name == "owner",
    postgresql_where=item_attributes.c.name == "owner",
)

# A person's clocks: an item's clocks (the key above leads with the agreement), and the open
# ones alone (a partial index: few of a million clocks are still running).
Index("ix_item_clocks_item", item_clocks.c.item_id)
Index(  # covering the clock's key and deadline: the candidates need no table rows
    "ix_item_clocks_open",
    item_clocks.c.item_id,
    item_clocks.c.agreement_id,
    item_clocks.c.objective,
    item_clocks.c.deadline,
    sqlite_where=item_clocks.c.stopped_at.is_(None),
    postgresql_where=item_clocks.c.stopped_at.is_(None),
)

# Who receives an agreement's report each time one of its periods closes, besides the parties'
# department heads (reports.delivery).
report_subscriptions = Table(
    "report_subscriptions",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
)

# One row per agreement and closed period whose report went out (or was history when slawatch
# first saw the agreement): the insert is the claim, so several replicas send it once.
report_issues = Table(
    "report_issues",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("period", String(30), primary_key=True),
    Column("issued_at", BigInteger, nullable=False),
    Column("messages", Integer, nullable=False),  # how many were queued
)

# From when an agreement's closing periods are reported: set when slawatch first sees the
# agreement, so that a new server does not mail a year of history.
report_watermarks = Table(
    "report_watermarks",
    metadata,
    Column("agreement_id", String(100), ForeignKey("agreements.id"), primary_key=True),
    Column("since", BigInteger, nullable=False),
)

# Corrections and exclusions: records of their own, never edits of events, and only appended.
# An exclusion takes an item out of one objective; an event correction names the event it
# corrects (its id and, as it was, its type and instant) and gives it a new instant or type,
# or voids it. Evaluation applies the approved ones (`engine/corrections.py`).
corrections = Table(
    "corrections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agreement_id", String(100), ForeignKey("agreements.id"), nullable=False, index=True),
    Column("action", String(20), nullable=False),  # exclude | move | retype | void
    Column("item_id", Id, ForeignKey("items.id"), nullable=False, index=True),
    Column("objective", String(100)),  # exclude
    Column("event_id", Id),  # move, retype, void
    Column("event_type", String(100)),
    Column("event_at", BigInteger),
    Column("new_type", String(100)),  # retype
    Column("new_at", BigInteger),  # move
    Column("reason", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("proposed_by", String(320), nullable=False),
    Column("proposed_at", BigInteger, nullable=False),
)

# One decision per correction, never changed: the primary key lets only the first one in.
correction_decisions = Table(
    "correction_decisions",
    metadata,
    Column("correction_id", Id, ForeignKey("corrections.id"), primary_key=True),
    Column("approved", Boolean, nullable=False),
    Column("decided_by", String(320), nullable=False),
    Column("decided_at", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
)

# A dispute: a party contests an item's verdict (item + objective), a period's figure (period +
# objective) or a credit statement (period + party). The row holds what the timeline's entries
# settle (status, decision); `next_step_at` lets the periodic job find due ladders cheaply.
disputes = Table(
    "disputes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agreement_id", String(100), ForeignKey("agreements.id"), nullable=False),
    Column("subject", String(20), nullable=False),  # item | figure | statement
    Column("objective", String(100)),
    Column("item_id", Id, ForeignKey("items.id")),
    Column("period", String(20)),
    Column("party", String(100)),  # the statement's owing party
    Column("disputing_party", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("opened_by", String(320), nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),  # open | upheld | rejected
    Column("next_step_at", BigInteger),  # when the ladder climbs next; NULL once decided
    Column("decided_at", BigInteger),
    Column("decided_by", String(320)),
    Column("decision_reason", Text),
    Column("correction_id", String(100)),  # the correction an upheld decision applies
)
Index("ix_disputes_agreement_status", disputes.c.agreement_id, disputes.c.status)
Index("ix_disputes_item", disputes.c.item_id)
Index("ix_disputes_status_next", disputes.c.status, disputes.c.next_step_at)

# A dispute's timeline, only ever appended to: opened, comment, escalated, overdue, decided.
# `step` is the ladder step's key; unique per dispute, so replicas take each step once.
dispute_entries = Table(
    "dispute_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dispute_id", Id, ForeignKey("disputes.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("actor", String(320), nullable=False),
    Column("text", Text),
    Column("links", JSON, nullable=False),
    Column("tier", Integer),
    Column("step", String(20)),
    UniqueConstraint("dispute_id", "step"),
)

# Incidents of an agreement's emergency plan (docs/emergency.md). `trigger_key` keeps a trigger
# from opening twice, also with several replicas: "service-down:<objective>:<item>:<outage
# start>" per outage, "declared:<nonce>" by hand. `plan` is the plan as it stood at opening.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agreement_id", String(100), ForeignKey("agreements.id"), nullable=False),
    Column("trigger", String(20), nullable=False),  # declared | service-down | feed-silent
    Column("trigger_key", String(300), nullable=False),
    Column("title", Text, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("declared_by", String(320), nullable=False),
    Column("version", Integer, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("closed_at", BigInteger),
    Column("closed_by", String(320)),
    Column("note", Text),  # the post-incident note, required to close
    UniqueConstraint("agreement_id", "trigger_key"),
)
Index("ix_incidents_agreement", incidents.c.agreement_id, incidents.c.started_at)

# An incident's timeline, only ever appended to. `step` 0 is the incident itself, steps count
# from 1; `tier` 0 unless a step escalated. The unique key makes each acknowledgement, check,
# ladder step and notification happen once, whichever replica gets there first.
incident_timeline = Table(
    "incident_timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", Id, ForeignKey("incidents.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("action", String(20), nullable=False),  # opened | notified | acknowledged | ...
    Column("step", Integer, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("comment", Text),
    UniqueConstraint("incident_id", "action", "step", "tier"),
)
