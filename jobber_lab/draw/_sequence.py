"""Message sequence diagrams, like Livebook's ``Kino.Process.seq_trace``, from a recorded trace.

Why from a trace rather than live: message events are opt-in (``Runtime(trace_messages=
True)``) and cheap to keep, so a lesson records a scenario once and draws the conversation
between, say, the caller, JobRunner and a new JobSupervisor afterwards, as often as it likes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._events import names_of, view
from ._style import short

__all__ = ["TAG_COLOURS", "draw_sequence"]

#: Message tag -> arrow colour.
TAG_COLOURS: dict[str, str] = {
    "call": "#1f77b4",
    "reply": "#2ca02c",
    "cast": "#9467bd",
    "info": "#7f7f7f",
    "EXIT": "#d62728",
    "DOWN": "#ff7f0e",
}
EXTERNAL = "external"  # the lifeline of messages sent from outside any process


def draw_sequence(
    events: Iterable[Any],
    pids: Sequence[str] | None = None,
    ax: Axes | None = None,
    *,
    max_messages: int = 120,
    title: str | None = None,
) -> Figure:
    """Draw ``message_sent`` events as a sequence diagram and return the Figure.

    One lifeline per process (``pids`` in that order, or every process that sends or
    receives, in order of first appearance; a message from outside any process comes from
    an ``external`` lifeline), labelled by registered or spawn name when the events give
    one.  Arrows go from sender to receiver, top to bottom in sequence order, coloured and
    labelled by tag (call / reply / cast / info / EXIT / DOWN) and the message text.  Only
    messages between chosen lifelines are drawn; past ``max_messages`` the rest are counted
    in the title, because a diagram of a thousand arrows teaches nothing.
    """
    evs = view(events)
    names = names_of(evs)
    messages = [e for e in evs if e.kind == "message_sent"]

    def sender(e: Any) -> str:
        return e.pid if e.pid is not None else EXTERNAL

    def receiver(e: Any) -> str:
        other = e.get("other")
        return str(other) if other is not None else EXTERNAL

    if pids is None:
        order: list[str] = []
        for e in messages:
            for p in (sender(e), receiver(e)):
                if p not in order:
                    order.append(p)
    else:
        order = [str(p) for p in pids]
    column = {p: i for i, p in enumerate(order)}
    chosen = [e for e in messages if sender(e) in column and receiver(e) in column]
    hidden = max(len(chosen) - max_messages, 0)
    chosen = chosen[:max_messages]

    n_cols = max(len(order), 1)
    n_rows = len(chosen)
    if ax is None:
        width = min(max(1.9 * n_cols + 1.2, 5.0), 16.0)
        height = min(max(0.34 * n_rows + 1.7, 3.0), 18.0)
        fig = Figure(figsize=(width, height), dpi=80)
        ax = fig.add_axes((0.6 / width, 0.25 / height, 1 - 0.8 / width, 1 - 1.3 / height))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
        assert isinstance(fig, Figure)
    heading = title or "messages"
    if hidden:
        heading += f" (first {max_messages}; {hidden} more not drawn)"
    ax.set_title(heading, fontsize=11, loc="left", pad=30)

    bottom = -(n_rows + 1)
    ax.add_collection(
        LineCollection(
            [((i, 0.3), (i, bottom)) for i in range(len(order))],
            colors="#bbbbbb",
            linestyles="--",
            linewidths=1.0,
            zorder=1,
        ),
        autolim=False,
    )
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels([_lifeline_label(p, names) for p in order], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(-0.6, max(len(order) - 0.4, 0.6))
    ax.set_ylim(bottom, 0.6)
    if not chosen:
        ax.text(
            0.5,
            0.5,
            "no message events (Runtime(trace_messages=True) records them)",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#777777",
        )
        return fig

    tags_seen: list[str] = []
    for row, e in enumerate(chosen, start=1):
        y = -row
        x0, x1 = column[sender(e)], column[receiver(e)]
        tag = str(e.get("tag") or "info")
        colour = TAG_COLOURS.get(tag, "#333333")
        if tag not in tags_seen:
            tags_seen.append(tag)
        text = f"{tag}: {short(e.get('message', ''), 30)}"
        if x0 == x1:  # a message to itself (a timer, send(self(), ...)): a loop
            ax.annotate(
                "",
                xy=(x1, y - 0.35),
                xytext=(x0, y),
                zorder=3,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": colour,
                    "lw": 1.2,
                    "connectionstyle": "arc3,rad=-0.9",
                },
            )
            ax.text(
                x0 + 0.12,
                y - 0.05,
                text,
                fontsize=7,
                color=colour,
                ha="left",
                va="bottom",
                parse_math=False,
                zorder=4,
            )
        else:
            ax.annotate(
                "",
                xy=(x1, y),
                xytext=(x0, y),
                zorder=3,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": colour,
                    "lw": 1.2,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
            ax.text(
                (x0 + x1) / 2,
                y + 0.06,
                text,
                fontsize=7,
                color=colour,
                ha="center",
                va="bottom",
                parse_math=False,
                zorder=4,
            )
        ax.text(
            -0.55,
            y,
            f"{e.time:.2f}",
            fontsize=6,
            color="#999999",
            ha="left",
            va="center",
            parse_math=False,
        )
    ax.legend(
        handles=[Line2D([], [], color=TAG_COLOURS.get(t, "#333333"), label=t) for t in tags_seen],
        loc="lower right",
        fontsize=7,
        frameon=True,
        framealpha=0.9,
    )
    return fig


def _lifeline_label(pid: str, names: dict[str, str]) -> str:
    name = names.get(pid)
    return f"{name}\n{pid}" if name and name != pid else pid
