"""`slawatch agreements apply|list|show|versions`: what an operator types and sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.agreements.describe import template_text
from slawatch.cli import app
from slawatch.config import get_settings
from slawatch.store.agreements import get_version, list_versions
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction

runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Leave SLAWATCH_DATABASE_URL unset: every command here is given --database."""
    monkeypatch.delenv("SLAWATCH_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["agreements", *args])
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """Return the text without rich's box drawing and line wraps, for phrases across lines."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    path = tmp_path / "marketing-sales.yaml"
    path.write_text(template_text("marketing-sales"), encoding="utf-8")
    return path


def test_apply_stores_version_1_of_a_new_agreement_with_author_and_reason(
    leads: Path, database_url: str, engine: Engine
):
    code, out, err = run("apply", str(leads), "--reason", "signed", "--database", database_url)
    assert code == 0, err
    assert out.strip() == "created marketing-sales version 1, in force from 2026-01-01"
    with read_transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales")
        log = entries(connection, subject="agreement:marketing-sales")
    assert stored is not None and stored.version == 1
    assert stored.author.startswith("cli") and stored.reason == "signed"
    assert stored.yaml == leads.read_text(encoding="utf-8")
    assert [entry["action"] for entry in log] == ["agreement.version"]


def test_apply_of_the_same_file_says_it_is_unchanged(leads: Path, database_url: str):
    assert run("apply", str(leads), "--database", database_url)[0] == 0
    code, out, _ = run("apply", str(leads), "--database", database_url)
    assert code == 0
    assert "unchanged" in out and "version 1" in out


def test_apply_of_a_changed_file_stores_the_next_version_from_the_given_day(
    leads: Path, database_url: str, engine: Engine
):
    assert run("apply", str(leads), "--database", database_url)[0] == 0
    leads.write_text(leads.read_text().replace('">= 50"', '">= 60"'), encoding="utf-8")
    code, out, err = run(
        "apply", str(leads), "--effective", "2099-01-01", "--reason", "Q1 review",
        "--database", database_url,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "stored marketing-sales version 2 (was 1), in force from 2099-01-01"
    with read_transaction(engine) as connection:
        versions = list_versions(connection, "marketing-sales")
    assert [(v.version, v.reason) for v in versions] == [(1, ""), (2, "Q1 review")]


def test_apply_refuses_an_invalid_file_with_checks_errors(tmp_path: Path, database_url: str):
    path = tmp_path / "bad.yaml"
    path.write_text(
        template_text("marketing-sales").replace("within: 48h", "within: 48 hours"),
        encoding="utf-8",
    )
    code, out, err = run("apply", str(path), "--database", database_url)
    assert code == 1
    assert "objectives.speed-to-lead.within" in err and out == ""
    assert run("list", "--database", database_url)[1].startswith("no agreements yet")


def test_apply_refuses_a_past_day_for_a_later_version_naming_the_option(
    leads: Path, database_url: str
):
    assert run("apply", str(leads), "--database", database_url)[0] == 0
    leads.write_text(leads.read_text().replace('">= 50"', '">= 60"'), encoding="utf-8")
    code, _, err = run("apply", str(leads), "--effective", "2026-02-01", "--database", database_url)
    assert code == 2
    assert "--effective" in err


@pytest.mark.parametrize("day", ["tomorrow", "1200-01-01"])
def test_a_bad_effective_day_is_usage(leads: Path, database_url: str, day: str):
    code, _, err = run("apply", str(leads), "--effective", day, "--database", database_url)
    assert code == 2
    assert "--effective" in err


def test_list_show_and_versions_read_the_store(leads: Path, database_url: str):
    assert run("apply", str(leads), "--reason", "signed", "--database", database_url)[0] == 0
    leads.write_text(leads.read_text().replace('">= 50"', '">= 60"'), encoding="utf-8")
    assert run("apply", str(leads), "--effective", "2099-01-01", "--database", database_url)[0] == 0
    code, out, _ = run("list", "--database", database_url)
    assert code == 0
    assert "marketing-sales" in out and "2099-01-01" in out and "Lead handover" in out
    code, out, _ = run("show", "marketing-sales", "--database", database_url)
    assert code == 0 and out == leads.read_text(encoding="utf-8")
    code, out, _ = run("show", "marketing-sales", "--version", "1", "--database", database_url)
    assert code == 0 and 'target: ">= 50"' in out
    code, out, _ = run("versions", "marketing-sales", "--database", database_url)
    assert code == 0
    rows = [line for line in out.splitlines() if re.search(r"│\s+[12] │", line)]
    assert len(rows) == 2
    assert "signed" in rows[0] and "2026-01-01" in rows[0] and "2099-01-01" in rows[1]


def test_an_unknown_agreement_or_version_exits_1_naming_what_there_is(
    leads: Path, database_url: str
):
    code, _, err = run("show", "nothing", "--database", database_url)
    assert code == 1 and "agreements apply" in err
    assert run("apply", str(leads), "--database", database_url)[0] == 0
    code, _, err = run("versions", "nothing", "--database", database_url)
    assert code == 1 and "marketing-sales" in err
    code, _, err = run("show", "marketing-sales", "--version", "3", "--database", database_url)
    assert code == 1 and "versions 1 to 1" in err


def test_import_for_an_unknown_agreement_points_to_apply(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    path = tmp_path / "events.csv"
    path.write_text("item,type,at\nL-1,qualified,2026-10-05T08:00:00Z\n", encoding="utf-8")
    result = runner.invoke(
        app, ["import", str(path), "--mapping", "generic", "--agreement", "missing"]
    )
    assert result.exit_code == 2
    assert "slawatch agreements apply FILE" in flat(result.stderr)
