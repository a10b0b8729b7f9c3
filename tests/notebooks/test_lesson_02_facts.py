"""Lesson 02 states facts in its prose; a cell computes each, and this test checks them (issue 13).

The lesson is executed in a temporary copy with one extra cell before "Clean up", which
asserts what the prose says about the values the lesson's own cells computed: when
``terminate/2`` runs, what ``start_child`` returns for each ``init`` outcome, what the
``shutdown`` option does, how the Job's steps behave, and what the crash report holds.
The lesson runs on simulated time (issue 16), so the times the prose states are exact, and
the test also reads them where the cells print them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lessons import LIMIT, NOTEBOOKS, printed, run_lesson

LESSON = NOTEBOOKS / "02_genserver_job.ipynb"

FACTS = r"""
# terminate/2 runs when the server ends itself; on another's exit signal only while trapping;
# never on :kill.
itself = ("GenServer.stop(pid)", "returns {:stop, :enough, state}", "a callback raises")
signals = ("its supervisor shuts it down", "its linked parent crashes")
assert all(ran[how, trap] for how in itself for trap in (False, True)), ran
assert all(ran[how, True] and not ran[how, False] for how in signals), ran
assert not ran["Process.exit(pid, :kill)", False] and not ran["Process.exit(pid, :kill)", True]

# init outcomes: what start_child returns, and what a non-trapping start_link caller gets.
assert isinstance(starts["ok"], otp.Ok) and starts["ignore"] is IGNORE, starts
assert starts["stop"] == otp.Error(otp.Atom("no_config")), starts
assert callers["ignore"].startswith("start_link returned :ignore"), callers
assert callers["stop"] == "died: :no_config", callers

# child_spec: the book's Job is transient with the default 5 s shutdown.
assert spec.restart is Restart.TRANSIENT and spec.shutdown is None and spec.shutdown_value == 5.0

# shutdown: 2 s is too short for a 10 s terminate (killed); 20 s lets it finish.
assert shutdowns[2] == (otp.KILLED, False) and shutdowns[20] == (otp.SHUTDOWN, True), shutdowns

# Step 4 without the guard: still retrying after 38 s, 4 attempts 10 s apart, 3 retries counted.
assert attempt_times == [0.0, 10.0, 20.0, 30.0], attempt_times
assert statuses[-1].get("retries") == 3 and otp.is_alive(endless) is False  # killed after

# Step 5: the book's bad job: results at 5, 15, 25 and 35 s, failed, a normal exit at 35 s.
start = bad_events[0].time
results = [(e.time - start, e.get("status")) for e in bad_events
           if e.kind == "job_status" and e.get("status") not in ("new", "running")]
assert results == [(5.0, "errored"), (15.0, "errored"), (25.0, "errored"), (35.0, "failed")]
final = [e for e in bad_events if e.kind == "job_status"][-1]
exit_event = [e for e in bad_events if e.kind == "exited"][-1]
assert final.get("retries") == 3 and exit_event.get("reason_kind") == "normal"
assert exit_event.time - start == 35.0, exit_event.time - start
# Its timeline (c11): drawn from the job's start, a retry marked at each of 10, 20 and 30 s
# although the lesson's publish sends no attempt count.
fig = draw_timeline(bad_events, origin=start)
retry_marks = [c for c in fig.axes[0].collections if c.get_label() == "retry"]
assert [float(x) for c in retry_marks for x, _ in c.get_offsets()] == [10.0, 20.0, 30.0]
left, right = fig.axes[0].get_xlim()
assert left < 0.0 < 35.0 < right and "since the story began" in fig.axes[0].get_xlabel()

# The crash report: one, for the doomed job, with the continue as its last message.
[report] = [r.report for r in reports.records]
assert report.last_message[0] is otp.Atom("continue") and report.last_message[1] == "run"
assert isinstance(report.reason, otp.Crash) and str(report.reason.exception) == "Boom!"
assert report.text().startswith("GenServer #PID<") and "** (RuntimeError) Boom!" in report.text()

# max_retries: 0 retries forever: attempts at 0, 6, ..., 48 s in 50 s.
assert attempts == 9, attempts
assert otp.current_runtime() is rt and rt.simulated
print("facts hold")
"""


@pytest.mark.timeout(LIMIT + 30)
def test_lesson_02_computes_the_facts_its_prose_states(tmp_path: Path) -> None:
    nb = run_lesson(LESSON, tmp_path, before_clean_up=FACTS)
    [facts] = [c for c in nb.cells if c.cell_type == "code" and c.source == FACTS]
    assert any("facts hold" in o.get("text", "") for o in facts.outputs), facts.outputs
    printed_ = printed(nb)
    # Exact times, as the prose states them: a 2 s shutdown kills at 2.0 s, a 20 s one lets a
    # 10 s terminate finish; a job's work takes 5.0 s; start returns at once.
    slow = printed_["p1slow"]
    assert "exit :killed   after  2.0 s" in slow and "exit :shutdown after 10.0 s" in slow, slow
    assert "after 0.0 s" in printed_["s2a"] and "   5.0 s  exited: :normal" in printed_["s2a"]
    assert "   5.0 s  status done" in printed_["s2b"], printed_["s2b"]
    assert "   5.0 s  exited: FunctionClauseError" in printed_["s2b"], printed_["s2b"]
    assert "after 38 s: 4 attempts, started at [0.0, 10.0, 20.0, 30.0] s" in printed_["s2c_code"]
    assert "  35.0 s  exited: :normal" in printed_["c06"], printed_["c06"]
    assert "   5.0 s  exited: RuntimeError: Boom!" in printed_["c13"], printed_["c13"]
    assert "after 50 s: 9 attempts and still going" in printed_["c15"], printed_["c15"]
    assert printed_["f970061c"].startswith("4 crashes"), printed_["f970061c"]
