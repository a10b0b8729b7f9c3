"""The dashboard's renderer thread: read one moment of the trace, draw the tree and the
tables, write a pending export (:meth:`_Rendering._render`), then set the widgets' values
(:meth:`_Rendering._deliver`)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jobber_lab.draw import node_label, save_tree, tree_png, tree_svg
from jobber_lab.trace import GHOST_SECONDS

from ._controls import LOG_HEIGHT, NO_PROCESS, TREE_FIGSIZE
from ._dashboard_base import _DESCRIBED, PNG_SCALE, _Frame
from ._dashboard_clock import _ClockControls
from ._header import facts_from, header_html
from ._html import esc
from ._log import log_html
from ._moment import read_moment
from ._session import Session
from ._table import JobRowView, job_row_views, table_head


class _Rendering(_ClockControls):
    """What runs on the renderer thread (see the module docstring of ``_dashboard``)."""

    def _render(self) -> _Frame:
        """Read one moment, draw it, write a pending export: all on the renderer thread."""
        with self._lock:
            session, at, export, selected = self._session, self._at, self._export, self._selected
            step_seqs, step_pids = self._step_seqs, self._step_pids
            self._export = None
        live = at is None
        now = session.runtime.now() if live else None
        moment = read_moment(session.tracer, at, now)
        facts = facts_from(
            moment.graph,
            moment.rows,
            variant=session.variant,
            mode=session.runtime.mode,
            now=now,
            quota=session.app.import_quota,
            first_job_runner=session.first_job_runner,
            refused=moment.refused,
            replaced=moment.replaced,
            travel=None
            if live
            else f"seq {moment.seq} of {moment.last_seq} at {moment.now or 0.0:.1f}s",
        )
        # The tree marks the story itself (the new JobRunner, "just crashed" ghosts, fading
        # with ``now``), so ``highlight`` carries the student's selection and the processes
        # the last Step touched (draw_tree rings those in the picture, ghosts included).
        marked: set[str] = set(step_pids)
        if selected is not None:
            marked |= {
                str(node)
                for node, attrs in moment.graph.nodes(data=True)
                if str(node) == selected or attrs.get("job_id") == selected
            }
        ring = _ring_words(bool(step_pids), selected is not None)
        # The tree's title is the header's: the box's height is the tree's, not a caption's.
        clock = round(moment.now or 0.0, 1)
        key = (moment.seq, tuple(sorted(marked, key=str)), clock, ring)
        with self._lock:
            cached = self._cache
        if cached is not None and cached[0] == (session, *key):
            tree = cached[1]
        else:
            tree = self._tree_html(moment.graph, marked, moment.now, ring)
            with self._lock:
                if self._session is session:  # a Reset meanwhile: keep the new session's
                    self._cache = ((session, *key), tree)
        # Marks fade with runtime time: only a clock that follows the wall clock moves it
        # without a step (paused or unpaced, nothing fades until someone asks for time).
        follows_wall = not session.simulated or (session.paced and not session.runtime.paused)
        if live and now is not None and follows_wall:
            self._book_fade(moment.graph, now, session.time_scale)
        notice = self._export_now(session, export) if export is not None else None
        options = tuple(session.live_processes()) if not session.closed else ()
        return _Frame(
            session=session,
            at=at,
            tree=tree,
            header=header_html(facts),
            next_up=self._next_text(session),
            table=table_head(moment.rows),
            rows=tuple(job_row_views(moment.rows, moment.now)),
            log=log_html(
                moment.lines,
                LOG_HEIGHT,
                marked={i for i, seq in enumerate(moment.line_seqs) if seq in step_seqs},
            ),
            kill_options=options,
            last_seq=moment.last_seq,
            notice=notice,
        )

    def _book_fade(self, graph: Any, now: float, time_scale: float) -> None:
        """ "Just crashed" marks fade with time alone, with no event to signal it: book one
        more drawing for when the next of them expires (none when nothing is marked)."""
        marks = graph.graph.get("ghosts") or {}
        if not marks:
            return
        ends = [float(g["exited"]) + GHOST_SECONDS for g in marks.values() if "exited" in g]
        later = [end for end in ends if end > now]
        if later:
            self.renderer.notify_after((min(later) - now) * time_scale + 0.02)

    def _tree_html(
        self, graph: Any, marked: set[str], now: float | None = None, ring: str = "selected"
    ) -> str:
        """The tree box's content: the picture, scaled to fit the fixed box, and a text
        description naming every process (a screen reader's view, and what tests search)."""
        highlight = sorted(marked, key=str) or None
        # The key as a strip under the tree: beside it, it took a third of the box's width.
        kw: dict[str, Any] = {
            "highlight": highlight,
            "highlight_label": ring,
            "figsize": TREE_FIGSIZE,
            "legend": "below",
        }
        if now is not None:
            kw["now"] = now
        fit = "width:100%;height:100%"
        if self.tree_format == "svg":
            svg = tree_svg(graph, **kw).decode("utf-8")
            svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
            picture = svg.replace(
                "<svg ",
                f"<svg class='jl-tree-svg' style='{fit}' preserveAspectRatio='xMidYMid meet' ",
                1,
            )
        else:
            dpi = 96 * PNG_SCALE
            data = base64.b64encode(tree_png(graph, dpi=dpi, **kw)).decode("ascii")
            picture = (
                f"<img class='jl-tree-png' alt='' style='{fit};object-fit:contain' "
                f"src='data:image/png;base64,{data}'>"
            )
        return (
            f"<div class='jl-tree' role='img' aria-label='{esc(_describe(graph))}' "
            f"style='{fit}'>{picture}</div>"
        )

    def _export_now(self, session: Session, folder: Path) -> tuple[str, str]:
        """Write ``supervision_tree.png`` (live tree) and ``trace.jsonl`` into ``folder``."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tree = save_tree(
                session.tracer.graph,
                folder / "supervision_tree.png",
                title=f"Jobber supervision tree ({session.variant})",
            )
            count = session.tracer.save(folder / "trace.jsonl")
        except Exception as exc:
            return f"Export failed: {type(exc).__name__}: {exc}", "error"
        return f"Exported {tree} and {folder / 'trace.jsonl'} ({count} events)", "ok"

    def _deliver(self, frame: _Frame) -> None:
        """Set the widget values (from the renderer thread: setting reaches the browser)."""
        with self._ui:
            if self._closed or frame.session is not self._session:
                return  # a frame of a session that Reset already replaced
            c = self.controls
            if c.tree.value != frame.tree:
                c.tree.value = frame.tree
            c.header.value = frame.header
            self._show_next(frame.session, frame.next_up)
            c.table.value = frame.table
            self._set_rows(frame.rows)
            c.log.value = frame.log
            self._set_kill_options(frame.kill_options)
            with self._quieted():
                if frame.last_seq > c.slider.max or self._at is None:
                    c.slider.max = frame.last_seq
                if self._at is None:
                    c.slider.value = frame.last_seq
            if frame.notice is not None:
                self._say(*frame.notice)
        self._sync_clock(frame.session)  # a cell may have paused the runtime itself

    def _set_rows(self, views: tuple[JobRowView, ...]) -> None:
        """Show ``views`` in the row buttons, touching only what changed (each set is a
        message to the browser)."""
        selected = self._selected
        for i, button in enumerate(self.controls.rows):
            view = views[i] if i < len(views) else None
            display = "none" if view is None else "flex"
            if button.layout.display != display:
                button.layout.display = display
            if view is None:
                continue
            if button.description != view.text:
                button.description = view.text
                button.tooltip = f"{view.job_id}: click to ring it in the tree"
            if button.style.button_color != view.colour:
                button.style.button_color = view.colour
            chosen = view.job_id == selected
            if chosen != ("jl-selected" in button._dom_classes):
                (button.add_class if chosen else button.remove_class)("jl-selected")
        self._row_views = views

    def _set_kill_options(self, options: tuple[tuple[str, Any], ...]) -> None:
        """New options, keeping the student's choice while that process lives."""
        if options == self._kill_options:
            return
        self._kill_options = options
        target = self.controls.kill_target
        chosen = target.value
        target.options = [(NO_PROCESS, ""), *options]
        if chosen and any(value == chosen for _, value in options):
            target.value = chosen


def _describe(graph: Any) -> str:
    """Every process in the tree by name, job id, status and pid, in one line of text."""
    parts = []
    for node, attrs in list(graph.nodes(data=True))[:_DESCRIBED]:
        name = node_label(node, attrs)
        job = attrs.get("job_id")
        status = attrs.get("status")
        words = [str(job)] if job and str(job) != name else []
        words += [name] + ([str(status)] if status else []) + [str(node)]
        parts.append(" ".join(words))
    more = graph.number_of_nodes() - len(parts)
    return "Supervision tree: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _ring_words(stepped: bool, selected: bool) -> str:
    """The blue ring's words in the tree's legend: whose processes it marks."""
    if stepped and selected:
        return "selected / this step"
    return "this step" if stepped else "selected"
