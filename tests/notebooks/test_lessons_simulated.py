"""Lessons 01, 02 and 03 run on simulated time, and appendix 07 says why it does not (issue 16).

Their prose says that every run prints the same pids, times and order, and states times as
exact; these tests run the lessons (each in a temporary copy) and check both. Lesson 02's and
03's own facts are in ``test_lesson_02_facts.py`` and ``test_notebooks_run.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lessons import LIMIT, NOTEBOOKS, printed, run_lesson

SIMULATED = [
    "01_processes_and_messages.ipynb",
    "02_genserver_job.ipynb",
    "03_supervisors_and_restarts.ipynb",
]

# What may differ between two runs of a simulated lesson, none of it the runtime's: object
# addresses in a repr, and the file name IPython gives a cell in a traceback.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_CELL_FILE = re.compile(r"/tmp/ipykernel_\d+/\d+\.py")


def _lesson_text(nb: Any) -> dict[str, str]:
    """The text of the cells that run on the lesson's runtime: not the checkers', which
    make runtimes of their own."""
    checks = {
        c.get("id") for c in nb.cells if "check" in c.get("metadata", {}).get("tags", [])
    }
    return {
        cid: _CELL_FILE.sub("<cell>", _ADDRESS.sub(" at 0x…", text))
        for cid, text in printed(nb).items()
        if cid not in checks
    }


@pytest.mark.timeout(2 * LIMIT + 30)
@pytest.mark.parametrize("name", SIMULATED, ids=[n[:2] for n in SIMULATED])
def test_a_simulated_lesson_prints_the_same_text_every_run(
    name: str, tmp_path: Path, executed: Any
) -> None:
    first = _lesson_text(executed(name))  # one run shared with the facts tests, one fresh
    second = _lesson_text(run_lesson(name, tmp_path))
    assert "simulated" in (NOTEBOOKS / name).read_text() and first
    ids = first.keys() | second.keys()
    differ = sorted(cid for cid in ids if first.get(cid) != second.get(cid))
    assert not differ, {cid: (first.get(cid), second.get(cid)) for cid in differ}


@pytest.mark.timeout(LIMIT + 30)
def test_01_times_are_exact(executed: Any) -> None:
    """Lesson 01: `after 500` times out after exactly 0.5 s, the linked crash arrives after
    exactly 1 s, on a runtime that says it is simulated."""
    out = printed(executed(SIMULATED[0]))
    assert "simulated · as fast as possible" in out["c01"], out["c01"]
    assert "receive with after 500 -> :timeout after 0.5 s" in out["c07"], out["c07"]
    linked = "after 1.0 s the borrowed process was taken down by its link: RuntimeError: Boom!"
    assert linked in out["c09"], out["c09"]
    assert "still waiting in the mailbox, in order: ['low 1', 'low 2']" in out["c07"]
    # The exit-reason table's first column, measured: :normal leaves the watcher alive until
    # its own end at 5 s; the log after it holds only that cell's lines, the crash case's two.
    watched = out["c15"]
    assert "normal: the watcher survived, then ended :normal at its own time (5.0 s)" in watched
    assert "shutdown: the watcher died with it after 0.0 s: :shutdown" in watched, watched
    log = out["c16"].strip().splitlines()
    assert len(log) == 2 and all("crashed: RuntimeError: Boom!" in line for line in log), log


@pytest.mark.timeout(LIMIT + 30)
def test_07_shows_a_stalled_baton_and_why_it_stays_scaled(executed: Any) -> None:
    """Appendix 07 runs its kill ladder on a scaled runtime; its one simulated cell shows a
    process in time.sleep reported with a baton_held event and a RuntimeWarning, the
    simulated world going on without it (its clock reaches 5 s), and nothing leaking."""
    nb = executed("07_appendix_killing_threads.ipynb")
    ladder = next(c.source for c in nb.cells if c.get("id") == "a03")
    assert "Runtime(time_scale=" in ladder and "simulated" not in ladder, ladder
    out = printed(nb)
    held = out["a05simrun"]
    match = re.search(r"baton_held event at 0\.0 s for (<[\d.]+>) \(hog is (<[\d.]+>)\)", held)
    assert match and match[1] == match[2], held
    assert "the clock now: 5.0 s" in held, held
    assert "RuntimeWarning: " in held and "held the simulation's baton for" in held, held
    assert "no longer deterministic" in held and "leaked threads: []" in held, held
