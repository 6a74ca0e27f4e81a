"""The event files' vectorised instant parser keeps the one grammar of engine/instants."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.engine.instants import InstantError, read_instant
from slawatch.ingest.files import _fast_instants, _parse_instant

ZONES = [None, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/St_Johns")]


def two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


offsets = st.one_of(
    st.sampled_from(["", "", "Z", "z", "+00:00", "+01:00", "-05:30", "+0530", "+14:00", "+25:00"]),
    st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), two(0, 24), two(0, 60)),
    st.text(max_size=4),
)
instant_texts = st.one_of(
    st.builds(
        lambda y, mo, d, sep, h, mi, s, fraction, offset: (
            f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{fraction}{offset}"
        ),
        st.integers(1965, 2205).map(str) | st.sampled_from(["2037", "2038", "1970", "2199"]),
        two(0, 13),
        two(0, 32),
        st.sampled_from(["T", "T", " ", "t", "x"]),
        two(0, 25),
        two(0, 60),
        two(0, 61),
        st.sampled_from(["", "", ".5", ".123456", ".1234567", "."]),
        offsets,
    ),
    st.builds(lambda y, mo, d: f"{y}-{mo}-{d}", st.integers(1968, 2201), two(1, 12), two(1, 28)),
    st.text(max_size=30),
)


def the_one_rule(text: str, zone: ZoneInfo | None) -> int | None:
    try:
        return read_instant(text.strip(), zone)
    except InstantError:
        return None


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(instant_texts, min_size=1, max_size=20), zone=st.sampled_from(ZONES))
def test_the_vectorised_parser_accepts_what_the_one_rule_accepts_and_nothing_else(
    texts: list[str], zone: ZoneInfo | None
) -> None:
    fast = _fast_instants(pl.Series(texts, dtype=pl.String), zone).to_list()
    for text, quick in zip(texts, fast, strict=True):
        expected = the_one_rule(text, zone)
        if quick is not None:  # the fast path is sure: it must agree
            assert quick == expected, text
        else:  # the row goes on to the exact path
            slow = _parse_instant(text.strip(), zone)
            assert (slow if isinstance(slow, int) else None) == expected, text
