"""`slawatch import FILE --mapping …`: summary, exit codes, the rejected file; both backends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.config import get_settings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["import", *args])
    return result.exit_code, result.stdout, result.stderr


def sample(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(ROOT / "examples" / name, target)
    return target


def test_importing_the_hubspot_sample_prints_the_summary_and_exits_0(tmp_path: Path):
    path = sample(tmp_path, "hubspot-contacts.csv")
    code, out, err = run(str(path), "--mapping", "hubspot", "--timezone", "Europe/Berlin")
    assert code == 0, err
    assert "imported" in out and "30" in out
    code, out, _ = run(str(path), "--mapping", "hubspot", "--timezone", "Europe/Berlin")
    assert code == 0
    assert "duplicate" in out
    assert not (tmp_path / "hubspot-contacts.rejected.csv").exists()


def test_importing_the_salesforce_sample_exits_0(tmp_path: Path):
    code, out, err = run(str(sample(tmp_path, "salesforce-leads.csv")), "--mapping", "salesforce")
    assert code == 0, err
    assert "salesforce" in out


def test_rejected_rows_exit_1_after_the_summary_and_the_rejected_file(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at\nL-1,created,2026-10-05T08:00:00Z\nL-2,created,2026-10-05 08:00\n",
        encoding="utf-8",
    )
    code, out, err = run(str(path), "--mapping", "generic", "--source", "web-forms")
    assert code == 1
    assert "rejected" in out
    assert f"{path}:3: at '2026-10-05 08:00' has no UTC offset" in err
    assert "1 of 2 rows rejected" in err and "events.rejected.csv" in err
    assert (
        (tmp_path / "events.rejected.csv")
        .read_text(encoding="utf-8")
        .startswith("line,reason,item,type,at\n3,")
    )


def test_local_times_without_timezone_exit_2_naming_the_option(tmp_path: Path):
    code, _, err = run(str(sample(tmp_path, "hubspot-contacts.csv")), "--mapping", "hubspot")
    assert code == 2
    assert "--timezone Europe/Berlin" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mapping", "pipedrive"], "pipedrive"),
        (["--mapping", "hubspot", "--timezone", "Nowhere/Else"], "IANA"),
        (["--mapping", "hubspot", "--agreement", "missing"], "no agreement 'missing'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str):
    code, _, err = run(str(sample(tmp_path, "hubspot-contacts.csv")), *args)
    assert code == 2
    assert message in err


def test_an_unreadable_file_exits_1_with_the_fix(tmp_path: Path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"Record ID,Name\n1,M\xfcller\n")
    code, _, err = run(str(path), "--mapping", "hubspot")
    assert code == 1
    assert "not UTF-8" in err and "CSV UTF-8" in err
