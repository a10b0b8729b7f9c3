"""Lessons 05 and 06 state facts in their prose; the cell that shows each must show it
(issue 13). Each lesson runs once, headless, in a temporary folder, and its cells are found
by their ids, so a reworded cell still finds its fact or fails by name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lessons import LIMIT, printed, run_lesson


@pytest.mark.timeout(LIMIT + 30)
def test_facts_of_05_registry_and_quotas(tmp_path: Path) -> None:
    out = printed(run_lesson("05_registry_and_quotas.ipynb", tmp_path))
    # A unique key has one owner: a second register is refused, naming it.
    assert "Error(reason=(:already_registered, <" in out["c03"], out["c03"]
    # The entry outlives its owner's DOWN until the Registry handles the EXIT.
    [during, after_down, cleaned] = out["c07"].strip().splitlines()
    assert "'job-2'" in during and "DEAD" not in during, during
    assert "('job-2', " in after_down and "'DEAD')" in after_down, after_down
    assert "count: 3" in after_down, after_down
    assert "job-2" not in cleaned, cleaned
    # The app's quota: 3 imports in, the 4th refused, a report job still accepted.
    imports = re.findall(r'start_job\(type: "import"\) -> (\w+)', out["c11"])
    assert imports == ["Ok", "Ok", "Ok", "Error"], out["c11"]
    assert ":import_quota_reached" in out["c11"], out["c11"]
    assert 'start_job(type: "report") -> Ok' in out["c11"], out["c11"]
    # Flaw 3: stale select entries would make the book's check refuse; the app's does not.
    assert "at 21.0 s the imports are done" in out["c13"], out["c13"]  # 20 s jobs from 1.0 s
    assert "alive: [False, False, False]" in out["c13"], out["c13"]
    assert "would refuse: True" in out["c13"], out["c13"]
    assert "(it skips dead pids) -> Ok" in out["c13"], out["c13"]
    # Flaw 2, with the book's start_job: 20 callers at once, every one of them admitted.
    assert "the runtime: 20 of 20 imports got in" in out["4703ddd9"], out["4703ddd9"]
    # The book's alternative: max_children: 3 refuses the 4th child with :max_children.
    started = out["c18b"].strip().splitlines()[:4]
    assert [line.split("(")[0] for line in started] == ["Ok", "Ok", "Ok", "Error"], started
    assert started[3] == "Error(reason=:max_children)", started


@pytest.mark.timeout(LIMIT + 30)
def test_facts_of_06_tracing_and_pictures(tmp_path: Path) -> None:
    out = printed(run_lesson("06_tracing_and_pictures.ipynb", tmp_path))
    assert "the replayed graph equals the live one: True" in out["c12"], out["c12"]
    # The story the exercise reads: 4 crashes under JobRunner, then JobRunner itself exits
    # :shutdown and comes back (its replacement is the last restart).
    rows = [line.split() for line in out["c17-trace"].strip().splitlines()[1:]]
    kinds = [(row[2], row[-1]) for row in rows]
    assert kinds == [
        ("exited", "crash"),
        ("child_restarted", "restarted"),
        ("exited", "crash"),
        ("child_restarted", "restarted"),
        ("exited", "crash"),
        ("child_restarted", "restarted"),
        ("exited", "crash"),
        ("exited", "shutdown"),
        ("child_restarted", "restarted"),
    ], out["c17-trace"]
    assert rows[-1][-2] == "JobRunner", rows[-1]
    # A doomed job on simulated time: crashes exactly every 5 s, restarts in the same instant.
    assert [float(row[0]) for row in rows] == [5, 5, 10, 10, 15, 15, 20, 20, 20], rows
    # "JobRunner gives up at 20.0 s": its 4th restart in 30 s was one too many.
    assert (
        "intensity_reached event: at 20.0 s, 4 restarts in the window (max_restarts=3)"
        in out["c17-compare"]
    ), out["c17-compare"]
    assert "the last crash: at 20.0 s" in out["c17-compare"], out["c17-compare"]
    # The 20.1 s tree of the replay: JobRunner replaced, nothing under its new pid.
    assert "--- at 20.1 s ---" in out["c12"], out["c12"]
    # c04b: "~" marks the dynamic children, and short's lingering JobSupervisor reads its
    # job's latest status, "job short done" (tests/trace/test_trace_jobsup_status.py).
    assert "~ short" in out["c04"] and "job short done" in out["c04"], out["c04"]
