"""tree_gif: one frame per graph, one size for all."""

from __future__ import annotations

import io

import pytest
from draw_samples import jobber_tree, ternary_tree
from PIL import Image

from jobber_lab.draw import tree_gif, tree_png


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
