"""Lessons 04 and 07 state facts in their prose; a cell computes each, and these tests check
them (issue 13).

Each lesson runs in a temporary copy. Lesson 04 gets one extra cell before "Clean up", which
asserts what the prose says about the values the lesson's own cells computed: the doomed
job's JobSupervisor gives up alone with ``:shutdown`` at exactly 20.0 s (simulated time),
a permanent one would be restarted every 20 s forever, a duplicate id is the
JobSupervisor's ``{:shutdown, {:failed_to_start_child, ...}}``, a 5 s window never stops a
doomed job, the good jobs end at 20 s (direct) or 22.5 s (isolated), and the
JobSupervisors linger without ``auto_shutdown``. Lesson 07's facts are read from what its
cells printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lessons import LIMIT, printed, run_lesson

FACTS_04 = r"""
from jobber_lab.jobber.job import Job

# The doomed job's four processes share the id it was started with; it crashes at exactly
# 5, 10, 15 and 20 s (simulated time); its JobSupervisor gives up with :shutdown at 20.0 s,
# and JobRunner keeps its pid.
assert len(starts) == 4 and same, starts
assert crash_times == [5.0, 10.0, 15.0, 20.0], crash_times
assert gave_up.get("reason") == ":shutdown" and gave_up.time == 20.0, gave_up
assert app.job_runner == runner

# A permanent JobSupervisor: restarted once every 20 s, and the runner never gives up.
assert [e.time for e in restarts] == [20.0, 40.0, 60.0, 80.0] and runner_alive, restarts

# A duplicate id: the JobSupervisor's start error wraps the Job's {:already_started, pid},
# whose pid is the running Job's.
assert isinstance(first, otp.Ok) and isinstance(second, otp.Error), (first, second)
assert shutdown is otp.SHUTDOWN and child_id is Job and holder == running_job, second

# Elixir's default 5 s window never stops a doomed job (it holds at most 2 of its restarts,
# 5 s apart); the book's 30 s does, at the 4th crash.
assert windows[5] == (12, True, 2), windows
assert windows[30] == (4, False, 3), windows

# Side by side: the direct variant loses its good jobs and JobRunner's pid; isolated keeps both.
(direct, _, d_before, d_after), (isolated, _, i_before, i_after) = stories.values()
assert d_before != d_after and i_before == i_after
assert not [r for r in direct.job_rows() if r["status"] == "done"]
assert len([r for r in isolated.job_rows() if r["status"] == "done"]) == 3


def good_ends(story):
    jobs = {e.pid: e.get("job_id") for e in story.history if e.kind == "job_status"}
    return sorted((e.get("reason"), e.time) for e in story.history
                  if e.kind == "exited" and jobs.get(e.pid, "").startswith("good"))


# The good jobs end with :shutdown at 20 s under the direct variant, finish at 22.5 s isolated.
assert good_ends(direct) == [(":shutdown", 20.0)] * 3, good_ends(direct)
assert good_ends(isolated) == [(":normal", 22.5)] * 3, good_ends(isolated)

# Ghosts last GHOST_SECONDS (10 s) up to the tracer's latest event: the direct tree (latest
# event at 20 s) still shows the crashed doomed Jobs of 10, 15 and 20 s, the isolated one
# (latest at 22.5 s) only those of 15 and 20 s.
from jobber_lab.trace import GHOST_SECONDS, ghosts


def doomed_ghosts(graph):
    return sorted(g["exited"] for g in ghosts(graph).values()
                  if g["role"] == "worker" and str(g["label"]).startswith("doomed"))


assert GHOST_SECONDS == 10.0
left, right = doomed_ghosts(stories["direct"][1]), doomed_ghosts(stories["isolated"][1])
assert (left, right) == ([10.0, 15.0, 20.0], [15.0, 20.0]), (left, right)

# A lingering JobSupervisor keeps its transient Job's spec, with pid :undefined (OTP's
# supervisor deletes the spec of an exited child only when it is temporary).
assert [(c[0], c[1]) for c in children] == [(Job, otp.UNDEFINED)], children

print("facts: all as the prose says")
"""


@pytest.mark.timeout(LIMIT + 30)
def test_04_facts_are_what_the_prose_says(tmp_path: Path) -> None:
    nb = run_lesson("04_isolating_jobs.ipynb", tmp_path, before_clean_up=FACTS_04)
    # A cell that raised would have stopped run_lesson (nbclient's allow_errors is off).
    assert any("facts: all as the prose says" in text for text in printed(nb).values())
    counts = printed(nb)
    assert "'active': 3" in counts["c11"], counts["c11"]  # three lingering JobSupervisors
    assert "'active': 0" in counts["c13"], counts["c13"]  # none with auto_shutdown


@pytest.mark.timeout(LIMIT + 30)
def test_07_facts_are_what_the_prose_says(executed: Any) -> None:
    """Dead at once for everyone; the thread stuck in C code is reported as a zombie and
    unwinds once its sleep returns; nothing leaks."""
    out = printed(executed("07_appendix_killing_threads.ipynb"))
    assert "logically dead at once: {'polite': True, 'busy': True, 'stuck': True}" in out["a03"]
    assert "threads still running: []" in out["a04"], out["a04"]
    assert "Zombie thread:" in out["a04"] and "stuck still runs" in out["a04"], out["a04"]
    # "A zombie is declared two grace periods (2 x 0.2 wall s) after the death": never sooner.
    after = float(out["a04"].split("still runs ")[1].split("s after")[0])
    assert after >= 0.39, out["a04"]
    assert "leaked threads: []" in out["a11"]
