"""The event log: the newest lines in the book's Logger words, as an HTML string.

The words come from the tracer (``describe``), so the dashboard, the CLI narration and the
notebooks tell the story in one vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._html import esc

__all__ = ["LOG_LINES", "log_html"]

#: Lines shown: enough for one job's story (start, retries, give-up) without scrolling.
LOG_LINES = 14

_COLOURS = (
    ("refused", "#b35900"),
    ("gave up", "#c0392b"),
    ("crashed", "#c0392b"),
    ("killed", "#c0392b"),
    ("failed", "#c0392b"),
    ("errored", "#b35900"),
    ("Zombie", "#8e6bbf"),
    ("completed", "#2e7d32"),
)


_SCROLLER = "overflow-y:auto;display:flex;flex-direction:column-reverse"


def _colour(line: str) -> str | None:
    return next((c for word, c in _COLOURS if word in line), None)


def log_html(lines: Sequence[str], height: int | None = None) -> str:
    """Oldest first, the way a log reads; the important words are coloured.

    ``height`` (CSS px): the dashboard's log box is that tall, so the lines sit in a scroller
    of that height anchored at its bottom (a reversed flex column starts scrolled to its
    end): the newest line is always in view.
    """
    if not lines:
        return "<pre class='jl-log' style='margin:0'><i>(no events yet)</i></pre>"
    out = []
    for line in lines:
        colour = _colour(line)
        text = esc(line)
        out.append(f"<span style='color:{colour}'>{text}</span>" if colour else text)
    box = f"height:{height}px;{_SCROLLER}" if height else _SCROLLER
    return (
        f"<div style='{box}'><pre class='jl-log' style='margin:0;font-size:11px;"
        "line-height:1.3;white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;"
        "flex-shrink:0'>" + "\n".join(out) + "</pre></div>"
    )
