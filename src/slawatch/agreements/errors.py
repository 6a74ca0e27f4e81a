"""Problems found in an agreement file: where, which field, what is wrong and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an agreement, located by file, line and dotted field path."""

    file: str
    line: int | None  # 1-based; None when the problem has no single place (an empty file)
    field: str  # dotted path: objectives.speed-to-lead.within; "" for the whole file
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return text if self.hint is None else f"{text}; {self.hint}"


class AgreementError(Exception):
    """An agreement file that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class AgreementLimitError(AgreementError):
    """An agreement refused before it was read: too large, too deep, or aliases expand too far.

    `limit` names what was exceeded: "size" of the text (a 413 on the API); "depth",
    "nodes" or the "expansion" of aliases into text (422). The command line exits with 2,
    as for any input over a limit.
    """

    def __init__(self, problem: Problem, *, limit: str) -> None:
        super().__init__([problem])
        self.limit = limit


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """Return the closest choice to a misspelt word, if any is close enough to suggest."""
    options = list(choices)
    folded = {choice.casefold(): choice for choice in options}
    if word.casefold() in folded:
        return folded[word.casefold()]
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[close[0]] if close else None


def choice_hint(word: str, choices: Iterable[str], *, noun: str = "one of") -> str:
    """Phrase a fix for an unknown name: the closest choice, then all of them."""
    options = sorted(choices)
    listed = ", ".join(options)
    guess = did_you_mean(word, options)
    if guess is None:
        return f"{noun}: {listed}" if options else "none are defined"
    return f"did you mean {guess}? ({noun}: {listed})"
