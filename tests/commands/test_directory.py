"""`slawatch directory import|list|export`: a file goes in whole or not at all; both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.config import get_settings
from slawatch.store.agreements import save_version
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import people

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"
GOOD = (
    "key,name,email,team,manager,party,language\n"
    "head.sales,Hanna Vogt,head.sales@example.com,Sales,,sales,de\n"
    "tom.berg,Tom Berg,tom.berg@example.com,Sales,head.sales,sales,en\n"
)


@pytest.fixture(autouse=True)
def configured(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    text = (EXAMPLES / "marketing-sales.yaml").read_text()
    with transaction(engine) as connection:
        save_version(connection, text, author="t", reason="")
    yield
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_file_is_imported_counted_and_audited(tmp_path: Path, engine: Engine) -> None:
    file = tmp_path / "people.csv"
    file.write_text(GOOD)
    assert run("directory", "import", str(file)) == (
        0,
        f"{file}: 2 added, 0 changed, 0 unchanged\n",
        "",
    )
    file.write_text(GOOD.replace("Tom Berg", "Thomas Berg"))
    code, stdout, _ = run("directory", "import", str(file))
    assert (code, stdout) == (0, f"{file}: 0 added, 1 changed, 1 unchanged\n")
    with read_transaction(engine) as connection:
        assert people(connection)["tom.berg"].name == "Thomas Berg"
        actors = {entry["actor"] for entry in entries(connection, subject="person:tom.berg")}
    assert all(actor.startswith("cli") for actor in actors)


def test_a_file_with_a_bad_row_changes_nothing_and_names_line_and_field(
    tmp_path: Path, engine: Engine
) -> None:
    file = tmp_path / "people.csv"
    file.write_text(GOOD + "anna,Anna Roth,anna@,Sales,nobody,it,en\n")
    code, _stdout, stderr = run("directory", "import", str(file))
    assert code == 1
    assert f"{file}:line 4: email: 'anna@' is not an email address" in stderr
    assert f"{file}: 1 problem(s); nothing was imported" in stderr
    file.write_text(GOOD + "anna,Anna Roth,,Sales,nobody,it,en\n")
    code, _, stderr = run("directory", "import", str(file))
    assert code == 1
    assert "line 4: manager: 'nobody' is not in the directory" in stderr
    assert (
        "line 4: party: no stored agreement has a party 'it'; the parties: marketing, sales"
        in stderr
    )
    with read_transaction(engine) as connection:
        assert people(connection) == {}


def test_list_and_export_show_the_directory(tmp_path: Path, database_url: str) -> None:
    file = tmp_path / "people.csv"
    file.write_text(GOOD)
    run("directory", "import", str(file))
    code, stdout, _ = run("directory", "list", "--database", database_url)
    assert code == 0 and "Tom Berg" in stdout and "head.sales" in stdout
    assert run("directory", "list", "--format", "csv")[1] == (
        "key,name,email,team,manager,party,language\n"
        "head.sales,Hanna Vogt,head.sales@example.com,Sales,,sales,de\n"
        "tom.berg,Tom Berg,tom.berg@example.com,Sales,head.sales,sales,en\n"
    )
    exported = tmp_path / "out.csv"
    assert run("directory", "export", "--output", str(exported))[0] == 0
    assert exported.read_text() == run("directory", "export")[1]


def test_an_empty_directory_says_how_to_fill_it() -> None:
    assert "slawatch directory import FILE" in run("directory", "list")[1]


def test_a_bad_database_url_is_a_usage_error() -> None:
    code, _, stderr = run("directory", "list", "--database", "nonsense://x")
    assert code == 2 and "'nonsense://x' is not a database URL" in " ".join(stderr.split())


def test_the_demo_directory_names_every_generated_owner_and_their_heads() -> None:
    from slawatch.agreements import template_names, template_text
    from slawatch.agreements.parse import parse_agreement
    from slawatch.commands.directory import demo_people
    from slawatch.generate.owners import OWNERS
    from slawatch.ingest.people import reference_problems

    found = {entry.key: entry for entry in demo_people()}
    assert {key for pool in OWNERS.values() for key, _ in pool} < set(found)
    agreements = [parse_agreement(template_text(name)) for name in template_names()]
    parties = {party for agreement in agreements for party in agreement.parties}
    assert (
        reference_problems([(None, p) for p in found.values()], known_keys=(), parties=parties)
        == []
    )
    contacts = {
        party.id: party.contacts for agreement in agreements for party in agreement.parties.values()
    }
    assert found["tom.berg"].email == contacts["sales"][0]  # Sales tier 1
    assert found["tom.berg"].manager == "head.sales"
    assert found["head.sales"].email == contacts["sales"][1]  # department heads: tier 2
    assert found["head.marketing"].email == contacts["marketing"][1]
    assert found["lena.koch"].email == contacts["marketing"][0]
