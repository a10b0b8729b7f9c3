"""draw_tree and its byte forms: the seed's look, countable in the output."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest
from draw_samples import jobber_tree, ternary_tree
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from jobber_lab.draw import AUTO_LABEL_LIMIT, draw_tree, save_tree, tree_layout, tree_png, tree_svg

PNG = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _groups(svg: bytes, prefix: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("id", "").startswith(prefix)]


def _drawn(group: ET.Element) -> int:
    """Marks drawn in a group: <use> of a marker, or a <path> outside <defs>."""
    defs = {id(p) for d in group.iter(f"{SVG_NS}defs") for p in d.iter()}
    return sum(
        1
        for el in group.iter()
        if id(el) not in defs and el.tag in (f"{SVG_NS}use", f"{SVG_NS}path")
    )


def _collection(fig: Figure, gid: str) -> PathCollection | LineCollection | None:
    for coll in fig.axes[0].collections:
        if coll.get_gid() == gid:
            return coll  # type: ignore[return-value]
    return None


def test_draw_tree_returns_figure_and_png_bytes() -> None:
    g = jobber_tree()
    assert isinstance(draw_tree(g), Figure)
    data = tree_png(g, title="Jobber")
    assert data.startswith(PNG)
    assert len(data) > 2000


def test_draw_into_given_axes_returns_its_figure() -> None:
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    assert draw_tree(jobber_tree(), ax) is fig


@pytest.mark.parametrize("n", [1, 10, 100])
def test_svg_has_one_marker_and_one_label_per_node(n: int) -> None:
    g = ternary_tree(n)
    svg = tree_svg(g, labels=True)
    assert sum(_drawn(grp) for grp in _groups(svg, "jl-nodes-")) == n
    # Labels are real <text> in SVG (paths in PNG): one name line per node.
    names = [t for t in ET.fromstring(svg).iter(f"{SVG_NS}text") if t.get("class") == "jl-labels"]
    assert len(names) == n


def test_labels_false_draws_none_and_auto_thins_big_trees() -> None:
    bare = ET.fromstring(tree_svg(ternary_tree(30), labels=False))
    assert [t for t in bare.iter(f"{SVG_NS}text") if t.get("class") == "jl-labels"] == []
    small = ternary_tree(AUTO_LABEL_LIMIT)
    fig = draw_tree(small)
    labels = _collection(fig, "jl-labels")
    assert labels is not None and len(labels.get_paths()) == AUTO_LABEL_LIMIT
    big = ternary_tree(2000)
    fig = draw_tree(big)
    labels = _collection(fig, "jl-labels")
    inner = sum(1 for n in big.nodes if big.out_degree(n) > 0)
    assert labels is not None and 0 < len(labels.get_paths()) < inner


def test_dynamic_edges_dashed_static_edges_solid() -> None:
    g = jobber_tree(jobs=3)
    fig = draw_tree(g)
    edges = _collection(fig, "jl-edges")
    assert isinstance(edges, LineCollection)
    drawn: dict[tuple[float, float, float, float], bool] = {}
    for path, (_offset, dashes) in zip(edges.get_paths(), edges.get_linestyles(), strict=True):
        dashed = dashes is not None
        segment = path.vertices
        # One polyline per style, one NaN-separated piece per edge.
        pieces = np.split(segment, np.where(np.isnan(segment[:, 0]))[0])
        for piece in pieces:
            piece = piece[~np.isnan(piece[:, 0])]
            assert len(piece) == 2
            drawn[tuple(np.round(piece.ravel(), 6))] = dashed
    pos = tree_layout(g)
    assert len(drawn) == g.number_of_edges()
    for parent, child, data in g.edges(data=True):
        key = tuple(np.round(np.array([*pos[parent], *pos[child]], dtype=float), 6))
        assert drawn[key] is bool(data["dynamic"]), (parent, child)


def test_restart_marks_highlight_and_status_colours() -> None:
    g = jobber_tree(jobs=3)  # JobRunner restarted once, jobs 1 and 2 restarted
    fig = draw_tree(g, highlight="<0.12.0>")
    marks = _collection(fig, "jl-restarts")
    assert marks is not None and len(marks.get_paths()) == 3
    assert _collection(fig, "jl-highlight-0") is not None
    faces = {
        tuple(np.round(c.get_facecolor()[0], 3))
        for c in fig.axes[0].collections
        if str(c.get_gid()).startswith("jl-nodes-worker")
    }
    assert len(faces) == 3  # three jobs, three statuses


def test_missing_attributes_use_defaults() -> None:
    g = nx.DiGraph([("<0.1.0>", "<0.2.0>"), ("<0.1.0>", "<0.3.0>")])
    g.add_node("app:x")
    g.nodes["<0.2.0>"]["restarts"] = "junk"
    g.nodes["<0.3.0>"]["started"] = math.nan
    assert tree_png(g).startswith(PNG)
    assert tree_png(nx.DiGraph()).startswith(PNG)


def test_save_tree_by_suffix(tmp_path) -> None:
    g = jobber_tree()
    assert save_tree(g, tmp_path / "t.png").read_bytes().startswith(PNG)
    assert b"<svg" in save_tree(g, tmp_path / "t.svg").read_bytes()
    with pytest.raises(ValueError, match="suffix"):
        save_tree(g, tmp_path / "t")
    with pytest.raises(ValueError, match="unsupported"):
        save_tree(g, tmp_path / "t.docx")


def test_same_tree_same_bytes() -> None:
    g = ternary_tree(40)
    assert tree_png(g) == tree_png(g)  # SVG ids are random unless rcParams are touched


def test_figure_size_adapts_within_bounds() -> None:
    small = draw_tree(ternary_tree(4)).get_size_inches()
    wide = draw_tree(ternary_tree(400)).get_size_inches()
    huge = draw_tree(ternary_tree(3000)).get_size_inches()
    assert small[0] < wide[0] <= 16
    assert tuple(huge) == tuple(wide) or huge[0] <= 16
