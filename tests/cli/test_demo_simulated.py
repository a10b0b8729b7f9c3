"""`jobber-lab demo --simulated`: the seed's story at the book's timings, the same text on
every run (each run is a fresh interpreter, as a student's would be)."""

from __future__ import annotations

import subprocess
import sys


def _demo() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jobber_lab", "demo", "--simulated", "--out", ""],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_the_simulated_demo_tells_the_same_story_every_run() -> None:
    first, second = _demo(), _demo()
    assert first == second
    lines = first.splitlines()
    assert "on simulated time" in lines[0]
    # The book's timings, exact: the doomed job crashes every 5 s, JobRunner is replaced at 20.
    assert any(
        line.startswith("[ 20.00 s] Jobber.Supervisor restarted JobRunner") for line in lines
    )
    crashes = [line[:11] for line in lines if "doomed job" in line and "crashed" in line]
    assert crashes[:4] == ["[  5.00 s] ", "[ 10.00 s] ", "[ 15.00 s] ", "[ 20.00 s] "]
    assert "wall time" not in first  # the one thing that would differ from run to run
