"""Two real processes refreshing one database at once evaluate each change exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import Engine

from tests.evaluation.support import AS_OF, ROOT, save_template, store_example_events

# Each process loads everything it needs, then refreshes once per "go" line and answers with
# the agreements it evaluated: both start each round together, without sleeping on either side.
REPLICA = """
import json, sys
from slawatch.store.db import make_engine
from slawatch.evaluation.service import refresh_all
engine = make_engine(sys.argv[1])
print("ready", flush=True)
for _line in sys.stdin:
    print(json.dumps(refresh_all(engine, as_of=int(sys.argv[2]))), flush=True)
"""


class Replicas:
    """Two `python -c` processes on one database, refreshing in lockstep rounds."""

    def __init__(self, database_url: str) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-c", REPLICA, database_url, str(AS_OF)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for _ in range(2)
        ]
        for answer in self._answers():
            assert answer == "ready"

    def _answers(self) -> list[str]:
        return [process.stdout.readline().strip() for process in self.processes]  # type: ignore[union-attr]

    def refresh(self) -> Counter[str]:
        for process in self.processes:
            process.stdin.write("go\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
        evaluated: Counter[str] = Counter()
        for answer in self._answers():
            evaluated.update(json.loads(answer))
        return evaluated

    def close(self) -> None:
        for process in self.processes:
            process.communicate(timeout=60)
            assert process.returncode == 0


# Replicas share one PostgreSQL in production; SQLite's claims are tested in-process.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_each_changed_agreement_is_evaluated_once_by_one_of_two_processes(
    engine: Engine, database_url: str
) -> None:
    for name in ("marketing-sales", "it-service", "hr-requests"):
        save_template(engine, name)
    store_example_events(engine)
    replicas = Replicas(database_url)
    try:
        assert replicas.refresh() == {"hr-requests": 1, "it-service": 1, "marketing-sales": 1}
        save_template(engine, "it-service", reason="review")
        assert replicas.refresh() == {"it-service": 1}
        assert replicas.refresh() == {}
    finally:
        replicas.close()
