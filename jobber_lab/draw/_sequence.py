"""Message sequence diagrams, like Livebook's ``Kino.Process.seq_trace``, from a recorded trace.

Why from a trace rather than live: message events are opt-in (``Runtime(trace_messages=
True)``) and cheap to keep, so a lesson records a scenario once and draws the conversation
between, say, the caller, JobRunner and a new JobSupervisor afterwards, as often as it likes.

What a student should read off it: who talks to whom (lifelines named as everywhere else in
the course, the pid beneath), and each message in the book's words (``GenServer.call(:inc)``,
``{:reply, 1}``, ``{:DOWN, ...}``); hovering an arrow in the SVG shows the whole term.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from ._events import EventView, Labels, name_with_pid, process_names, view
from ._messages import elixir_term, parse_term, summarise
from ._style import legend_below, say_empty
from ._tooltips import add_tooltip

__all__ = ["TAG_COLOURS", "TAG_LEGEND", "draw_sequence", "sequence_rows"]

#: Message tag -> arrow colour.
TAG_COLOURS: dict[str, str] = {
    "call": "#1f77b4",
    "reply": "#2ca02c",
    "cast": "#9467bd",
    "info": "#7f7f7f",
    "EXIT": "#d62728",
    "DOWN": "#ff7f0e",
}
#: Message tag -> what the legend calls it.
TAG_LEGEND: dict[str, str] = {
    "call": "GenServer.call",
    "reply": "reply to a call",
    "cast": "GenServer.cast",
    "info": "plain message (send)",
    "EXIT": "exit signal {:EXIT, ...}",
    "DOWN": "monitor {:DOWN, ...}",
}
EXTERNAL = "external"  # the lifeline of messages sent from outside any process

#: Text sizes (points): nothing in the diagram is smaller than ``_SMALL``.
_SMALL = 9.0
_LIFELINE = 10.0
_TITLE = 11.0
#: Inches: one message row, and the width one character of 9-pt text takes.
_ROW = 0.42
_CHAR = 0.075


@dataclass(frozen=True)
class Row:
    """One message as drawn: sender and receiver lifelines, when, its tag and its words."""

    sender: str
    receiver: str
    time: float
    tag: str
    summary: str
    term: str  # the whole message in Elixir notation
    recorded: str  # the text the event holds


def draw_sequence(
    events: Iterable[Any],
    pids: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    max_messages: int = 120,
    title: str | None = None,
    labels: Labels | None = None,
) -> Figure:
    """Draw ``message_sent`` events as a sequence diagram and return the Figure.

    One lifeline per process (``pids`` in that order, or every process that sends or
    receives, in order of first appearance; a message from outside any process comes from
    an ``external`` lifeline), named by the course's naming rule with the pid beneath
    (``labels``, e.g. ``tracer.label_of``, names processes the events do not). Arrows go
    from sender to receiver, top to bottom in sequence order, coloured by tag and labelled
    with the message as the book writes it; the SVG output holds each whole message as the
    arrow's tooltip. An exit signal or a monitor's ``:DOWN`` is drawn from the process it
    reports on. Only messages between chosen lifelines are drawn; past ``max_messages`` the
    rest are counted in the title, because a diagram of a thousand arrows teaches nothing.
    """
    if not isinstance(max_messages, int) or isinstance(max_messages, bool) or max_messages < 0:
        raise ValueError(f"draw_sequence(max_messages): expected an int >= 0, got {max_messages!r}")
    evs = view(events)
    names = process_names(evs, labels)
    rows = sequence_rows(evs)
    order = _lifelines(rows) if pids is None else [str(p) for p in pids]
    column = {p: i for i, p in enumerate(order)}
    chosen = [r for r in rows if r.sender in column and r.receiver in column]
    hidden = max(len(chosen) - max_messages, 0)
    chosen = chosen[:max_messages]

    fig, ax, own_figure = _figure(ax, order, chosen)
    ax.set_title(_heading(title, hidden, max_messages), fontsize=_TITLE, loc="left", pad=12)
    _draw_lifelines(ax, order, names, len(chosen))
    if not chosen:
        _draw_no_messages(ax)
        return fig
    for index, row in enumerate(chosen, start=1):
        _draw_message(ax, -index, column[row.sender], column[row.receiver], row, names)
    _draw_times(ax, chosen)
    _draw_legend(fig, ax, chosen, own_figure)
    return fig


def _heading(title: str | None, hidden: int, max_messages: int) -> str:
    """The title, saying how many messages were left out past ``max_messages``."""
    heading = title or "messages"
    if hidden:
        heading += f" (first {max_messages}; {hidden} more not drawn)"
    return heading


def _draw_no_messages(ax: Axes) -> None:
    """Say why the diagram is empty (and how to record messages)."""
    say_empty(ax, "no message events (Runtime(trace_messages=True) records them)", _SMALL)


def sequence_rows(events: Iterable[Any]) -> list[Row]:
    """The ``message_sent`` events as :class:`Row` s, in order (what the arrows will say)."""
    rows: list[Row] = []
    for e in view(events):
        if e.kind != "message_sent":
            continue
        recorded = str(e.get("message", ""))
        tag = str(e.get("tag") or "info")
        receiver = e.get("other")
        rows.append(
            Row(
                sender=_sender(e, recorded, tag),
                receiver=str(receiver) if receiver is not None else EXTERNAL,
                time=e.time,
                tag=tag,
                summary=summarise(recorded, tag),
                term=elixir_term(recorded),
                recorded=recorded,
            )
        )
    return rows


def _sender(e: EventView, recorded: str, tag: str) -> str:
    """Who sent it; a signal the runtime delivers on a dead process's behalf (an exit
    signal, a monitor's ``:DOWN``) comes from the process it is about, as in the book."""
    if e.pid is not None:
        return e.pid
    if tag in ("EXIT", "DOWN"):
        items = parse_term(recorded).items
        about = items[1] if tag == "EXIT" and len(items) > 1 else None
        if tag == "DOWN" and len(items) > 3:
            about = items[3]
        if about is not None and about.kind == "scalar" and about.text.startswith("<"):
            return about.text
    return EXTERNAL


def _lifelines(rows: Sequence[Row]) -> list[str]:
    order: list[str] = []
    for row in rows:
        for pid in (row.sender, row.receiver):
            if pid not in order:
                order.append(pid)
    return order


def _figure(
    ax: Axes | None, order: Sequence[str], rows: Sequence[Row]
) -> tuple[Figure, Axes, bool]:
    """The caller's axes, or a figure sized so every label fits at its real size.

    A column is as wide as the longest message text needs; the figure's constrained layout
    keeps the title, the lifeline names, the times and the legend inside it, so no viewer's
    trimming can cut them.
    """
    if ax is not None:
        fig = ax.get_figure(root=True)
        assert isinstance(fig, Figure)
        return fig, ax, False
    longest = max((len(r.summary) for r in rows), default=10)
    names = max((len(p) for p in order), default=8)
    gap = min(max(_CHAR * max(longest, names) + 0.4, 1.9), 3.6)
    width = min(max(gap * max(len(order), 1) + 1.1, 5.0), 22.0)
    height = min(max(_ROW * len(rows) + 2.2, 3.0), 60.0)
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot(), True


def _draw_lifelines(ax: Axes, order: Sequence[str], names: dict[str, str], n_rows: int) -> None:
    bottom = -(n_rows + 1)
    ax.add_collection(
        LineCollection(
            [((i, -0.3), (i, bottom)) for i in range(len(order))],
            colors="#bbbbbb",
            linestyles="--",
            linewidths=1.0,
            zorder=1,
        ),
        autolim=False,
    )
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels([name_with_pid(p, names) for p in order], fontsize=_LIFELINE)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, pad=6)
    # On top the ticks show label2; those Text objects persist through draws, so they keep
    # the gid their tooltip needs.
    for pid, tick in zip(order, ax.xaxis.get_major_ticks(), strict=False):
        add_tooltip(tick.label2, _who(pid, names))
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(-0.5, max(len(order) - 0.5, 0.5))
    ax.set_ylim(bottom + 0.4, -0.3)


def _who(pid: str, names: dict[str, str]) -> str:
    name = names.get(pid)
    return f"{name} {pid}" if name and name != pid else pid


def _draw_message(
    ax: Axes, y: float, x0: float, x1: float, row: Row, names: dict[str, str]
) -> None:
    colour = TAG_COLOURS.get(row.tag, "#333333")
    arrow: dict[str, Any] = {"arrowstyle": "-|>", "color": colour, "lw": 1.3}
    if x0 == x1:  # a message to itself (a timer, send(self(), ...)): a loop
        # out to the right by 22 points, down, and back: a bracket a reader can see
        arrow.update(connectionstyle="bar,armA=-22,armB=-22,fraction=0", shrinkA=0, shrinkB=0)
        start, head = (x0, y + 0.15), (x1, y - 0.3)
        text_at, align, shift = (x0, y - 0.05), "left", 28.0  # points: past the bracket
        _widen_for(ax, x0, row.summary)
    else:
        arrow.update(shrinkA=0, shrinkB=0)
        start, head = (x0, y), (x1, y)
        text_at, align, shift = ((x0 + x1) / 2, y + 0.06), "center", 0.0
    drawn = ax.annotate("", xy=head, xytext=start, zorder=3, arrowprops=arrow)
    label = ax.text(
        *text_at,
        row.summary,
        fontsize=_SMALL,
        color=colour,
        ha=align,
        va="bottom",
        parse_math=False,
        zorder=4,
        transform=offset_copy(ax.transData, fig=ax.get_figure(root=True), x=shift, units="points"),
    )
    tip = (
        f"{row.summary}\n{_who(row.sender, names)} → {_who(row.receiver, names)}"
        f" at {row.time:.3f} s ({row.tag})\n{row.term}\nas recorded: {row.recorded}"
    )
    add_tooltip(label, tip)
    if drawn.arrow_patch is not None:
        add_tooltip(drawn.arrow_patch, tip)


def _widen_for(ax: Axes, x: float, text: str) -> None:
    """Make room right of a self-loop on the last lifeline, so its label is not cut."""
    left, right = ax.get_xlim()
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    axes_inches = max(fig.get_figwidth() * ax.get_position().width, 1.0)
    per_unit = axes_inches / max(right - left, 1.0)
    need = x + (0.45 + _CHAR * len(text)) / per_unit + 0.1
    if need > right:
        ax.set_xlim(left, need)


def _draw_times(ax: Axes, rows: Sequence[Row]) -> None:
    """Runtime time of each message, as the y tick labels (so the layout makes room)."""
    ax.set_yticks([-i for i in range(1, len(rows) + 1)])
    span = rows[-1].time - rows[0].time
    digits = 2 if span >= 10 else 3  # close messages must not all read "1.00 s"
    ax.set_yticklabels([f"{r.time:.{digits}f} s" for r in rows], fontsize=_SMALL, color="#888888")
    ax.tick_params(axis="y", length=0)


def _draw_legend(fig: Figure, ax: Axes, rows: Sequence[Row], own_figure: bool) -> None:
    tags: list[str] = []
    for row in rows:
        if row.tag not in tags:
            tags.append(row.tag)
    handles = [
        Line2D([], [], color=TAG_COLOURS.get(t, "#333333"), lw=1.6, label=TAG_LEGEND.get(t, t))
        for t in tags
    ]
    if own_figure:  # below the diagram, inside the figure's layout
        legend_below(fig, handles, max_cols=3, fontsize=_SMALL)
    else:
        ax.legend(handles=handles, loc="lower right", fontsize=_SMALL, framealpha=0.9)
