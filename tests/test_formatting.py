"""Every figure reads the same everywhere, in English and German, and never contradicts its verdict.

The property tests read the formatted texts back as numbers (a slow, obvious reference: parse
what a person sees) and check them against the true values.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import Duration, DurationUnit
from slawatch.comparisons.industry import shipped_references
from slawatch.formatting import (
    agreed_text,
    change_text,
    clock_split,
    details_text,
    duration_text,
    excel_format,
    figure_text,
    share_text,
    status_text,
    target_text,
    time_left_text,
    value_text,
    working_text,
)
from slawatch.i18n import translator
from tests.comparisons.support import count, ratio

EN, DE = translator("en"), translator("de")
RATIO = {
    "id": "accepted",
    "owner": "sales",
    "kind": "ratio",
    "value": 0.953,
    "target": 0.9,
    "op": ">=",
    "status": "met",
    "numerator": 1234,
    "denominator": 1300,
}
UPTIME = {
    "id": "uptime",
    "owner": "it",
    "kind": "availability",
    "value": 0.9995,
    "target": 0.999,
    "op": ">=",
    "status": "met",
    "failures": 2,
    "downtime_seconds": 4000,
    "mttr_seconds": 2000,
}


# -- a person's reading of the texts -------------------------------------------------------------

UNIT_SECONDS = {
    "d": 86_400,
    "Tg.": 86_400,
    "h": 3_600,
    "Std.": 3_600,
    "min": 60,
    "Min.": 60,
    "s": 1,
    "Sek.": 1,
}


def read_number(text: str, language: str) -> Decimal:
    """Read '1,234.5', '99.899%', '1.234,5 %' as the number a person sees (percent stays %)."""
    digits = re.sub(r"[^\d.,−-]", "", text)
    if language == "de":
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    return Decimal(digits.replace("−", "-"))


def read_duration(text: str) -> int:
    """Read '2 d 3 h', '1 Std. 48 Min.' back as seconds."""
    sign = -1 if text.startswith("−") else 1
    pairs = re.findall(r"([\d.,]+)\s+(d|h|min|s|Tg\.|Std\.|Min\.|Sek\.)", text)
    assert pairs, text
    return sign * sum(int(re.sub(r"[.,]", "", n)) * UNIT_SECONDS[u] for n, u in pairs)


def holds(op: str, value: Decimal | float, target: Decimal | float) -> bool:
    return value >= target if op == ">=" else value <= target


# -- the examples of issue 10, finding 6 -----------------------------------------------------------


def test_a_breached_availability_just_below_its_target_shows_the_digits_that_tell_them_apart():
    objective = {
        "kind": "availability",
        "value": 0.99899,
        "target": 0.999,
        "op": ">=",
        "status": "breached",
    }
    assert value_text(objective, objective["value"], EN) == "99.899%"
    assert target_text(objective, EN) == "≥ 99.9%"
    assert value_text(objective, objective["value"], DE) == "99,899\xa0%"


def test_a_credit_line_below_its_threshold_never_reads_as_at_the_threshold():
    line = {
        "kind": "availability",
        "value": 0.99499,
        "target": 0.999,
        "op": ">=",
        "tier": 1,
        "threshold": 0.995,
    }
    assert value_text(line, line["value"], EN) == "99.499%"


def test_availability_with_one_failure_and_minutes_down_never_reads_100_percent():
    eligible = 365 * 86_400 * 10  # ten services over a year
    value = 1 - 340 / eligible
    objective = {
        "kind": "availability",
        "value": value,
        "target": 0.999,
        "op": ">=",
        "status": "met",
    }
    shown = value_text(objective, value, EN)
    assert shown != "100%" and read_number(shown, "en") < 100
    assert share_text(0.9999999, EN) != "100%"
    assert share_text(0.0000001, EN) != "0%"
    details = {**objective, "id": "uptime", "owner": "it", "failures": 1, "downtime_seconds": 340}
    assert details_text(details, EN) == "1 failure, 5 min 40 s down"
    assert details_text(details, DE) == "1 Ausfall, 5 Min. 40 Sek. nicht verfügbar"


def test_working_time_used_and_left_add_up_to_the_allowance_as_shown():
    split = clock_split(1 * 3600 + 48 * 60 + 30, 4 * 3600, EN)
    assert (split.used, split.left, split.allowed) == ("1 h 49 min", "2 h 11 min", "4 h")


def test_a_clock_that_shows_all_its_allowance_used_shows_no_time_left():
    split = clock_split(47 * 3600 + 58 * 60 + 45, 48 * 3600, EN)
    assert (split.used, split.left) == ("47 h 59 min", "1 min")  # 1 min 15 s left, not more
    almost = clock_split(47 * 3600 + 59 * 60 + 50, 48 * 3600, EN)
    assert (almost.used, almost.left) == ("48 h", "0 min")
    over = clock_split(48 * 3600 + 10, 48 * 3600, EN)
    assert (over.used, over.left, over.overrun) == ("48 h 1 min", None, "1 min")


def test_durations_never_read_as_decimal_hours_and_have_one_style_per_language():
    assert duration_text(27.6 * 3600, EN) == "1 d 4 h"
    assert working_text(27.6 * 3600, EN) == "27 h 36 min"
    assert duration_text(7 * 86_400 + 14 * 3600, EN) == "7 d 14 h"
    assert duration_text(6480, EN) == "1 h 48 min"
    assert duration_text(6480, DE) == "1 Std. 48 Min."
    assert duration_text(2 * 86_400 + 3 * 3600, DE) == "2 Tg. 3 Std."


def test_statuses_are_words_in_every_language():
    assert status_text("on_track", EN) == "on track"
    assert status_text("on_track", DE) == "im Plan"
    assert status_text("at_risk", DE) == "gefährdet"


def test_shares_use_the_locales_one_pattern():
    assert value_text(RATIO, 0.943, EN) == "94.3%"
    assert value_text(RATIO, 0.958, DE) == "95,8\xa0%"


def test_past_a_deadline_the_time_left_reads_as_an_overrun():
    assert time_left_text(-340, EN) == "5 min 40 s overrun"
    assert time_left_text(-340, DE) == "5 Min. 40 Sek. überzogen"
    assert time_left_text(6480, EN) == "1 h 48 min"


def test_plurals_follow_the_count():
    two = {**UPTIME, "failures": 2}
    assert details_text(two, EN).startswith("2 failures, 1 h 7 min down")
    assert details_text(two, DE).startswith("2 Ausfälle, 1 Std. 7 Min. nicht verfügbar")


# -- the figures as before -----------------------------------------------------------------------


def test_shares_are_percentages_and_counts_are_numbers():
    assert value_text(RATIO, RATIO["value"], EN) == "95.3%"
    assert value_text({"kind": "count"}, 1234.0, EN) == "1,234"
    assert value_text(UPTIME, UPTIME["value"], EN) == "99.95%"
    assert value_text(RATIO, None, EN) == "–"


def test_targets_show_their_comparison_as_written():
    assert target_text(RATIO, EN) == "≥ 90%"
    assert target_text(RATIO, DE) == "≥ 90\xa0%"
    assert target_text({"kind": "ratio", "op": ">=", "target": 0.9995}, EN) == "≥ 99.95%"


def test_german_reads_details_in_german():
    assert details_text(RATIO, DE) == "1.234 von 1.300"


def test_agreed_durations_read_as_written():
    assert agreed_text(Duration(unit=DurationUnit.WALL, amount=48 * 3600, text="48h"), EN) == "48 h"
    assert agreed_text(Duration(unit=DurationUnit.WALL, amount=86_400, text="1d"), EN) == "1 d"
    assert agreed_text(Duration(unit=DurationUnit.WORKING, amount=4 * 3600, text="4h"), DE) == (
        "4 Std."
    )
    assert agreed_text(Duration(unit=DurationUnit.WALL, amount=5400, text="90m"), EN) == (
        "1 h 30 min"
    )
    days = Duration(unit=DurationUnit.BUSINESS_DAYS, amount=3, text="3bd")
    assert agreed_text(days, EN) == "3 business days"
    assert agreed_text(Duration(unit=DurationUnit.BUSINESS_DAYS, amount=1, text="1bd"), DE) == (
        "1 Arbeitstag"
    )


def test_the_workbook_format_shows_the_digits_the_pages_show():
    objective = {"kind": "availability", "value": 0.99899, "target": 0.999, "op": ">=",
                 "status": "breached"}  # fmt: skip
    assert excel_format(objective) == "0.000%"
    assert excel_format({**RATIO}) == "0.0%"
    assert excel_format({"kind": "count", "value": 3, "target": 5, "op": ">="}) is None


# -- properties ----------------------------------------------------------------------------------

KINDS = st.sampled_from(["ratio", "clock", "availability", "count"])
OPS = st.sampled_from([">=", "<="])
LANGUAGES = st.sampled_from(["en", "de"])


@st.composite
def objectives(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(KINDS)
    if kind == "count":
        value = float(draw(st.integers(0, 100_000)))
        target = draw(
            st.one_of(
                st.integers(0, 100_000).map(float),
                st.floats(0, 100_000, allow_nan=False),
                st.just(value).map(lambda v: v + draw(st.sampled_from([-0.04, 0.04, 0.6]))),
            )
        )
    else:
        target = draw(
            st.one_of(
                st.sampled_from([0.9, 0.95, 0.99, 0.999, 0.9995, 0.99999, 0.1, 0.05, 1.0, 0.0]),
                st.floats(0, 1, allow_nan=False),
            )
        )
        near = st.floats(-1e-3, 1e-3).map(lambda d: min(max(target + d, 0.0), 1.0))
        tiny = st.floats(-1e-9, 1e-9).map(lambda d: min(max(target + d, 0.0), 1.0))
        value = draw(st.one_of(near, tiny, st.floats(0, 1, allow_nan=False)))
    op = draw(OPS)
    status = "met" if holds(op, value, target) else "breached"
    return {"kind": kind, "value": value, "target": target, "op": op, "status": status}


@settings(max_examples=400, deadline=None)
@given(objectives(), LANGUAGES)
def test_a_shown_value_against_its_shown_target_never_contradicts_its_status(objective, language):
    t = translator(language)
    shown_value = read_number(value_text(objective, objective["value"], t), language)
    shown_target = read_number(target_text(objective, t).split(" ", 1)[1], language)
    assert holds(objective["op"], shown_value, shown_target) == (objective["status"] == "met")


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1, allow_nan=False), LANGUAGES)
def test_a_share_between_nothing_and_everything_never_reads_as_either(share, language):
    shown = read_number(share_text(share, translator(language)), language)
    if 0 < share < 1:
        assert 0 < shown < 100
    assert abs(shown - Decimal(repr(share)) * 100) <= Decimal("0.05")  # within its precision


@settings(max_examples=400, deadline=None)
@given(
    st.floats(0, 400 * 3600, allow_nan=False),
    st.integers(1, 200).map(lambda n: n * 1800) | st.integers(60, 400 * 3600),
    st.sampled_from([None, True, False]),
    LANGUAGES,
)
def test_used_and_left_add_up_to_allowed_as_shown(used, allowed, verdict, language):
    split = clock_split(used, allowed, translator(language), over=verdict)
    shown_used, shown_allowed = read_duration(split.used), read_duration(split.allowed)
    if split.left is not None:
        assert split.overrun is None
        assert shown_used + read_duration(split.left) == shown_allowed
        assert verdict is False or (verdict is None and used <= allowed)
    else:
        assert split.overrun is not None
        assert shown_used - read_duration(split.overrun) == shown_allowed
        assert verdict is True or (verdict is None and used > allowed)
    if verdict is None and used > allowed:
        assert read_duration(split.overrun) > 0  # over the allowance never reads as within it


@settings(max_examples=400, deadline=None)
@given(st.floats(-90 * 86_400, 90 * 86_400, allow_nan=False), LANGUAGES)
def test_a_duration_reads_back_within_its_shown_precision(seconds, language):
    t = translator(language)
    for text, largest in ((duration_text(seconds, t), 86_400), (working_text(seconds, t), 3_600)):
        parts = re.findall(r"(d|h|min|s|Tg\.|Std\.|Min\.|Sek\.)(?:\s|$)", text)
        sizes = [UNIT_SECONDS[u] for u in parts]
        assert len(sizes) <= 2 and max(sizes) <= largest
        assert (
            "."
            not in text.replace("Tg.", "")
            .replace("Std.", "")
            .replace("Min.", "")
            .replace("Sek.", "")
            or language == "de"
        )  # never decimal hours
        magnitude = abs(seconds)
        units = [u for u in (86_400, 3_600, 60, 1) if u <= largest]
        lead = next((i for i, u in enumerate(units) if magnitude >= u), len(units) - 1)
        step = units[min(lead + 1, len(units) - 1)]
        assert abs(read_duration(text) - seconds) <= step / 2 + 1e-6


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_met_value_exactly_at_its_target_reads_as_meeting_it(language):
    t = translator(language)
    objective = {"kind": "ratio", "value": 0.95, "target": 0.95, "op": ">=", "status": "met"}
    assert read_number(value_text(objective, 0.95, t), language) == 95


def test_a_figure_that_is_not_a_number_reads_as_a_dash():
    assert value_text(RATIO, float("nan"), EN) == "–"
    assert duration_text(float("inf"), EN) == "–"


# --- changes and reference figures ----------------------------------------------------------


def test_a_shares_change_reads_in_percentage_points():
    assert change_text(ratio(1, 2), 0.021, EN) == "▲ +2.1 pp"
    assert change_text(ratio(1, 2), -0.1, DE) == "▼ −10 Pp."
    assert change_text(ratio(1, 2), 0.0001, EN) == "±0 pp"


def test_a_counts_change_reads_as_a_number():
    assert change_text(count(5), 12, EN) == "▲ +12"
    assert change_text(count(5), -1234.5, DE) == "▼ −1.234,5"
    assert change_text(count(5), None, EN) == "–"


@pytest.mark.parametrize(
    ("figure", "english", "german"),
    [
        ({"value": 37, "unit": "percent"}, "37%", "37\xa0%"),
        ({"low": 40, "high": 60, "unit": "percent"}, "40% – 60%", "40\xa0% – 60\xa0%"),
        ({"value": 42, "unit": "hours"}, "42 h", "42 Std."),
        ({"value": 27.6, "unit": "hours"}, "27 h 36 min", "27 Std. 36 Min."),
        ({"value": 5, "unit": "minutes"}, "5 min", "5 Min."),
        ({"value": 1500, "unit": "count"}, "1,500", "1.500"),
    ],
)
def test_figures_read_in_their_unit_and_the_readers_language(figure, english, german):
    reference = shipped_references()[0].edited(figure=figure)
    assert figure_text(reference.figure, EN) == english
    assert figure_text(reference.figure, DE) == german
