"""Read which items an objective looks at (`where`) and what it aims for (`target`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from slawatch.agreements._walk import (
    At,
    Walk,
    as_fraction,
    list_items,
    read_mapping,
    read_text,
    refuse_non_finite,
)
from slawatch.agreements.model import AttributeTest, Comparison, Target

COMPARISON = re.compile(r"(>=|<=|>|<|≥|≤)\s*([+-]?\d+(?:\.\d+)?)\s*(%?)")
OPERATORS = {
    ">=": Comparison.AT_LEAST, "≥": Comparison.AT_LEAST,
    "<=": Comparison.AT_MOST, "≤": Comparison.AT_MOST,
    ">": Comparison.MORE_THAN, "<": Comparison.LESS_THAN,
}  # fmt: skip

EVENT_COLUMNS = ("item", "type", "at")  # fixed event fields; every other column is an attribute


# ---------------------------------------------------------------- filters


def read_where(walk: Walk, value: Any, at: At) -> tuple[AttributeTest, ...]:
    mapping = read_mapping(walk, value, at)
    if mapping is None:
        return ()
    tests: list[AttributeTest] = []
    for attribute, wanted, wanted_at in mapping.items():
        name = str(attribute).strip()
        if name in EVENT_COLUMNS:
            walk.problem(
                mapping.key_at(attribute),
                f'"{name}" is a column of every event, not an item attribute',
                "filter on kind or on an attribute column of your event files",
            )
            continue
        if isinstance(wanted, CommentedSeq):
            values = [
                _attribute_value(walk, item, item_at)
                for _, item, item_at in list_items(wanted, wanted_at)
            ]
            if not values:
                walk.problem(
                    wanted_at, "lists no values", f"write {name}: [a, b], or remove the filter"
                )
            elif all(v is not None for v in values):
                tests.append(
                    AttributeTest(attribute=name, equals=tuple(v for v in values if v is not None))
                )
        elif isinstance(wanted, str) and wanted.strip()[:1] in ("<", ">", "=", "!", "≥", "≤"):
            test = _attribute_comparison(walk, name, wanted.strip(), wanted_at)
            if test is not None:
                tests.append(test)
        else:
            single = _attribute_value(walk, wanted, wanted_at)
            if single is not None:
                tests.append(AttributeTest(attribute=name, equals=(single,)))
    return tuple(tests)


def _attribute_value(walk: Walk, value: Any, at: At) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        if value.strip()[:1] in ("<", ">", "=", "!", "≥", "≤"):
            walk.problem(
                at,
                f'"{value}" compares inside a list',
                "a list means one of these values; compare outside a list",
            )
            return None
        return value.strip()
    walk.problem(
        at,
        "needs a value to match",
        'write a value, a list of values or a comparison such as ">= 50"',
    )
    return None


def _attribute_comparison(walk: Walk, name: str, text: str, at: At) -> AttributeTest | None:
    match = COMPARISON.fullmatch(text)
    if match is None or match.group(3):
        walk.problem(
            at,
            f'"{text}" is not a comparison',
            'compare with a plain number: ">= 50", "<= 10", "> 0" or "< 5"; list values as [a, b]',
        )
        return None
    return AttributeTest(
        attribute=name, compare=OPERATORS[match.group(1)], number=float(match.group(2))
    )


# ---------------------------------------------------------------- targets


def read_target(walk: Walk, value: Any, at: At, *, share: bool | None) -> Target | None:
    """Read `">= 95%"` (a share) or `">= 50"` (a count), refusing targets that cannot be met."""
    example = '">= 95%"' if share else '">= 50"' if share is False else '">= 95%" or ">= 50"'
    if refuse_non_finite(walk, value, at, f"write a comparison and a number, such as {example}"):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        walk.problem(at, f"{value} has no comparison", _target_hint(str(value), share))
        return None
    text = read_text(walk, value, at)
    if text is None:
        return None
    match = COMPARISON.fullmatch(text)
    if match is None:
        hint = 'use >=, <=, > or < and a number, such as ">= 95%" or ">= 50"'
        if re.fullmatch(r"[+-]?\d+(?:\.\d+)?\s*%?", text):
            hint = _target_hint(text, share)
        walk.problem(at, f'"{text}" is not a target', hint)
        return None
    op, number, percent = OPERATORS[match.group(1)], Decimal(match.group(2)), bool(match.group(3))
    if share is True and not percent:
        walk.problem(
            at,
            f'"{text}" is a count, but this objective measures a share',
            _target_hint(match.group(2), share, op=op.value),
        )
        return None
    if share is False and percent:
        walk.problem(
            at,
            f'"{text}" is a percentage, but a count objective counts items',
            f'write a number of items, such as "{op.value} 50"',
        )
        return None
    if percent:
        impossible = (
            number > 100
            or number < 0
            or (op is Comparison.MORE_THAN and number >= 100)
            or (op is Comparison.LESS_THAN and number <= 0)
        )
        if impossible:
            walk.problem(at, f'"{text}" can never be met', "a share lies between 0% and 100%")
            return None
    else:
        if number < 0 or (op is Comparison.LESS_THAN and number <= 0):
            walk.problem(at, f'"{text}" can never be met', "a count is never negative")
            return None
        if number != number.to_integral_value():
            walk.problem(
                at,
                f'"{text}" is not a whole number of items',
                f'write "{op.value} {number.to_integral_value():f}"',
            )
            return None
    fraction = as_fraction(number) if percent else float(number)
    return Target(op=op, value=fraction, share=percent, text=text)


def _target_hint(number: str, share: bool | None, *, op: str | None = None) -> str:
    """Suggest a target for a bare number: 0.95 on a share objective means 95%."""
    written = number.replace(" ", "")
    if share and not written.endswith("%"):
        value = Decimal(written)
        written = f"{(value * 100 if Decimal(0) < value <= Decimal(1) else value).normalize():f}%"
    if op is not None:
        return f'write "{op} {written}"'
    return f'write ">= {written}" (or "<= {written}" if lower is better)'
