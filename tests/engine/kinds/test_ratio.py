"""The ratio kind: measuring it per period, and how a running period is judged."""

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.ratio import RatioObjective, ratio_status
from slawatch.engine.objectives import evaluate
from slawatch.engine.status import Status
from tests.engine.builders import agreement, instant, table, target

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_a_running_ratio_is_judged_as_it_stands():
    assert ratio_status(0.5, AT_LEAST, 0.8, running=True) is Status.AT_RISK
    assert ratio_status(None, AT_LEAST, 0.8, running=True) is Status.NO_DATA


def test_ratio_counts_numerators_among_the_periods_denominators():
    events = table(
        [
            ("a", "handed_over", "2026-01-10T10:00:00+01:00"),
            ("a", "converted", "2026-02-10T10:00:00+01:00"),  # counts for January's handover
            ("b", "handed_over", "2026-01-11T10:00:00+01:00"),
            ("c", "converted", "2026-01-12T10:00:00+01:00"),  # never handed over
        ]
    )
    conversion = RatioObjective(
        id="conversion",
        owner="marketing",
        title="Conversion",
        count="converted",
        of="handed_over",
        target=target(">=", 0.15),
    )
    result = evaluate(
        agreement({"conversion": conversion}), events, as_of=instant("2026-03-01T00:00:00+01:00")
    )
    january, february, march = (p.objectives[0] for p in result.periods)
    assert (january.value, january.columns()) == (0.5, {"numerator": 1, "denominator": 2})
    assert january.status is Status.MET
    assert (february.value, february.status) == (None, Status.NO_DATA)
    assert (march.value, march.status) == (None, Status.NO_DATA)  # its first instant
