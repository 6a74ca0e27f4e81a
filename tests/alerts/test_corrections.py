"""A correction that needs the other party's approval is announced to that party."""

from __future__ import annotations

from sqlalchemy import Engine, select

from slawatch.alerts.corrections import proposal_message, queue_proposal
from slawatch.config import Settings
from slawatch.store.agreements import get_version
from slawatch.store.corrections import (
    CorrectionAction,
    CorrectionDraft,
    corrections_of,
    propose,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.store.schema import deliveries
from tests.alerts.support import NOW, add_item
from tests.evaluation.support import save_template

SETTINGS = Settings(smtp_url="smtp://mail.example.com:25", base_url="https://slawatch.test")


def proposed(engine: Engine) -> int:
    save_template(engine)
    item = add_item(engine, "lead-1")
    with transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales")
        assert stored is not None
        draft = CorrectionDraft(
            "marketing-sales",
            CorrectionAction.EXCLUDE,
            item,
            reason="a test lead from the sandbox",
            evidence="https://crm.example.com/L-1",
            objective="speed-to-lead",
        )
        record = propose(connection, draft, actor="lena.koch@example.com", now=NOW, applies=False)
        for _ in range(2):  # a second call queues nothing more
            queue_proposal(
                connection,
                stored.agreement,
                record,
                proposer_parties={"marketing"},
                settings=SETTINGS,
                now=NOW,
            )
        return record.id


def test_the_other_partys_first_contact_is_asked_once(engine: Engine) -> None:
    number = proposed(engine)
    with read_transaction(engine) as connection:
        rows = connection.execute(
            select(deliveries.c.recipient, deliveries.c.title, deliveries.c.body)
        ).all()
    assert [(r.recipient, r.title) for r in rows] == [
        ("tom.berg@example.com", f"Correction #{number} to approve: Lead handover between "
         "Marketing and Sales"),
    ]  # fmt: skip
    body = rows[0].body
    assert "lena.koch@example.com proposes to exclude item crm/lead-1 from" in body
    assert "Reason: a test lead from the sandbox" in body
    assert "https://slawatch.test/agreements/marketing-sales/corrections" in body


def test_the_message_reads_in_german(engine: Engine) -> None:
    proposed(engine)
    with read_transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales")
        assert stored is not None
        (record,) = corrections_of(connection, "marketing-sales")
    message = proposal_message(stored.agreement, record, "https://x.test/c", "de")
    assert message.title.startswith(f"Korrektur Nr. {record.id} zur Genehmigung:")
    assert "schlägt vor, Vorgang crm/lead-1 aus „" in message.body
    assert "Begründung: a test lead from the sandbox" in message.body
    assert "Hier genehmigen oder ablehnen:" in message.body
