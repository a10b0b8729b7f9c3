"""The job table: one row per job, coloured by status; a click on a row selects that job.

Rows are buttons (a click in an HTML widget never reaches Python), laid out as a table by
monospaced, padded text under an HTML header line. What each row says is a pure function of
the tracer's job rows (``Tracer.job_rows`` or ``trace.job_rows`` over a history prefix), so
the live view and time travel show the same table for the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jobber_lab.draw import STATUS_COLOURS
from jobber_lab.jobber import JobStatus

from ._html import esc, tint

__all__ = ["MAX_ROWS", "TABLE_CSS", "JobRowView", "job_row_views", "shown_status", "table_head"]

#: Rows shown; older jobs are summarised in one line (200 clicks must not make a 200-row page).
MAX_ROWS = 20

_EXITED = "#999999"  # a grey: not a status the job published, the process is just gone

#: No "type" column: a job's id starts with its kind (import-4), and the room is the tree's.
#: (heading, width in characters): the rows pad their cells to the same widths.
_COLUMNS = (("id", 11), ("status", 8), ("tries", 6), ("restarts", 9), ("pid", 10), ("age", 6))

#: Rows as table rows, not as buttons: flat, left-aligned, monospaced, one line each; the
#: selected job's row is outlined in the tree's highlight orange.
TABLE_CSS = """<style>
.jl-row.widget-button { text-align: left; justify-content: flex-start; white-space: pre;
  font-family: monospace; font-size: 11px; line-height: 18px; height: 18px; padding: 0 4px;
  margin: 0; border-radius: 0; box-shadow: none; color: #222; flex-shrink: 0; }
.jl-row.widget-button:hover { filter: brightness(0.93); box-shadow: none; }
.jl-row.jl-selected { outline: 2px solid #ff7f0e; outline-offset: -2px; font-weight: bold; }
.jl-jobs-head pre { margin: 0; font-size: 11px; line-height: 18px; font-weight: bold; }
</style>"""


@dataclass(frozen=True)
class JobRowView:
    """One row as shown: the text of its cells, its colour, and which job a click selects."""

    job_id: str
    pid: str | None
    status: str
    text: str
    colour: str


def _age(row: dict[str, Any], now: float | None) -> str:
    """Book seconds from the job's first process to its end (or to ``now`` while it runs)."""
    started = row.get("started")
    end = row.get("ended") if row.get("ended") is not None else now
    if started is None or end is None:
        return ""
    return f"{max(0.0, end - started):.1f}s"


def shown_status(row: dict[str, Any]) -> str:
    """The job's status, or ``exited`` when its process died mid-job (a crash, a kill).

    Jobs publish done/failed themselves; a doomed job never gets to: its last word was
    "running". Saying "running" for a dead job would be a lie the tree does not tell.
    """
    status = str(row.get("status") or JobStatus.NEW)
    if not row.get("alive", True) and status not in (JobStatus.DONE, JobStatus.FAILED):
        return "exited"
    return status


def _cells(cells: Sequence[Any]) -> str:
    return "".join(
        f"{'' if c is None else c!s:<{width}}"
        for c, (_, width) in zip(cells, _COLUMNS, strict=True)
    ).rstrip()


def job_row_views(rows: Sequence[dict[str, Any]], now: float | None) -> list[JobRowView]:
    """The rows to show, newest job first (the box has a fixed height: the job just started
    must be the one in view); ``now`` (runtime seconds) ages the jobs still running."""
    views = []
    for row in reversed(list(rows)[-MAX_ROWS:]):
        status = shown_status(row)
        cells = (row.get("id"), status, row.get("attempts"), row.get("restarts"), row.get("pid"))
        views.append(
            JobRowView(
                job_id=str(row.get("id")),
                pid=None if row.get("pid") is None else str(row.get("pid")),
                status=status,
                text=_cells((*cells, _age(row, now))),
                colour=tint(STATUS_COLOURS.get(status, _EXITED)),
            )
        )
    return views


def table_head(rows: Sequence[dict[str, Any]]) -> str:
    """The header line above the rows, or the hint shown before the first job."""
    if not rows:
        return "<div class='jl-jobs-head'><i>No jobs yet: press a job button.</i></div>"
    older = len(rows) - min(len(rows), MAX_ROWS)
    note = f" (+{older} older)" if older else ""
    head = _cells([name for name, _ in _COLUMNS])
    return f"<div class='jl-jobs-head'><pre>{esc(head)}{esc(note)}</pre></div>"
