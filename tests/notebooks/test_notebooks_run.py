"""Every course notebook runs top to bottom, headless, in under 60 s (issue 7).

Each notebook is copied into a temporary folder and executed there with nbclient, so
nothing it writes (pictures, traces, GIFs) and none of its outputs land in the repository.
The kernel is ``python3`` from this interpreter's environment (the .venv's ipykernel).
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from lessons import LIMIT, NOTEBOOKS, cell_text, printed, run_lesson, tags
from nbclient import NotebookClient

PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
EXERCISED = [p for p in PATHS if not p.name.startswith("00_")]


def test_the_python3_kernel_is_this_environments() -> None:
    spec = KernelSpecManager().get_kernel_spec("python3")
    argv0 = spec.argv[0]
    # ipykernel's own spec says "python" and is started with this interpreter, or names it.
    assert (
        argv0 in ("python", "python3", "{python}")
        or Path(argv0).resolve() == Path(sys.executable).resolve()
    ), f"kernel python3 runs {argv0!r}, not {sys.executable}"


@pytest.mark.timeout(LIMIT + 30)
@pytest.mark.parametrize("path", EXERCISED, ids=[p.stem for p in EXERCISED])
def test_run_all_leaves_each_exercise_as_the_student_wrote_it(path: Path, tmp_path: Path) -> None:
    """Issue 15: Run All never runs a solution. Each placeholder is checked "not yet", and
    each solution cell shows the solution folded (in a <details>) without running it."""
    nb = run_lesson(path, tmp_path)
    checks = [c for c in nb.cells if "check" in tags(c)]
    solutions = [c for c in nb.cells if "solution" in tags(c)]
    assert checks and solutions
    for cell in checks:
        text = cell_text(cell, html=True)
        assert "not yet" in text, (path.name, cell.source, text)
    for cell in solutions:
        shown = cell_text(cell, html=True)
        assert "<details" in shown and "all right" not in shown, (path.name, shown)


@pytest.mark.timeout(LIMIT + 30)
@pytest.mark.parametrize("path", EXERCISED, ids=[p.stem for p in EXERCISED])
def test_each_solution_passes_its_checker_through_its_reveal_path(
    path: Path, tmp_path: Path
) -> None:
    nb = run_lesson(path, tmp_path, reveal=True)
    for cell in nb.cells:
        if "solution" in tags(cell):
            text = cell_text(cell, html=True)
            assert "all right!" in text, (path.name, cell.source, text)


# ------------------------------------------------------------------ lesson 03's facts


@pytest.mark.timeout(LIMIT + 30)
def test_03_restart_facts_are_what_the_prose_says(executed: Any) -> None:
    """Lesson 03 says: a restart is start_link again with the original arguments (a new
    random id and a fresh state, an explicit id kept), a taken id is
    {:error, {:already_started, pid}}, a full DynamicSupervisor {:error, :max_children},
    Elixir's default 5 s window never stops a doomed job, and the log has two reports a
    crash plus the give-up's two."""
    out = printed(executed("03_supervisors_and_restarts.ipynb"), html=True)
    fresh = out["l03-rs-run"]
    assert "same id: False" in fresh, fresh
    assert "'status': 'errored', 'retries': 1" in fresh
    assert "'status': 'running', 'retries': 0" in fresh
    assert "same id: True | new pid: True | retries back to 0" in out["l03-rs-id"]
    dup = out["l03-rs-dup"]
    assert "Error(reason=(:already_started, <" in dup
    assert "the pid in the error is the first job's: True" in dup
    full = out["l03-rs-max"]
    assert full.count("Ok(value=") == 2 and "Error(reason=:max_children)" in full, full
    logs = out["l03-log-run"]
    assert "4 'GenServer ... terminating' reports, 6 supervisor reports." in logs, logs
    give_up = "supervisor=JobRunner errorContext=shutdown reason=:reached_max_restart_intensity"
    assert give_up in logs, logs
    assert "supervisor=Jobber.Supervisor errorContext=child_terminated reason=:shutdown" in logs
    windows = out["aac73221"]
    assert "{'runner_max_seconds': 5}: 12 crash(es) in 60 s" in windows, windows
    assert "gave up: none" in windows, windows


@pytest.mark.timeout(LIMIT + 30)
def test_03_times_and_pids_are_exact_in_simulation(executed: Any) -> None:
    """Issue 16: lesson 03 runs on simulated time, so what its prose states is exact: Crashy's
    supervisor gives up at 4 s; the doomed job crashes at 5, 10, 15 and 20 s, each time as a
    new Job pid; JobRunner is replaced at exactly 20 s by a new pid, the one whereis returns;
    three good jobs started at 17.5 s die with it at 20 s; two doomed jobs use up the budget
    at 10 s."""
    out = printed(executed("03_supervisors_and_restarts.ipynb"), html=True)
    assert "after 4.0 s the supervisor exited: :shutdown" in out["c10"], out["c10"]
    before, after = re.findall(r"Process.whereis\(JobRunner\) = (<[\d.]+>)", out["c12"])
    assert before != after, out["c12"]
    assert f"20.0 s later, Process.whereis(JobRunner) = {after}" in out["c12"], out["c12"]
    story = out["c13"]
    crash = r"^ *([\d.]+) s  doomed (<[\d.]+>) exits: RuntimeError: Boom!$"
    crashes = re.findall(crash, story, re.M)
    assert [t for t, _ in crashes] == ["5.0", "10.0", "15.0", "20.0"], story
    assert len({pid for _, pid in crashes}) == 4, story
    # Each Job starts at the crash of the one before it (the first at 0 s), with a new pid.
    starts = re.findall(r"^ *([\d.]+) s  Job (<[\d.]+>) starts", story, re.M)
    expected = [("0.0", crashes[0][1])]
    expected += [(t, pid) for (t, _), (_, pid) in itertools.pairwise(crashes)]
    assert starts == expected, story
    assert f" 20.0 s  JobRunner {before} exits: :shutdown" in story, story
    goods = out["c17"]
    assert goods.count("status: running | exit: :shutdown at 20.0 s") == 3, goods
    assert "0 of 3 done" in goods, goods
    # The tree (c15) draws three of the four crashed Jobs: a ghost lasts GHOST_SECONDS (10 s).
    ghosts = out["c15"]
    assert ghosts.count(": a ghost (ghosts last 10 s)") == 3, ghosts
    assert re.search(r"crashed at  5\.0 s, 15\.0 s ago: gone", ghosts), ghosts
    shared = out["ac91454a"]
    assert "crashes at [5.0, 5.0, 10.0, 10.0] s" in shared, shared
    assert "replaced 10.0 s later" in shared, shared


@pytest.mark.timeout(LIMIT + 30)
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=LIMIT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    started = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT, f"{path.name} took {elapsed:.1f} s (limit {LIMIT:.0f} s)"
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    # A Figure returned by a cell must show as a picture, not as "<Figure size ...>".
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if data.get("text/plain", "").startswith("<Figure"):
                assert "image/png" in data, f"{path.name} cell {index}: a Figure without a PNG"
