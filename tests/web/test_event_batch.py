"""The column-wise check of a batch gives exactly the events the per-element reference gives."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.store.events import EventColumns
from slawatch.web.api.event_batch import check_elements, plain_columns

GOOD_INSTANTS = st.sampled_from(
    [
        "2026-01-05T09:30:00+01:00",
        "2026-01-05T09:30:00.123456Z",
        "2026-03-29T02:30:00+02:00",
        "2026-10-25T02:30:00-05:30",
        "2026-01-05 09:30Z",
        "20260105T093000+0100",
    ]
)
BAD_INSTANTS = st.sampled_from(
    ["2026-01-05T09:30:00", "2026-01-05", "2026-02-30T09:30:00Z", "soon", "", "T\x00"]
)
PLAIN = st.sampled_from(["lead-1", "lead-2", "qualified", "crm", "lead", "EU", "ä-7", "x" * 100])
ODD_TEXTS = st.one_of(
    st.sampled_from(["", " padded", "padded ", "\tx", "nul\x00", "x" * 301, "y" * 101]),
    st.text(max_size=8),
)
ODD_VALUES = st.one_of(
    ODD_TEXTS,
    BAD_INSTANTS,
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b", "item"]), st.sampled_from(["v", 1]), max_size=2),
)
OPTIONAL = ["source", "kind", "idempotency_key", "region", "size", "attributes", "nul\x00name"]


@st.composite
def batches(draw: st.DrawFn) -> list[Any]:
    """A batch of one shape with plain values (what clients send), often with a few flaws."""
    extra = draw(st.lists(st.sampled_from(OPTIONAL[:5]), unique=True, max_size=3))
    names = ["item", "type", "at", *extra]
    elements: list[Any] = [
        {name: draw(GOOD_INSTANTS if name == "at" else PLAIN) for name in names}
        for _ in range(draw(st.integers(1, 6)))
    ]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        index = draw(st.integers(0, len(elements) - 1))
        flaw = draw(st.sampled_from(["value", "missing", "added", "element"]))
        element = elements[index]
        if flaw == "element":
            elements[index] = draw(st.one_of(ODD_VALUES, st.just([element])))
        elif isinstance(element, dict) and flaw == "missing":
            element.pop(draw(st.sampled_from(names)), None)
        elif isinstance(element, dict) and flaw == "added":
            element[draw(st.sampled_from(OPTIONAL))] = draw(st.one_of(PLAIN, ODD_VALUES))
        elif isinstance(element, dict):
            element[draw(st.sampled_from(names))] = draw(ODD_VALUES)
    return elements


def rows(columns: EventColumns) -> list[tuple[Any, ...]]:
    return [
        (source, item, kind_of_event, at, kind, dict(attributes), key)
        for source, item, kind_of_event, at, kind, attributes, key in zip(
            columns.sources,
            columns.items,
            columns.types,
            columns.ats,
            columns.kinds,
            columns.attributes,
            columns.idempotency_keys,
            strict=True,
        )
    ]


@settings(max_examples=600)
@given(batches(), st.sampled_from([None, "retry-7"]))
def test_the_column_check_agrees_with_the_reference(
    elements: list[Any], header: str | None
) -> None:
    columns = plain_columns(elements, header)
    if columns is None:
        return
    reference = check_elements(elements, header)
    assert reference.errors == []
    assert rows(columns) == rows(EventColumns.of(reference.events))


def test_the_usual_batches_take_the_column_check() -> None:
    usual = [
        [{"item": "L-1", "type": "qualified", "at": "2026-01-05T09:30:00+01:00"}],
        [
            {"item": f"L-{n}", "type": "contacted", "at": "2026-01-05T09:30:00Z", "region": "EU"}
            for n in range(3)
        ],
        [
            {
                "source": "hubspot",
                "item": "L-1",
                "type": "qualified",
                "at": "2026-01-05T09:30:00.5+01:00",
                "kind": "lead",
                "idempotency_key": "k-1",
                "region": "EU",
                "owner": "ana",
            }
        ],
    ]
    for elements in usual:
        columns = plain_columns(elements, None)
        assert columns is not None
        assert rows(columns) == rows(EventColumns.of(check_elements(elements, None).events))


def test_anything_unusual_goes_to_the_reference() -> None:
    good = {"item": "L-1", "type": "qualified", "at": "2026-01-05T09:30:00+01:00"}
    unusual = [
        [good, {**good, "region": "EU"}],  # keys differ between elements
        [{**good, "attributes": {"region": "EU"}}],  # nested attributes
        [{**good, "score": 7}],  # a number: the reference writes it as text
        [{**good, "at": "2026-01-05T09:30:00"}],  # no offset
        [{**good, "item": " L-1"}],  # padded
        [good, [good]],  # not an object
        [],
    ]
    for elements in unusual:
        assert plain_columns(elements, None) is None
