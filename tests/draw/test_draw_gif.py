"""tree_gif: one frame per graph, one size for all."""

from __future__ import annotations

import io

import networkx as nx
import numpy as np
import pytest
from draw_samples import jobber_tree, ternary_tree
from PIL import Image

from jobber_lab.draw import ROLE_COLOURS, tree_gif, tree_png
from jobber_lab.trace import build_graph


def test_one_frame_per_graph_even_when_graphs_repeat(tmp_path) -> None:
    graphs = [jobber_tree(1), jobber_tree(2), jobber_tree(2), jobber_tree(3)]
    data = tree_gif(graphs, tmp_path / "tree.gif", duration=0.2)
    assert data.startswith(b"GIF8")
    assert (tmp_path / "tree.gif").read_bytes() == data
    image = Image.open(io.BytesIO(data))
    assert image.n_frames == 4
    assert image.info["duration"] == 200


def test_png_frames_and_graphs_mix() -> None:
    frames = [tree_png(ternary_tree(4)), ternary_tree(13)]
    assert Image.open(io.BytesIO(tree_gif(frames))).n_frames == 2


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        tree_gif([])
    with pytest.raises(TypeError, match="item 0"):
        tree_gif(["not a graph"])  # type: ignore[list-item]


def _box_of(image: Image.Image, rgb: tuple[int, int, int]) -> tuple[int, ...] | None:
    """The bounding box of the pixels of about this colour (a GIF's palette may shift it a
    little) in the left half of the image (the legend, right, has a swatch of it too), None
    when there are none."""
    pixels = np.asarray(image.convert("RGB"), dtype=int)[:, : image.width // 2]
    ys, xs = np.nonzero((np.abs(pixels - np.array(rgb)) <= 8).all(axis=2))
    return (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if len(xs) else None


def _under_an_app(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph with an application box above its root: one node of its own colour."""
    (root,) = [n for n in graph if graph.in_degree(n) == 0]
    graph.add_node("app:demo", label="demo", role="application", status="running", started=0.0)
    graph.add_edge("app:demo", root, dynamic=False)
    return graph


def test_nodes_keep_their_pixels_while_the_legend_grows(doomed_events) -> None:
    """Frames whose marks differ (none, then crashes, restarts, ghosts) have legends of
    different widths; the application's box must not move by a pixel between them."""
    events = list(doomed_events)
    cuts = [len(events) * i // 6 for i in range(1, 7)]
    graphs = [_under_an_app(build_graph(events[:cut])) for cut in cuts]
    image = Image.open(io.BytesIO(tree_gif(graphs)))
    fill = ROLE_COLOURS["application"]
    app_fill = (int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16))
    boxes = []
    for index in range(image.n_frames):
        image.seek(index)
        boxes.append(_box_of(image, app_fill))
    assert boxes[0] is not None
    assert boxes == [boxes[0]] * len(boxes), boxes
