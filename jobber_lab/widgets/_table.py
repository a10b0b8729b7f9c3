"""The job table: one row per job, coloured by status, as an HTML string.

A pure function of the tracer's job rows (``Tracer.job_rows`` or ``trace.job_rows`` over a
history prefix), so the live view and time travel show the same table for the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobber_lab.draw import STATUS_COLOURS

from ._html import esc, tint

__all__ = ["MAX_ROWS", "job_table_html", "shown_status"]

#: Rows shown; older jobs are summarised in one line (200 clicks must not make a 200-row page).
MAX_ROWS = 20

_EXITED = "#999999"  # a grey: not a status the job published, the process is just gone

#: No "type" column: a job's id starts with its kind (import-4), and the room is the tree's.
_COLUMNS = ("id", "status", "tries", "restarts", "pid", "age")


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
    status = str(row.get("status") or "new")
    if not row.get("alive", True) and status not in ("done", "failed"):
        return "exited"
    return status


def job_table_html(rows: Sequence[dict[str, Any]], now: float | None) -> str:
    """The table, newest job first (the box has a fixed height: the job just started must be
    the one in view); ``now`` (runtime seconds) ages the jobs still running."""
    if not rows:
        return "<div class='jl-jobs'><i>No jobs yet: press a job button.</i></div>"
    shown = list(rows)[-MAX_ROWS:]
    head = "".join(f"<th style='text-align:left;padding:0 4px'>{c}</th>" for c in _COLUMNS)
    body = []
    for row in reversed(shown):
        status = shown_status(row)
        colour = tint(STATUS_COLOURS.get(status, _EXITED))
        cells = (
            row.get("id"),
            status,
            row.get("attempts"),
            row.get("restarts"),
            row.get("pid"),
            _age(row, now),
        )
        tds = "".join(f"<td style='padding:0 4px'>{esc(c)}</td>" for c in cells)
        body.append(f"<tr class='jl-job jl-{esc(status)}' style='background:{colour}'>{tds}</tr>")
    older = len(rows) - len(shown)
    note = f"<div><i>… and {older} older jobs</i></div>" if older else ""
    return (
        "<div class='jl-jobs'><table style='border-collapse:collapse;font-family:monospace;"
        f"font-size:11px;line-height:1.35;white-space:nowrap'><tr>{head}</tr>{''.join(body)}</table>{note}</div>"
    )
