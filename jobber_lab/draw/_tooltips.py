"""Hover text for pictures saved as SVG: ``<title>`` elements, which browsers show as tooltips.

matplotlib writes an artist that has a ``gid`` as ``<g id="gid">...</g>`` but has no notion of
a tooltip. :func:`add_tooltip` gives an artist a gid and remembers its text on the figure; the
figure gets a canvas whose ``print_svg`` inserts a ``<title>`` as the first child of each such
group. Because matplotlib routes every SVG save through the canvas (``fig.savefig("x.svg")``,
IPython's inline SVG, ``_repr_svg_``), the tooltips are in the file whichever way it is made,
and a PNG save is untouched.
"""

from __future__ import annotations

import io
import os
import re
from typing import Any
from xml.sax.saxutils import escape

from matplotlib.artist import Artist
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

__all__ = ["TooltipCanvas", "add_tooltip", "tooltips_of", "with_titles"]

_ATTRIBUTE = "_jobber_lab_tooltips"
_GROUP = re.compile(rb'<g id="(jl-tip-\d+)"[^>]*>')


def tooltips_of(fig: Figure) -> dict[str, str]:
    """The figure's gid -> tooltip table (empty for a figure nobody gave tooltips)."""
    table = getattr(fig, _ATTRIBUTE, None)
    return table if isinstance(table, dict) else {}


def add_tooltip(artist: Artist, text: str) -> str:
    """Give ``artist`` a tooltip in the figure's SVG output; returns the gid it now has.

    The artist must already be in a figure. A figure drawn on a plain (non-interactive)
    canvas gets a :class:`TooltipCanvas`; an interactive one (pyplot) keeps its own, and its
    tooltips are only in :func:`with_titles` of its SVG.
    """
    fig = artist.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise ValueError(f"add_tooltip(artist): {artist!r} is not in a Figure yet")
    table = tooltips_of(fig)
    if not table:
        setattr(fig, _ATTRIBUTE, table)
    gid = f"jl-tip-{len(table)}"
    table[gid] = text
    artist.set_gid(gid)
    if type(fig.canvas) in (FigureCanvasBase, FigureCanvasAgg):
        TooltipCanvas(fig)
    return gid


def with_titles(svg: bytes, table: dict[str, str]) -> bytes:
    """``svg`` with ``<title>text</title>`` inserted into each group whose id is in ``table``."""

    def insert(match: re.Match[bytes]) -> bytes:
        text = table.get(match.group(1).decode())
        if text is None:
            return match.group(0)
        return match.group(0) + b"<title>" + escape(text).encode("utf-8") + b"</title>"

    return _GROUP.sub(insert, svg)


class TooltipCanvas(FigureCanvasAgg):
    """An Agg canvas (PNG as usual) whose SVG output carries the figure's tooltips."""

    def print_svg(
        self,
        filename: Any,
        *,
        bbox_inches_restore: Any = None,
        metadata: Any = None,
        **_ignored: Any,
    ) -> None:
        """Takes what ``FigureCanvasSVG.print_svg`` takes; matplotlib hands a print method
        outside matplotlib every keyword (dpi, facecolor, orientation...), the SVG writer
        reads the figure's own settings for those."""
        buffer = io.BytesIO()
        figure = self.figure
        svg_canvas = FigureCanvasSVG(figure)  # becomes the figure's canvas while it prints
        try:
            svg_canvas.print_svg(buffer, bbox_inches_restore=bbox_inches_restore, metadata=metadata)
        finally:
            figure.set_canvas(self)
        data = with_titles(buffer.getvalue(), tooltips_of(figure))
        _write(filename, data)


def _write(target: Any, data: bytes) -> None:
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as handle:
            handle.write(data)
        return
    try:
        target.write(data)
    except TypeError:  # a text stream
        target.write(data.decode("utf-8"))
