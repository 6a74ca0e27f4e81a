"""Read what a missed objective leads to: escalation steps and service credits."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements._walk import (
    At,
    Walk,
    as_fraction,
    list_items,
    read_mapping,
    read_percent,
    read_sequence,
    refuse_non_finite,
)
from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.agreements.errors import choice_hint
from slawatch.agreements.model import Credits, CreditTier, Duration, EscalationStep, Fee, Objective

FEE = re.compile(r"(\d+(?:\.\d+)?)\s+([A-Z]{3})")


# ---------------------------------------------------------------- escalation


def read_escalation(walk: Walk, value: Any, at: At) -> tuple[EscalationStep, ...]:
    seq = read_sequence(walk, value, at, what="a list of steps such as - {after: 4h, tier: 2}")
    if seq is None:
        return ()
    steps: list[EscalationStep] = []
    previous: EscalationStep | None = None
    for _, item, item_at in list_items(seq, at):
        step = read_mapping(
            walk, item, item_at, known=("after", "tier"), required=("after", "tier")
        )
        if step is None:
            continue
        after = tier = None
        if "after" in step:
            after = _delay(walk, step.get("after"), step.value_at("after"))
        if "tier" in step:
            tier = _tier(walk, step.get("tier"), step.value_at("tier"))
        if after is None or tier is None:
            continue
        if previous is not None and after.amount <= previous.after.amount:
            walk.problem(
                step.value_at("after"),
                f"after {after.text} is not later than the step before ({previous.after.text})",
                "list steps in order of time, each later than the one before",
            )
        if previous is not None and tier < previous.tier:
            walk.problem(
                step.value_at("tier"),
                f"tier {tier} comes after tier {previous.tier}",
                "escalation goes upwards: employee (1), department head (2), management (3)",
            )
        previous = EscalationStep(after=after, tier=tier)
        steps.append(previous)
    return tuple(steps)


def _delay(walk: Walk, value: Any, at: At) -> Duration | None:
    """Read an escalation delay, written in m, h, d or w (no `bd`, even on a calendar).

    On an objective with a calendar the ladder counts it in that calendar's working time, so
    the unit `bd` would say nothing more; see docs/escalation.md.
    """
    if value is None or isinstance(value, CommentedMap | CommentedSeq | bool):
        walk.problem(at, "needs a duration", "write a delay such as 4h")
        return None
    try:
        return parse_duration(str(value), calendar=False)
    except DurationError as error:
        hint = error.hint
        if "calendar" in error.message or "calendar" in hint:
            tail = hint.split("or ", 1)[-1].replace(" of wall time", "")
            hint = "escalation delays take m, h, d or w: " + tail
        walk.problem(at, error.message, hint)
        return None


def _tier(walk: Walk, value: Any, at: At) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3:
        return int(value)
    walk.problem(
        at, f'"{value}" is not a tier', "write 1 (employee), 2 (department head) or 3 (management)"
    )
    return None


# ---------------------------------------------------------------- credits


def read_credits(
    walk: Walk, value: Any, at: At, objectives: dict[str, Objective], declared: set[str]
) -> Credits | None:
    mapping = read_mapping(walk, value, at, required=("fee",))
    if mapping is None:
        return None
    before = len(walk.problems)
    fee = _fee(walk, mapping.get("fee"), mapping.value_at("fee")) if "fee" in mapping else None
    tiers: dict[str, tuple[CreditTier, ...]] = {}
    for key, body, _ in mapping.items():
        if key == "fee":
            continue
        key_at = mapping.key_at(key)
        if str(key) not in declared:
            walk.problem(
                key_at,
                f'"{key}" is not an objective of this agreement',
                choice_hint(
                    str(key), declared | {"fee"}, noun="keys here are fee and objective ids"
                ),
            )
            continue
        if str(key) not in objectives:
            continue  # the objective is broken and reported; its tiers would only echo that
        parsed = _credit_tiers(walk, body, key_at, objectives[str(key)])
        if parsed:
            tiers[str(key)] = parsed
    if fee is None or len(walk.problems) > before:
        return None
    return Credits(fee=fee, tiers=tiers)


def _fee(walk: Walk, value: Any, at: At) -> Fee | None:
    if refuse_non_finite(walk, value, at, "write an amount and a currency, such as 10000 EUR"):
        return None
    text = "" if value is None else str(value).strip()
    match = FEE.fullmatch(text)
    if match is not None and not re.fullmatch(r"\d+\.\d{3}", match.group(1)):
        return Fee(amount=float(match.group(1)), currency=match.group(2))
    hint = "write an amount and an ISO currency code, such as 10000 EUR"
    digits = re.sub(r"[^\d.,]", "", text)
    code = re.sub(r"[^A-Za-z]", "", text).upper()
    if isinstance(value, int | float) and not isinstance(value, bool):
        hint = f"add the currency: {value} EUR"
    elif re.search(r"\d[.,]\d{3}(?!\d)", text):
        hint = f"write {re.sub(r'[.,]', '', digits)} {code or 'EUR'} without thousands separators"
    elif "€" in text or "$" in text:
        currency = "EUR" if "€" in text else "USD"
        hint = f"write the currency as an ISO code: {digits or '10000'} {currency}"
    elif len(code) == 3 and digits:
        hint = f"write {digits.replace(',', '.')} {code}"
    walk.problem(at, f'"{text}" is not a fee' if text else "needs a fee", hint)
    return None


def _credit_tiers(walk: Walk, value: Any, at: At, objective: Objective) -> tuple[CreditTier, ...]:
    seq = read_sequence(walk, value, at, what="a list of tiers such as [{below: 95%, credit: 5%}]")
    if seq is None:
        return ()
    if not seq:
        walk.problem(
            at,
            "lists no credit tiers",
            "add {below: 95%, credit: 5%}, or remove the objective from credits",
        )
    higher_is_better = objective.target.op.higher_is_better
    expected = "below" if higher_is_better else "above"
    tiers: list[CreditTier] = []
    for _, item, item_at in list_items(seq, at):
        tier = read_mapping(
            walk, item, item_at, known=("below", "above", "credit"), required=("credit",)
        )
        if tier is None:
            continue
        directions = [d for d in ("below", "above") if d in tier]
        if len(directions) != 1:
            walk.problem(
                item_at,
                "needs exactly one of below or above",
                f"write {{{expected}: 95%, credit: 5%}}",
            )
            continue
        direction = directions[0]
        threshold_at = tier.value_at(direction)
        if direction != expected:
            better = "higher" if higher_is_better else "lower"
            walk.problem(
                tier.key_at(direction),
                f"{direction} does not fit {objective.id} ({objective.target.text}): "
                f"{better} is better",
                f"write {expected}:",
            )
            continue
        threshold = _threshold(walk, tier.get(direction), threshold_at, objective)
        credit = (
            read_percent(walk, tier.get("credit"), tier.value_at("credit"))
            if "credit" in tier
            else None
        )
        if threshold is None or credit is None:
            continue
        made = CreditTier(threshold=threshold, direction=direction, credit=as_fraction(credit))
        if tiers and not _milder_first(tiers[-1], made):
            walk.problem(
                item_at,
                "tiers must go from mildest to harshest",
                f"order them with thresholds {'falling' if direction == 'below' else 'rising'} "
                "and credits rising",
            )
        tiers.append(made)
    return tuple(tiers)


def _milder_first(milder: CreditTier, harsher: CreditTier) -> bool:
    further = (
        harsher.threshold < milder.threshold
        if harsher.direction == "below"
        else harsher.threshold > milder.threshold
    )
    return further and harsher.credit > milder.credit


def _threshold(walk: Walk, value: Any, at: At, objective: Objective) -> float | None:
    """Read a credit threshold: a percentage for shares, a number of items for count objectives."""
    if not objective.target.share:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            threshold = float(value)
        else:
            walk.problem(
                at,
                f'"{value}" is not a number of items',
                "count objectives take counts, such as below: 40",
            )
            return None
    else:
        number = read_percent(walk, value, at)
        if number is None:
            return None
        threshold = as_fraction(number)
    target = objective.target
    owed_while_met = target.op.holds(threshold, target.value)
    if owed_while_met and threshold != target.value:
        edge = "below" if target.op.higher_is_better else "above"
        walk.problem(
            at,
            f"a credit {edge} this would be owed while {objective.id} ({target.text}) is met",
            f"use a threshold no {'higher' if edge == 'below' else 'lower'} than the target",
        )
        return None
    return threshold
