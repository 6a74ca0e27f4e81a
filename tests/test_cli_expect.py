"""`slawatch check` and the `expect:` section: an expected type no objective reads is a warning."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import EXAMPLE, run


def test_an_expected_type_no_objective_reads_is_a_warning_with_a_guess(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "  qualified: {every: 1bd", "  qualifed: {every: 1bd"
    )
    assert "qualifed:" in text
    agreement = tmp_path / "typo.yaml"
    agreement.write_text(text, encoding="utf-8")
    code, out, err = run("check", str(agreement))
    assert code == 0
    assert out.startswith("ok: marketing-sales")
    assert (
        "warning: expect.qualifed: no objective reads qualifed; it is only watched; "
        "did you mean qualified?"
    ) in err


def test_the_shipped_examples_expect_only_what_their_objectives_read() -> None:
    code, out, err = run("check", str(EXAMPLE))
    assert code == 0 and "warning" not in err
    assert len(out.strip().splitlines()) == 1 + 7  # the check's output is unchanged
