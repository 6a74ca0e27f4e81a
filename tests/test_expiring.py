"""A value read once per age and key: kept while young, read again when old or forgotten."""

from __future__ import annotations

from slawatch.expiring import Expiring


def test_a_value_is_kept_until_its_age_and_then_read_again():
    now = [0.0]
    reads: list[str] = []
    kept: Expiring[str, int] = Expiring(max_age=5.0, clock=lambda: now[0])

    def read() -> int:
        reads.append("a")
        return len(reads)

    assert kept.get("a", read) == 1
    now[0] = 4.9
    assert kept.get("a", read) == 1
    now[0] = 5.0
    assert kept.get("a", read) == 2
    assert reads == ["a", "a"]


def test_each_key_is_kept_apart_and_forget_reads_every_key_again():
    kept: Expiring[str, str] = Expiring(max_age=60.0, clock=lambda: 0.0)
    assert kept.get("a", lambda: "first a") == "first a"
    assert kept.get("b", lambda: "first b") == "first b"
    assert kept.get("a", lambda: "second a") == "first a"
    kept.forget()
    assert kept.get("a", lambda: "second a") == "second a"
    assert kept.get("b", lambda: "second b") == "second b"


def test_a_peek_sees_a_young_value_and_reads_nothing():
    now = [0.0]
    kept: Expiring[str, int] = Expiring(max_age=10, clock=lambda: now[0])
    assert kept.peek("a") is None
    kept.get("a", lambda: 1)
    assert kept.peek("a") == 1
    now[0] = 10.0
    assert kept.peek("a") is None
