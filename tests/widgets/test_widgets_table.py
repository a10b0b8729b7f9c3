"""The job table (``widgets._table``) as a pure function of job rows: no runtime, no threads."""

from __future__ import annotations

from jobber_lab.widgets._table import MAX_ROWS, job_row_views, shown_status, table_head


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
