from slawatch.agreements import AgreementError, Problem


def test_a_problem_reads_file_line_field_message_and_hint() -> None:
    problem = Problem(
        "marketing-sales.yaml", 14, "objectives.speed-to-lead.within",
        '"48 hours" is not a duration', "write 48h",
    )  # fmt: skip
    assert str(problem) == (
        'marketing-sales.yaml:14: objectives.speed-to-lead.within: "48 hours" is not a duration; '
        "write 48h"
    )


def test_a_problem_without_line_field_or_hint_leaves_them_out() -> None:
    assert (
        str(Problem("a.yaml", None, "", "the file is empty", None)) == "a.yaml: the file is empty"
    )


def test_an_agreement_error_lists_every_problem_on_its_own_line() -> None:
    error = AgreementError(
        [Problem("a.yaml", 1, "x", "bad", "fix"), Problem("a.yaml", 2, "y", "worse", None)]
    )
    assert str(error) == "a.yaml:1: x: bad; fix\na.yaml:2: y: worse"
    assert len(error.problems) == 2
