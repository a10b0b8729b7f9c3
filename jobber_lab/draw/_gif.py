"""An animated GIF of the tree over time, for slides and the course page.

The frames share one layout, computed on the union of every frame's graph, and one figure
size and axis range: a node keeps its place for its whole life and a restart shows as a node
changing colour or a new node appearing beside the old one, not as the whole tree jumping.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ._layout import layout_bounds, tree_layout
from ._tree import DEFAULT_DPI, _view, draw_tree

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

    Graphs are drawn with :func:`draw_tree` on a shared layout; each frame is titled
    ``titles[i]`` or ``step i/N`` (distinct titles also keep Pillow from merging identical
    consecutive frames into one).  ``duration`` is seconds per frame; ``loop=0`` repeats
    forever.  Writes ``path`` too when given; returns the bytes.
    """
    items = list(graphs_or_frames)
    _check_arguments(items, titles, duration)
    graphs = [g for g in items if isinstance(g, nx.Graph)]
    pos, limits, size = _shared_layout(graphs, labels)
    frames: list[Image.Image] = []
    for i, item in enumerate(items):
        if isinstance(item, nx.Graph):
            title = (titles[i] if titles is not None else None) or f"step {i + 1}/{len(items)}"
            fig = draw_tree(item, title=title, labels=labels, pos=pos, limits=limits, figsize=size)
            fig.set_dpi(DEFAULT_DPI)
            frames.append(_rgb(fig))
        else:
            frames.append(_image(item, i))
    data = _gif_bytes(_same_size(frames), duration, loop)
    if path is not None:
        Path(path).write_bytes(data)
    return data


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


def _shared_layout(
    graphs: list[nx.DiGraph], labels: Any
) -> tuple[
    dict[Hashable, tuple[float, float]],
    tuple[float, float, float, float] | None,
    tuple[float, float] | None,
]:
    """One layout, one set of limits and one figure size for every frame, so no node jumps
    and no frame resizes: those of the union of all the frames' trees."""
    if not graphs:
        return {}, None, None
    union = _union(graphs)
    pos = tree_layout(union)
    limits = layout_bounds(pos)
    # The size the union's own drawing asks for (built, not rendered: cheap).
    probe = draw_tree(union, title="step", labels=labels, pos=pos, limits=limits)
    size = (float(probe.get_size_inches()[0]), float(probe.get_size_inches()[1]))
    return pos, limits, size


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
