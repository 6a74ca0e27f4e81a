"""Typed results: the evaluate JSON read back, and what a result says of its figures."""

import pytest

from slawatch.engine.kinds import result_of


@pytest.mark.parametrize(
    ("objective", "remaining"),
    [
        ({"kind": "clock", "value": 0.98, "target": 0.95, "op": ">="}, 0.6),
        ({"kind": "clock", "value": 0.95, "target": 0.95, "op": ">="}, 0.0),
        ({"kind": "ratio", "value": 0.90, "target": 0.95, "op": ">="}, -1.0),
        ({"kind": "ratio", "value": 0.04, "target": 0.10, "op": "<="}, 0.6),
        ({"kind": "ratio", "value": 0.0, "target": 0.10, "op": "<"}, 1.0),
        (
            {
                "kind": "availability",
                "value": 0.99,
                "target": 0.999,
                "op": ">=",
                "error_budget_remaining": 0.25,
            },
            0.25,
        ),
        ({"kind": "availability", "value": 0.9995, "target": 0.999, "op": ">="}, 0.5),
        ({"kind": "clock", "value": 1.0, "target": 1.0, "op": ">="}, None),
        ({"kind": "ratio", "value": 0.0, "target": 0.0, "op": "<="}, None),
        ({"kind": "clock", "value": None, "target": 0.95, "op": ">="}, None),
        ({"kind": "count", "value": 40, "target": 50, "op": ">="}, None),
    ],
)
def test_the_error_budget_is_the_unspent_share_of_the_allowed_failures(objective, remaining):
    found = result_of({"id": "x", "owner": "o", "status": "met", **objective}).budget_left()
    assert found == (None if remaining is None else pytest.approx(remaining))
