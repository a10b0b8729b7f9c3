"""The event log: the newest lines in the book's Logger words, as an HTML string.

The words come from the tracer (``describe``), so the dashboard, the CLI narration and the
notebooks tell the story in one vocabulary.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ._html import esc

__all__ = ["LOG_LINES", "STEP_MARK", "log_html"]

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

#: A line the last Step produced: a gutter arrow and a yellow band (the colour of a
#: highlighter pen: it reads over every text colour of the log).
STEP_MARK = "▶ "
_STEP_STYLE = "background:#ffe066;font-weight:600"


def _colour(line: str) -> str | None:
    return next((c for word, c in _COLOURS if word in line), None)


def log_html(lines: Sequence[str], height: int | None = None, marked: Collection[int] = ()) -> str:
    """Oldest first, the way a log reads; the important words are coloured.

    ``height`` (CSS px): the dashboard's log box is that tall, so the lines sit in a scroller
    of that height anchored at its bottom (a reversed flex column starts scrolled to its
    end): the newest line is always in view. ``marked``: indexes of the lines the last Step
    produced, shown with :data:`STEP_MARK` and a band (``class='jl-step'``); while any line is
    marked every line gets a two-character gutter, so the columns stay aligned.
    """
    if not lines:
        return "<pre class='jl-log' style='margin:0'><i>(no events yet)</i></pre>"
    gutter = " " * len(STEP_MARK) if marked else ""
    out = []
    for index, line in enumerate(lines):
        colour = _colour(line)
        text = esc(line)
        if colour:
            text = f"<span style='color:{colour}'>{text}</span>"
        if index in marked:
            text = f"<span class='jl-step' style='{_STEP_STYLE}'>{STEP_MARK}{text}</span>"
        else:
            text = gutter + text
        out.append(text)
    box = f"height:{height}px;{_SCROLLER}" if height else _SCROLLER
    return (
        f"<div style='{box}'><pre class='jl-log' style='margin:0;font-size:11px;"
        "line-height:1.3;white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;"
        "flex-shrink:0'>" + "\n".join(out) + "</pre></div>"
    )
