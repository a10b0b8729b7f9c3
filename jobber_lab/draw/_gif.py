"""An animated GIF of the tree over time, for slides and the course page.

The frames share one layout, computed on the union of every frame's graph, and one figure
size and axis range: a node keeps its place for its whole life and a restart shows as a node
changing colour or a new node appearing beside the old one, not as the whole tree jumping.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ._layout import layout_bounds, tree_layout
from ._tree import _view, draw_tree
from ._tree_look import DEFAULT_DPI

__all__ = ["tree_gif"]

Frame: TypeAlias = nx.DiGraph | bytes | Image.Image


def _union(graphs: Sequence[nx.DiGraph]) -> nx.DiGraph:
    """Every node any frame draws, ghosts included, so each keeps one place throughout."""
    union = nx.DiGraph()
    for graph in graphs:
        drawn = _view(graph, None, None, True)
        union.add_nodes_from(drawn.nodes(data=True))
        union.add_edges_from(drawn.edges(data=True))
    return union


def _rgb(fig: Any) -> Image.Image:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = canvas.buffer_rgba()
    return Image.frombuffer(
        "RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1
    ).convert("RGB")


def tree_gif(
    graphs_or_frames: Sequence[Frame],
    path: str | Path | None = None,
    *,
    duration: float = 0.4,
    titles: Sequence[str | None] | None = None,
    labels: Any = "auto",
    loop: int = 0,
) -> bytes:
    """An animated GIF of ``graphs_or_frames`` (tracer graphs, PNG bytes or PIL images).

    Graphs are drawn with :func:`draw_tree` on a shared layout, in the same axes box with the
    same axis limits (the union's), beside one legend (the union's, listing every mark the
    animation shows): a node keeps its pixel place in every frame.  Each frame is titled
    ``titles[i]`` or ``step i/N`` (distinct titles also keep Pillow from merging identical
    consecutive frames into one).  ``duration`` is seconds per frame; ``loop=0`` repeats
    forever.  Writes ``path`` too when given; returns the bytes.
    """
    items = list(graphs_or_frames)
    _check_arguments(items, titles, duration)
    graphs = [g for g in items if isinstance(g, nx.Graph)]
    shared = _shared_frame(graphs, labels) if graphs else None
    frames: list[Image.Image] = []
    for i, item in enumerate(items):
        if isinstance(item, nx.Graph):
            assert shared is not None
            title = (titles[i] if titles is not None else None) or f"step {i + 1}/{len(items)}"
            frames.append(_graph_frame(item, title, labels, shared))
        else:
            frames.append(_image(item, i))
    data = _gif_bytes(_same_size(frames), duration, loop)
    if path is not None:
        Path(path).write_bytes(data)
    return data


@dataclass(frozen=True)
class _Shared:
    """What every graph frame shares: the layout and its limits, the tree's figure size, the
    axes' x and y limits, and the legend strip pasted at the right of every frame."""

    pos: dict[Hashable, tuple[float, float]]
    limits: tuple[float, float, float, float]
    size: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    key: Image.Image | None


def _shared_frame(graphs: list[nx.DiGraph], labels: Any) -> _Shared:
    """One layout, one axes box, one pair of axis limits and one legend for every frame, so
    no node moves and no frame resizes.  ``draw_tree`` sizes its axes by the frame's own
    legend (a frame with more marks has a wider legend, so a narrower tree) and its rows by
    the frame's own labels; both vary between frames, so frames are drawn without a legend
    at the union's size, their limits pinned to the union's, and one legend listing every
    mark of every frame (cut from a drawing of all the frames' trees side by side) is pasted
    beside each.  (The union alone would not do for the legend: it keeps each node's last
    state, so a job that was ringed "new" and later crashed lists only the crash.)"""
    union = _union(graphs)
    pos = tree_layout(union)
    limits = layout_bounds(pos)
    whole = draw_tree(union, title="step", labels=labels, pos=pos, limits=limits)
    width, height = (float(v) for v in whole.get_size_inches())
    box = whole.axes[0].get_position()
    # No legend: the axes spans the figure less a 24 pt margin; make it as wide as the union's.
    size = (box.width * width + 24 / 72, height)
    bare = draw_tree(
        union, title="step", labels=labels, pos=pos, limits=limits, legend=False, figsize=size
    )
    xlim, ylim = bare.axes[0].get_xlim(), bare.axes[0].get_ylim()
    return _Shared(pos, limits, size, (xlim[0], xlim[1]), (ylim[0], ylim[1]), _key(graphs))


def _key(graphs: list[nx.DiGraph]) -> Image.Image | None:
    """The legend of every mark any frame draws, as a picture (None when there is none)."""
    marks = nx.DiGraph()
    for i, graph in enumerate(graphs):
        drawn = _view(graph, None, None, True)
        marks.add_nodes_from(((i, node), attrs) for node, attrs in drawn.nodes(data=True))
        marks.add_edges_from(((i, u), (i, v), attrs) for u, v, attrs in drawn.edges(data=True))
    fig = draw_tree(marks, title="step", labels=False)
    fig.set_dpi(DEFAULT_DPI)
    picture = _rgb(fig)
    cut = min(round(fig.axes[0].get_position().x1 * picture.width) + 1, picture.width)
    # What lies right of the tree's axes is the legend: nothing when no mark needs one.
    return picture.crop((cut, 0, picture.width, picture.height)) if cut < picture.width else None


def _graph_frame(graph: nx.DiGraph, title: str, labels: Any, shared: _Shared) -> Image.Image:
    """One graph drawn in the shared box and limits, with the shared legend beside it."""
    fig = draw_tree(
        graph,
        title=title,
        labels=labels,
        pos=shared.pos,
        limits=shared.limits,
        figsize=shared.size,
        legend=False,
    )
    ax = fig.axes[0]
    ax.set_xlim(*shared.xlim)
    ax.set_ylim(*shared.ylim)
    fig.set_dpi(DEFAULT_DPI)
    tree = _rgb(fig)
    if shared.key is None:
        return tree
    frame = Image.new(
        "RGB", (tree.width + shared.key.width, max(tree.height, shared.key.height)), "white"
    )
    frame.paste(tree, (0, 0))
    # The key's own top strip is the union drawing's title row: blank, as the title is left.
    frame.paste(shared.key, (tree.width, 0))
    return frame


def _check_arguments(
    items: list[Frame], titles: Sequence[str | None] | None, duration: float
) -> None:
    if not items:
        raise ValueError(
            "tree_gif(graphs_or_frames): expected at least one graph or frame, got none"
        )
    if titles is not None and len(titles) != len(items):
        raise ValueError(
            f"tree_gif(titles): expected {len(items)} titles, one per frame, got {len(titles)}"
        )
    if not duration > 0:
        raise ValueError(f"tree_gif(duration): expected seconds > 0, got {duration!r}")


def _image(item: Any, index: int) -> Image.Image:
    """A frame given as PNG bytes or a PIL image, as RGB."""
    if isinstance(item, bytes | bytearray):
        return Image.open(io.BytesIO(item)).convert("RGB")
    if isinstance(item, Image.Image):
        return item.convert("RGB")
    raise TypeError(
        f"tree_gif(graphs_or_frames): item {index} should be a networkx "
        f"graph, PNG bytes or a PIL image, got {type(item).__name__}"
    )


def _same_size(frames: list[Image.Image]) -> list[Image.Image]:
    """Every frame on a white canvas of the largest frame's size (a GIF has one size)."""
    width = max(f.width for f in frames)
    height = max(f.height for f in frames)
    sized = []
    for frame in frames:
        if frame.size != (width, height):
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(frame, (0, 0))
            frame = canvas
        sized.append(frame)
    return sized


def _gif_bytes(frames: list[Image.Image], duration: float, loop: int) -> bytes:
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(duration * 1000),
        loop=loop,
    )
    return buf.getvalue()
