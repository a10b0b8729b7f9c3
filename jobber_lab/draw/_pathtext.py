"""Many small labels drawn as one path collection: the fast way to put text on a big tree.

Why: with matplotlib 3.11 every ``Text`` is shaped by libraqm when it is measured and again
when it is drawn, about 40 µs per character each time, then rendered glyph by glyph: 2-3 ms
for a pid-sized label on these machines, so 100 labels alone blew the 100 ms redraw budget.
Here each character's outline is fetched once per process (a memo of immutable paths, not
state), a label is those outlines side by side (no kerning, no hinting: at 6-9 pt the
difference is hard to see), and all labels of a tree go to Agg as one ``PathCollection``.
The paths are in points and scaled by the figure's dpi at draw time, like scatter markers,
so labels keep their size in PNG, SVG and at any ``dpi``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Bbox, IdentityTransform, Transform

__all__ = ["PointsCollection", "label_path", "path_labels", "text_width"]

HAlign = Literal["left", "center", "right"]
VAlign = Literal["top", "center", "baseline", "bottom"]

_FAMILY = "DejaVu Sans"


class PointsCollection(PathCollection):
    """A PathCollection of shapes sized in points at data (or figure) offsets, that can say
    where it is drawn.

    matplotlib's own ``get_window_extent`` gives an empty box for such a collection (its
    paths are not in data units), so ``bbox_inches="tight"`` -- Jupyter's inline display --
    thought the legend and the edge nodes were not there and trimmed them.  This one measures
    every stamp: its path's extent, scaled by ``sqrt(size) * dpi / 72`` (how the collection
    draws it), plus half its line width, at its offset.
    """

    # matplotlib's signature: callers pass `renderer`, by name too; the extent needs none.
    def get_window_extent(self, renderer: Any = None) -> Bbox:  # noqa: ARG002
        fig = self.get_figure(root=True) if _has_root_kw() else self.get_figure()
        paths = self.get_paths()
        offsets = np.asarray(self.get_offsets(), dtype=float)
        if fig is None or not self.get_visible() or not paths or not len(offsets):
            return Bbox.null()
        points = fig.dpi / 72.0
        where = self.get_offset_transform().transform(offsets)
        sizes = np.sqrt(np.atleast_1d(self.get_sizes())) * points
        widths = np.atleast_1d(self.get_linewidths()) * points / 2
        boxes = []
        for i, (x, y) in enumerate(where):
            path = paths[i % len(paths)]
            if not len(path.vertices):
                continue
            scale = sizes[i % len(sizes)]
            pad = widths[i % len(widths)]
            lo = path.vertices.min(axis=0) * scale - pad
            hi = path.vertices.max(axis=0) * scale + pad
            boxes.append(Bbox([[x + lo[0], y + lo[1]], [x + hi[0], y + hi[1]]]))
        return Bbox.union(boxes) if boxes else Bbox.null()


@functools.cache
def _has_root_kw() -> bool:
    return "root" in inspect.signature(Artist.get_figure).parameters


@functools.cache
def _font_metrics(weight: str) -> tuple[FontProperties, float, float]:
    prop = FontProperties(family=_FAMILY, weight=weight)
    font = get_font(findfont(prop))
    return prop, font.ascender / font.units_per_EM, -font.descender / font.units_per_EM


@functools.lru_cache(maxsize=2048)
def _glyph(ch: str, weight: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline of one character for a 1-pt font (vertices, codes) and its advance in points."""
    prop, _, _ = _font_metrics(weight)
    font = get_font(findfont(prop))
    if ch != " " and font.get_char_index(ord(ch)) == 0:
        ch = "?"  # no glyph in the font: say so visibly rather than draw nothing
    font.set_size(100, 72)
    advance = font.load_char(ord(ch), flags=LoadFlags.NO_HINTING).linearHoriAdvance
    advance = advance / 65536 / 100
    if ch.isspace():
        return np.empty((0, 2)), np.empty(0, dtype=np.uint8), advance
    path = TextPath((0, 0), ch, size=1, prop=prop)
    return np.asarray(path.vertices, dtype=float), np.asarray(path.codes), advance


@functools.lru_cache(maxsize=8192)
def label_path(
    text: str,
    size: float,
    *,
    ha: HAlign = "center",
    va: VAlign = "center",
    rotation: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    weight: str = "normal",
) -> Path:
    """The outline of ``text`` at ``size`` points, aligned on the origin, in points.

    Alignment is in the text's own frame before ``rotation`` (degrees, counter-clockwise), so
    ``ha="right", rotation=90`` hangs an upright label *below* its anchor; ``offset`` (points)
    moves the result afterwards.  Memoised: a live redraw draws mostly the same labels
    again, and a Path is never changed once made (callers must not change it either).
    """
    _, ascent, descent = _font_metrics(weight)
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    x = 0.0
    for ch in text:
        v, c, advance = _glyph(ch, weight)
        if len(c):
            verts.append(v + np.array([x, 0.0]))
            codes.append(c)
        x += advance
    if not verts:
        return Path(np.empty((0, 2)))
    all_v = np.concatenate(verts)
    dx = {"left": 0.0, "center": -x / 2, "right": -x}[ha]
    dy = {"top": -ascent, "center": -(ascent - descent) / 2, "baseline": 0.0, "bottom": descent}[va]
    all_v = (all_v + np.array([dx, dy])) * size
    if rotation:
        theta = np.radians(rotation)
        cos, sin = np.cos(theta), np.sin(theta)
        all_v = all_v @ np.array([[cos, sin], [-sin, cos]])
    all_v += offset
    return Path(all_v, np.concatenate(codes))


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of ``text`` as :func:`label_path` draws it."""
    return sum(_glyph(ch, weight)[2] for ch in text) * size


def path_labels(
    ax: Axes | Figure,
    anchors: Sequence[tuple[float, float]],
    paths: Sequence[Path],
    *,
    color: str | Sequence[str] = "#222222",
    anchor_transform: Transform | None = None,
    zorder: float = 4,
    gid: str | None = None,
    clip: bool = False,
) -> PathCollection | None:
    """Add ``paths`` (in points, from :func:`label_path`) at data ``anchors`` as one collection.

    ``sizes=[1]`` makes the collection scale its paths by ``dpi / 72`` at draw time, which is
    what turns points into pixels for whatever dpi the figure is saved at.  ``ax`` may be a
    Figure (then ``anchor_transform`` is required): labels laid out in the figure itself.
    """
    if not paths:
        return None
    collection = PointsCollection(
        list(paths),
        sizes=[1.0],
        offsets=np.asarray(anchors, dtype=float),
        offset_transform=anchor_transform if anchor_transform is not None else ax.transData,
        transform=IdentityTransform(),
        facecolors=color,
        edgecolors="none",
        linewidths=0,
        zorder=zorder,
    )
    collection.set_clip_on(clip)
    if gid is not None:
        collection.set_gid(gid)
    if isinstance(ax, Figure):
        ax.add_artist(collection)
    else:
        ax.add_collection(collection, autolim=False)
    return collection
