"""The header, table and log as pure functions of trace data: no runtime, no threads."""

from __future__ import annotations

import networkx as nx

from jobber_lab.widgets._header import HeaderFacts, header_html, job_runner_of, running_imports_of
from jobber_lab.widgets._log import log_html
from jobber_lab.widgets._table import MAX_ROWS, job_row_views, shown_status, table_head


def facts(**changes: object) -> HeaderFacts:
    base = dict(
        variant="direct",
        time_scale=0.1,
        quota=3,
        job_runner="<0.9.0>",
        first_job_runner="<0.9.0>",
        running_imports=1,
        processes=7,
        done=2,
        failed=1,
        zombies=0,
        refused=0,
        travel=None,
    )
    return HeaderFacts(**{**base, **changes})  # type: ignore[arg-type]


def test_header_marks_a_new_job_runner_and_a_full_quota() -> None:
    same = header_html(facts())
    assert "JobRunner &lt;0.9.0&gt;" in same and "jl-runner-changed" not in same
    changed = header_html(facts(job_runner="<0.31.0>", running_imports=3, refused=2))
    assert "jl-runner-changed" in changed and "replaced &lt;0.9.0&gt;" in changed
    again = header_html(facts(job_runner="<0.40.0>", replaced="<0.31.0>"))
    assert "replaced &lt;0.31.0&gt;" in again  # the pid just replaced, not the first one
    assert "imports 3 / 3 (quota reached)" in changed and "2 imports refused" in changed
    assert "JobRunner: down" in header_html(facts(job_runner=None))
    assert "2 zombie threads" in header_html(facts(zombies=2))
    assert "time travel: seq 4 of 9" in header_html(facts(travel="seq 4 of 9"))


def test_graph_readers() -> None:
    g = nx.DiGraph()
    g.add_node("<0.5.0>", name="JobRunner")
    g.add_node("<0.8.0>", name=None, job_type="import")
    g.add_node("<0.9.0>", name=None, job_type="import", zombie=True)
    assert job_runner_of(g) == "<0.5.0>"
    assert running_imports_of(g) == 1
    assert job_runner_of(nx.DiGraph()) is None


def row(job_id: str, status: str, alive: bool = True, ended: float | None = None) -> dict:
    return {
        "id": job_id,
        "type": None,
        "status": status,
        "attempts": 1,
        "restarts": 0,
        "pid": "<0.9.0>",
        "started": 1.0,
        "ended": ended,
        "alive": alive,
    }


def test_table_rows_newest_first_coloured_aged_and_aligned() -> None:
    views = job_row_views([row("a<b", "done", False, 6.0), row("x", "running")], now=3.5)
    assert [v.job_id for v in views] == ["x", "a<b"]  # newest first: in view in a fixed box
    running, done = views
    assert running.text.split() == ["x", "running", "1", "0", "<0.9.0>", "2.5s"]
    assert done.text.split()[-1] == "5.0s" and done.status == "done"
    assert running.colour != done.colour
    assert running.text.index("running") == table_head([row("x", "new")]).index("status") - (
        len("<div class='jl-jobs-head'><pre>")
    )  # cells line up under their headings
    assert shown_status(row("d", "running", alive=False)) == "exited"
    assert shown_status(row("d", "failed", alive=False)) == "failed"
    many = [row(f"j{n}", "done") for n in range(MAX_ROWS + 5)]
    assert len(job_row_views(many, now=2.0)) == MAX_ROWS and "+5 older" in table_head(many)
    assert "No jobs yet" in table_head([])


def test_log_colours_the_words_that_matter_and_escapes() -> None:
    html = log_html(["Job completed <x>", "Supervisor JobSupervisor gave up (...)", "plain"])
    assert "&lt;x&gt;" in html and "#2e7d32" in html and "#c0392b" in html
    assert "no events yet" in log_html([])
