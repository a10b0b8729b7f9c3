"""Labels: which nodes get one, at what size and on how many lines, and drawing them.

Text dominates a redraw, so a label is planned in points before anything is drawn and kept
only where it fits (a rule a student can see); the chosen labels are drawn as paths in a
few collections.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from ._layout import Position
from ._pathtext import HAlign, VAlign, label_path, path_labels, text_width
from ._style import (
    RESTART_COLOUR,
)
from ._tree_look import (
    _ELLIPSE_ASPECT,
    _INSIDE_PAD,
    _INSIDE_ROLES,
    _MAX_FONT,
    _MIN_FONT,
    _MIN_ROTATED_FONT,
    _PID_SCALE,
    _WRAP_BELOW,
    AUTO_LABEL_LIMIT,
    Labels,
    _figure_of,
    _half_height,
    _int,
    _role,
    node_caption,
)


@dataclass
class _Label:
    node: Hashable
    text: str
    sub: str
    size: float
    rotated: bool
    inside: bool
    #: A flat label's lines: the caption's first line, maybe wrapped (``names``), then its
    #: second (``subs``, drawn smaller).  A rotated label draws ``text`` and ``sub`` whole.
    names: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.names = self.names or (self.text,)
        self.subs = self.subs or ((self.sub,) if self.sub else ())


_LINE = 1.25  # a line's height, in font sizes


def _wrapped(text: str, sub: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A caption on more, narrower lines: ``doomed-3 · running · try 2`` as the job id over
    the rest, ``<0.50.0>, replaced <0.12.0>`` as the pid over what it replaced."""
    name, _, rest = text.partition(" · ")
    pid, _, before = sub.partition(", ")
    names = (name, rest) if rest else (name,)
    return names, ((pid, before) if before else ((pid,) if pid else ()))


def _flat_fit(names: tuple[str, ...], subs: tuple[str, ...], space: float, inside: bool) -> float:
    """The largest font size (points, quantised, at most _MAX_FONT) at which these lines fit
    ``space`` points sideways: inside a shape, with its padding and tall enough to hold them
    (an ellipse's width is its height times its aspect), below a marker as they are."""
    widest = max(
        max(text_width(t, 1.0) for t in names),
        max((text_width(t, _PID_SCALE) for t in subs), default=0.0),
    )
    if inside:
        tall = (len(names) + len(subs) * _PID_SCALE) * _LINE * _ELLIPSE_ASPECT if subs else 0.0
        per_point = max(widest + _INSIDE_PAD, tall)
    else:
        per_point = widest
    return _quantise(min(_MAX_FONT, space / max(per_point, 0.5)))


def _quantise(size: float) -> float:
    """Half-point font sizes: neighbours of one level then share a size, which reads calmer."""
    return math.floor(size * 2) / 2 if math.isfinite(size) else size


def _as_set(highlight: Any) -> set[Hashable]:
    if highlight is None:
        return set()
    if isinstance(highlight, list | tuple | set | frozenset):
        return set(highlight)
    return {highlight}


def _level_room(
    pos: Mapping[Hashable, Position], pts_per_x: float, lo: float, hi: float
) -> dict[Hashable, float]:
    """Points each node may take sideways without touching its neighbour on the same level
    or leaving the axes (``lo``, ``hi``: the x limits): what its shape and label may use."""
    by_level: dict[float, list[Hashable]] = {}
    for node, (_, y) in pos.items():
        by_level.setdefault(y, []).append(node)
    room: dict[Hashable, float] = {}
    for row in by_level.values():
        row.sort(key=lambda n: pos[n][0])
        for i, node in enumerate(row):
            x = pos[node][0]
            gap = 2 * min(x - lo, hi - x)
            if i > 0:
                gap = min(gap, x - pos[row[i - 1]][0])
            if i + 1 < len(row):
                gap = min(gap, pos[row[i + 1]][0] - x)
            room[node] = gap * pts_per_x
    return room


def _plan_labels(
    graph: nx.DiGraph,
    leaves: set[Hashable],
    labels: Labels,
    highlighted: set[Hashable],
    room: Mapping[Hashable, float],
    pinned: bool = False,
) -> list[_Label]:
    """Which nodes get a label, at what size, horizontal or rotated.

    A label is two lines (:func:`node_caption`).  It is drawn horizontally where both fit
    the room to the nearest neighbour (the name inside the shape for applications and
    supervisors, both lines below the marker for workers); a leaf's label that does not fit
    is first tried wrapped onto more, narrower lines (:func:`_wrapped`), then turned upright,
    where it only needs two lines' height.  A small tree (or ``labels=True``) gets every
    label, at the minimum size where it does not fit; on a big tree with ``labels="auto"``,
    or on a figure whose size is ``pinned`` (the dashboard's box: it cannot grow to make
    room), a label that fits no way is left out unless highlighted, which is the thinning:
    only as much text as can be read, never a smear of overlapping names.
    """
    if labels is False:
        return []
    if labels == "auto" and len(graph) > AUTO_LABEL_LIMIT:
        candidates = [n for n in graph.nodes if n not in leaves or n in highlighted]
    else:
        candidates = list(graph.nodes)
    forced = labels is True or (len(graph) <= AUTO_LABEL_LIMIT and not pinned)
    plan: list[_Label] = []
    for node in candidates:
        attrs = graph.nodes[node]
        text, sub = node_caption(node, attrs)
        inside = _role(node, attrs) in _INSIDE_ROLES
        space = room.get(node, math.inf) * 0.92
        flat = _flat_fit((text,), (sub,) if sub else (), space, inside)
        if flat < _WRAP_BELOW:  # narrower on more lines, if that reads larger
            names, subs = _wrapped(text, sub)
            wrapped = _flat_fit(names, subs, space, inside)
            if wrapped > flat and wrapped >= _MIN_FONT:
                plan.append(_Label(node, text, sub, wrapped, False, inside, names, subs))
                continue
        if flat >= _MIN_FONT:
            plan.append(_Label(node, text, sub, flat, False, inside))
            continue
        upright = _quantise(min(_MAX_FONT - 1, space / (_LINE * (1 + _PID_SCALE))))
        if not inside and upright >= _MIN_ROTATED_FONT:
            plan.append(_Label(node, text, sub, upright, True, False))
        elif forced or node in highlighted:
            plan.append(_Label(node, text, sub, _MIN_ROTATED_FONT, not inside, inside))
    return plan


class _Labels:
    """Labels on their way to one path collection, remembered as text too: PNG draws the
    paths (fast, see _pathtext), SVG writes real ``<text>`` instead (a job id can be searched
    for and read aloud, and 100 labels cost 30 KB instead of 1 MB of glyph outlines)."""

    def __init__(self, gid: str, zorder: float = 4) -> None:
        self.gid = gid
        self.zorder = zorder
        self.anchors: list[Position] = []
        self.paths: list[MplPath] = []
        self.colours: list[str] = []
        self.texts: list[tuple[str, float, str, str, float, tuple[float, float], str]] = []

    def add(
        self,
        xy: Position,
        text: str,
        size: float,
        colour: str,
        *,
        ha: HAlign = "center",
        va: VAlign = "center",
        rotation: float = 0.0,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        if not text:
            return
        self.anchors.append(xy)
        self.paths.append(label_path(text, size, ha=ha, va=va, rotation=rotation, offset=offset))
        self.colours.append(colour)
        self.texts.append((text, size, ha, va, rotation, offset, colour))

    def draw(self, target: Axes | Figure, fig: Figure, transform: Any = None) -> None:
        collection = path_labels(
            target,
            self.anchors,
            self.paths,
            color=self.colours,
            anchor_transform=transform,
            zorder=self.zorder,
            gid=self.gid,
        )
        if collection is None:
            return
        if transform is None:
            assert isinstance(target, Axes)
            transform = target.transData
        texts = list(getattr(fig, "_jl_texts", []))
        texts.append((collection, transform, np.asarray(self.anchors, dtype=float), self.texts))
        fig._jl_texts = texts  # type: ignore[attr-defined]


def _draw_labels(
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    plan: list[_Label],
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> None:
    """Names, pid lines and ↻n: three path collections (see _pathtext for why not Text)."""
    names, pids, counts = _Labels("jl-labels"), _Labels("jl-pids"), _Labels("jl-restarts", 5)
    for lab in plan:
        attrs = view.nodes[lab.node]
        half = _half_height(_role(lab.node, attrs), widths[lab.node])
        _add_caption(names, pids, lab, pos[lab.node], half, bool(attrs.get("ghost")))
        count = _int(attrs.get("restarts"))
        if count > 0 and not attrs.get("ghost"):
            # Only labelled nodes say ↻n (thinning applies to it too); all keep the red outline.
            _add_count(counts, lab, attrs, pos[lab.node], half, widths, rings)
    fig = _figure_of(ax)
    for group in (names, pids, counts):
        group.draw(ax, fig)


def _add_caption(
    names: _Labels, pids: _Labels, lab: _Label, xy: Position, half: float, ghost: bool
) -> None:
    """A node's name and pid lines: centred inside its shape, upright below it, or flat
    below it line by line (greyed for a ghost)."""
    ink, pid_ink = ("#8a8a8a", "#8a8a8a") if ghost else ("#222222", "#555555")
    sub = lab.size * _PID_SCALE
    lines = [(t, lab.size, names, ink) for t in lab.names]
    lines += [(t, sub, pids, pid_ink) for t in lab.subs]
    if lab.inside and lab.subs and not lab.rotated:
        # the lines centred in the shape
        y = sum(size for _, size, _, _ in lines) * 1.2 / 2
        for text, size, group, colour in lines:
            group.add(xy, text, size, colour, va="top", offset=(0, y))
            y -= size * 1.2
    elif lab.inside:
        names.add(xy, lab.text, lab.size, ink, rotation=90 if lab.rotated else 0)
    elif lab.rotated:
        hang = (0.0, -(half + 3))
        beside = (lab.size * 1.1, -(half + 3))
        names.add(xy, lab.text, lab.size, ink, ha="right", rotation=90, offset=hang)
        pids.add(xy, lab.sub, sub, pid_ink, ha="right", rotation=90, offset=beside)
    else:
        y = -(half + 3)
        for text, size, group, colour in lines:
            group.add(xy, text, size, colour, va="top", offset=(0, y))
            y -= lab.size * 1.3 if group is names else size * 1.3


def _add_count(
    counts: _Labels,
    lab: _Label,
    attrs: Mapping[str, Any],
    xy: Position,
    half: float,
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> None:
    """``↻n`` outside any ring: above a wide shape (not beside it, or off the edge), at the
    upper right of a marker."""
    ring = rings.get(lab.node, 0.0) / 2
    if _role(lab.node, attrs) in _INSIDE_ROLES:
        side = (widths[lab.node] * 0.3, half + ring + 1)
    else:
        side = (widths[lab.node] / 2 + ring + 1, half + ring - 2)
    count = _int(attrs.get("restarts"))
    counts.add(xy, f"↻{count}", 8.0, RESTART_COLOUR, ha="left", va="bottom", offset=side)
