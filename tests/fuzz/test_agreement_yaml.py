"""Fuzz: mutated agreement YAML through the reader and `slawatch check`, in-process.

Whatever the file, the reader returns an agreement or raises `AgreementError` (a limit
refusal among them), `check` exits 0, 1 or 2 without a traceback, and each example is
answered within the deadline. The examples are few enough to keep the suite in CI.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from slawatch.agreements import AgreementError, AgreementLimitError
from slawatch.agreements.parse import parse_agreement
from slawatch.cli import app
from tests.fuzz.agreement_yaml import agreement_yaml

FUZZ = settings(
    max_examples=120,
    deadline=dt.timedelta(seconds=10),  # one example; a loaded CI machine is slow, not stuck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
runner = CliRunner()


@FUZZ
@given(agreement_yaml())
def test_the_reader_returns_an_agreement_or_problems_never_an_exception(text: str) -> None:
    try:
        parse_agreement(text, source="fuzz.yaml")
    except AgreementLimitError as error:
        assert error.limit in {"size", "depth", "nodes", "expansion"}
        assert len(error.problems) == 1
        assert "SLAWATCH_MAX_AGREEMENT_" in str(error) or "own anchor" in str(error)
    except AgreementError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.message


@settings(FUZZ, max_examples=50)
@given(agreement_yaml())
def test_check_exits_0_1_or_2_without_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code:
        assert result.stderr.strip()
