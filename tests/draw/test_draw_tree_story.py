"""The tree tells the story and is never cut: names, marks, legend, tooltips, bounds, root=."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from jobber_lab.draw import TreeFigure, draw_tree, node_caption, tree_png, tree_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
GHOSTS = ("crashed", "gave up", "shut down")


def story_tree(n: int) -> nx.DiGraph:
    """A tracer-shaped tree of ``n`` live nodes with every mark the picture has: a restarted
    (ringed) JobRunner, jobs with ids and tries, restarted jobs, a zombie, supervisors on the
    bottom row, dynamic edges, and ghosts of each kind in ``graph.graph["ghosts"]``."""
    g = nx.DiGraph(seq=1, time=50.0, ghosts={})

    def add(key: str, parent: str | None, **attrs: object) -> None:
        base = {"pid": key, "role": "worker", "status": "running", "restarts": 0}
        base.update(started=float(len(g)), **attrs)
        g.add_node(key, **base)
        if parent is not None:
            g.add_edge(parent, key, dynamic=bool(attrs.get("dynamic")))

    if n == 1:
        add(
            "<0.5.0>",
            None,
            name="JobRunner",
            label="JobRunner",
            role="supervisor",
            restarts=1,
            replaced="<0.3.0>",
        )
        return g
    add("app:Jobber", None, pid=None, name="Jobber", label="Jobber", role="application")
    add("<0.1.0>", "app:Jobber", label="Jobber.Supervisor", role="supervisor")
    add("<0.2.0>", "<0.1.0>", label="JobRegistry", role="registry")
    add("<0.5.0>", "<0.1.0>", label="JobRunner", role="supervisor", restarts=1, replaced="<0.3.0>")
    i = 0
    while len(g) < n:
        i += 1
        job_id = f"doomed-{i}" if i % 3 == 0 else f"job-{i}"
        sup = f"<0.{100 + 2 * i}.0>"
        add(sup, "<0.5.0>", label=job_id, role="supervisor", job_id=job_id, dynamic=True)
        if len(g) >= n:
            break
        child = f"<0.{101 + 2 * i}.0>"
        if i % 4 == 2:  # a supervisor on the bottom row
            add(child, sup, label=f"Nested{i}", role="supervisor")
        else:
            add(
                child,
                sup,
                label=job_id,
                job_id=job_id,
                status=("running", "errored")[i % 2],
                attempts=1 + i % 3,
                restarts=i % 3,
                zombie=i == 5,
            )
    last = max(
        (k for k in g if g.nodes[k]["role"] == "supervisor" and g.nodes[k].get("job_id")),
        key=lambda k: g.nodes[k]["started"],
        default="<0.5.0>",
    )
    ghosts = {}
    for j, kind in enumerate(GHOSTS):
        pid = f"<0.{900 + j}.0>"
        ghosts[pid] = {
            "pid": pid,
            "label": f"gone-{j}",
            "job_id": f"gone-{j}",
            "role": "supervisor" if kind == "gave up" else "worker",
            "status": "running",
            "restarts": 0,
            "started": 99.0 + j,
            "ghost": kind,
            "exited": 49.0,
            "reason": "boom",
            "parent": last,
        }
    g.graph["ghosts"] = ghosts
    return g


def _extents(fig: Figure) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every node, label, mark and legend artist's drawn box, from the renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    artists = [*fig.artists, *(c for ax in fig.axes for c in ax.collections), *fig.texts]
    artists += [ax.title for ax in fig.axes if ax.get_title(loc="left")]
    out = []
    for artist in artists:
        if isinstance(artist, LineCollection):
            continue  # edges join node centres, which are checked
        box = artist.get_window_extent(renderer)
        if box.width > 0 or box.height > 0:
            out.append((str(artist.get_gid()), box.bounds))
    return out


@pytest.mark.parametrize("title", ["a lesson's title", None])
@pytest.mark.parametrize("n", [1, 6, 30, 200])
def test_everything_drawn_lies_inside_the_figure(n: int, title: str | None) -> None:
    g = story_tree(n)
    highlight = next(iter(g.nodes))
    fig = draw_tree(g, title=title, highlight=highlight)
    width, height = fig.bbox.width, fig.bbox.height
    extents = _extents(fig)
    gids = {gid for gid, _ in extents}
    assert any(gid.startswith("jl-nodes-") for gid in gids)
    assert any(gid.startswith("jl-legend") for gid in gids)
    for gid, (x, y, w, h) in extents:
        assert x >= -0.5 and y >= -0.5, (gid, x, y)
        assert x + w <= width + 0.5 and y + h <= height + 0.5, (gid, x + w, y + h, width, height)


@pytest.mark.parametrize("n", [6, 30, 200])
def test_the_svg_holds_every_job_id_and_a_tooltip_per_node(n: int) -> None:
    g = story_tree(n)
    svg = tree_svg(g)
    root = ET.fromstring(svg)
    tips = [el for el in root.iter(f"{SVG_NS}g") if el.get("class") == "jl-node"]
    assert len(tips) == n + len(g.graph["ghosts"])
    text = svg.decode()
    job_ids = {a["job_id"] for _, a in g.nodes(data=True) if a.get("job_id")}
    for job_id in job_ids:
        assert job_id in text, job_id
    titles = [el.findtext(f"{SVG_NS}title") or "" for el in tips]
    job_tip = next(t for t in titles if "try " in t)
    for word in ("pid ", "worker", "status ", "restarted ", "job ", "attempts "):
        assert word in job_tip, (word, job_tip)


def test_a_small_tree_writes_each_label_as_text() -> None:
    g = story_tree(6)
    root = ET.fromstring(tree_svg(g))
    drawn = [el.text for el in root.iter(f"{SVG_NS}text") if el.get("class") == "jl-labels"]
    assert sorted(drawn) == sorted(node_caption(n, a)[0] for n, a in g.nodes(data=True)) or (
        len(drawn) == len(g) + len(g.graph["ghosts"])
    )


def _legend_words(g: nx.DiGraph, **kw: object) -> list[str]:
    root = ET.fromstring(tree_svg(g, **kw))
    return [el.text or "" for el in root.iter(f"{SVG_NS}text") if el.get("class") == "jl-legend"]


def test_the_legend_lists_every_mark_used_and_only_those() -> None:
    words = _legend_words(story_tree(30), highlight="<0.5.0>")
    for expected in (
        "application",
        "supervisor",
        "registry",
        "dynamic child",
        "↻n restarted n×",
        "new: replaced the pid named",
        "selected",
        "crashed / killed (in the last 10 s)",
        "gave up: too many restarts",
        "shut down by its supervisor",
        "zombie",
    ):
        assert expected in words, expected
    quiet = nx.DiGraph()
    quiet.add_node("<0.1.0>", label="Solo", role="worker", status="running")
    words = _legend_words(quiet)
    assert "selected" not in words and "↻n restarted n×" not in words
    assert not any("crashed" in w or "new:" in w for w in words)


def test_the_highlight_ring_says_whose_processes_it_marks() -> None:
    words = _legend_words(story_tree(6), highlight="<0.5.0>", highlight_label="this step")
    assert "this step" in words and "selected" not in words
    with pytest.raises(TypeError, match="highlight_label"):
        tree_svg(story_tree(6), highlight="<0.5.0>", highlight_label="")


def test_captions_follow_the_naming_rule() -> None:
    g = story_tree(30)
    assert node_caption("<0.5.0>", g.nodes["<0.5.0>"]) == (
        "new JobRunner",
        "<0.5.0>, replaced <0.3.0>",
    )
    job = next(n for n, a in g.nodes(data=True) if a.get("attempts") == 2 and a["role"] == "worker")
    text, pid = node_caption(job, g.nodes[job])
    assert re.fullmatch(r"(job|doomed)-\d+ · (running|errored) · try 2", text), text
    assert pid == job
    ghost = next(iter(g.graph["ghosts"].values()))
    assert node_caption(ghost["pid"], ghost) == ("gone-0 · crashed", ghost["pid"])


def test_root_draws_only_the_subtree() -> None:
    g = story_tree(30)
    g.add_node("<0.77.0>", label="shell", role="supervisor", pid="<0.77.0>")
    whole = ET.fromstring(tree_svg(g))
    part = ET.fromstring(tree_svg(g, root="JobRunner"))
    count = lambda root: sum(1 for el in root.iter(f"{SVG_NS}g") if el.get("class") == "jl-node")  # noqa: E731
    runner_tree = 1 + len([n for n in nx.descendants(g, "<0.5.0>")]) + len(g.graph["ghosts"])
    assert count(part) == runner_tree < count(whole)
    assert count(ET.fromstring(tree_svg(g, root="Jobber"))) == count(whole) - 1
    with pytest.raises(ValueError, match="draw_tree\\(root\\)"):
        draw_tree(g, root="nobody")


def test_ghosts_can_be_hidden_or_expire_at_now() -> None:
    g = story_tree(6)
    nodes = lambda **kw: len(ET.fromstring(tree_svg(g, **kw)).findall(f".//{SVG_NS}title"))  # noqa: E731
    assert nodes() == 6 + 3
    assert nodes(ghosts=False) == 6
    assert nodes(now=49.0 + 100) == 6


def test_a_tree_figure_shows_itself_whole_as_svg_and_a_2x_png() -> None:
    fig = draw_tree(story_tree(6), title="lesson")
    assert isinstance(fig, TreeFigure)
    data, meta = fig._repr_mimebundle_()
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    png = data["image/png"]
    width = int.from_bytes(png[16:20], "big")
    assert width == 2 * meta["image/png"]["width"] == 2 * round(fig.bbox.width)
    assert tree_png(story_tree(6), scale=2)[:8] == b"\x89PNG\r\n\x1a\n"


def _legend_box(fig: Figure) -> tuple[float, float, float, float]:
    """The drawn box (x0, y0, x1, y1, in pixels) of every legend artist together."""
    boxes = [box for gid, box in _extents(fig) if gid.startswith("jl-legend")]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[0] + b[2] for b in boxes),
        max(b[1] + b[3] for b in boxes),
    )


def test_a_small_pinned_figure_puts_the_legend_under_the_tree() -> None:
    """The dashboard's 520x340 px box: a key beside the tree took a third of its width."""
    g = story_tree(30)
    fig = draw_tree(g, figsize=(520 / 96, 340 / 96), highlight="<0.5.0>")
    x0, _y0, x1, y1 = _legend_box(fig)
    (ax,) = fig.axes
    tree = ax.get_window_extent()
    assert y1 <= tree.y0 + 1, "the strip lies under the tree"
    assert tree.width >= 0.9 * fig.bbox.width, "the tree keeps the full width"
    assert x1 - x0 > 0.6 * fig.bbox.width, "entries flow across, not down one column"
    beside = draw_tree(g, figsize=(520 / 96, 340 / 96), legend="right")
    assert beside.axes[0].get_window_extent().width < 0.8 * fig.bbox.width
    assert _legend_words(g, figsize=(520 / 96, 340 / 96), highlight="<0.5.0>") == _legend_words(
        g, highlight="<0.5.0>"
    ), "the same entries in either place"


def test_legend_rejects_an_unknown_place() -> None:
    with pytest.raises(ValueError, match="legend"):
        draw_tree(story_tree(6), legend="left")  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [6, 30, 200])
def test_at_the_dashboards_size_everything_lies_inside(n: int) -> None:
    fig = draw_tree(story_tree(n), figsize=(520 / 96, 340 / 96), highlight="<0.5.0>")
    width, height = fig.bbox.width, fig.bbox.height
    for gid, (x, y, w, h) in _extents(fig):
        assert x >= -0.5 and y >= -0.5, (gid, x, y)
        assert x + w <= width + 0.5 and y + h <= height + 0.5, (gid, x + w, y + h)
