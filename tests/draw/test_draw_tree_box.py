"""The dashboard's live tree in its fixed 520x340 px box: readable, never a smear.

Three trees the dashboard shows (issue 11): the direct variant just after JobRunner gave up
and was replaced, three imports running, and 13 lingering JobSupervisors beside 3 running
jobs.  Drawn at the dashboard's size, each label must be horizontal where there is room,
large enough to read, and no two labels may overlap.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from jobber_lab.draw import draw_tree, tree_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
#: The dashboard's box (jobber_lab.widgets TREE_FIGSIZE): 520x340 px at 96 px an inch.
TREE_FIGSIZE = (520 / 96, 340 / 96)


def _add(g: nx.DiGraph, key: str, parent: str | None, **attrs: object) -> None:
    base = {"pid": key, "role": "worker", "status": "running", "restarts": 0}
    base.update(started=float(len(g)), **attrs)
    g.add_node(key, **base)
    if parent is not None:
        g.add_edge(parent, key, dynamic=bool(attrs.get("dynamic")))


def _app(runner: str, **runner_attrs: object) -> nx.DiGraph:
    g = nx.DiGraph(ghosts={})
    _add(g, "app:Jobber", None, pid=None, label="Jobber", role="application")
    _add(g, "<2.3.0>", "app:Jobber", label="Jobber.Supervisor", role="supervisor")
    _add(g, "<2.4.0>", "<2.3.0>", label="JobRegistry", role="registry")
    _add(g, runner, "<2.3.0>", label="JobRunner", role="supervisor", **runner_attrs)
    return g


def direct_replaced() -> nx.DiGraph:
    """JobRunner gave up on doomed-1 and was restarted: its ghost, its jobs' ghosts."""
    g = _app("<2.11.0>", restarts=1, replaced="<2.5.0>")
    common = {"status": "running", "restarts": 0, "exited": 22.9, "reason": "boom"}
    ghosts = {
        "<2.5.0>": {
            **common,
            "pid": "<2.5.0>",
            "label": "JobRunner",
            "role": "supervisor",
            "started": 3.0,
            "ghost": "gave up",
            "parent": "<2.3.0>",
        }
    }
    for i, pid in enumerate(("<2.9.0>", "<2.10.0>")):
        ghosts[pid] = {
            **common,
            "pid": pid,
            "label": "doomed-1",
            "job_id": "doomed-1",
            "role": "worker",
            "started": 10.0 + i,
            "ghost": "crashed",
            "parent": "<2.5.0>",
            "dynamic": True,
        }
    g.graph["ghosts"] = ghosts
    return g


def imports(lingering: int = 0, running: int = 3) -> nx.DiGraph:
    """The isolated variant: ``lingering`` childless JobSupervisors, then running imports."""
    g = _app("<2.5.0>")
    for i in range(lingering):
        job = f"good-{i + 1}"
        _add(
            g, f"<2.{20 + i}.0>", "<2.5.0>", label=job, job_id=job, role="supervisor", dynamic=True
        )
    for i in range(running):
        job, sup = f"import-{i + 1}", f"<2.{80 + 2 * i}.0>"
        _add(g, sup, "<2.5.0>", label=job, job_id=job, role="supervisor", dynamic=True)
        _add(g, f"<2.{81 + 2 * i}.0>", sup, label=job, job_id=job, attempts=1)
    return g


def _texts(svg: bytes, group: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [t for t in root.iter(f"{SVG_NS}text") if t.get("class") == group]


def _size(text: ET.Element) -> float:
    style = dict(part.split(":", 1) for part in (text.get("style") or "").split(";") if part)
    return float(style["font-size"].removesuffix("px"))


def _label_boxes(fig: Figure) -> list[tuple[float, float, float, float]]:
    """Each drawn name or pid line's box, in pixels (x0, y0, x1, y1)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    boxes = []
    for collection, transform, anchors, _texts in fig._jl_texts:  # type: ignore[attr-defined]
        if collection.get_gid() not in ("jl-labels", "jl-pids"):
            continue
        scale = fig.dpi / 72
        for (ax_, ay), path in zip(
            transform.transform(anchors), collection.get_paths(), strict=True
        ):
            v = path.vertices * scale
            boxes.append(
                (ax_ + v[:, 0].min(), ay + v[:, 1].min(), ax_ + v[:, 0].max(), ay + v[:, 1].max())
            )
    return boxes


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def test_the_new_jobrunner_reads_at_a_normal_size_on_wrapped_lines() -> None:
    svg = tree_svg(direct_replaced(), figsize=TREE_FIGSIZE, now=23.0)
    inside = {t.text: _size(t) for t in _texts(svg, "jl-labels") + _texts(svg, "jl-pids")}
    assert "new JobRunner" in inside and "replaced <2.5.0>" in inside, inside
    assert inside["new JobRunner"] >= 7.0
    assert inside["replaced <2.5.0>"] >= 6.0


@pytest.mark.parametrize("graph", [direct_replaced(), imports()], ids=["direct", "imports"])
def test_a_few_leaves_are_labelled_horizontally_at_a_readable_size(graph: nx.DiGraph) -> None:
    svg = tree_svg(graph, figsize=TREE_FIGSIZE, now=23.0)
    names = _texts(svg, "jl-labels")
    assert names and all("rotate" not in (t.get("transform") or "") for t in names)
    assert min(_size(t) for t in names) >= 6.0


@pytest.mark.parametrize(
    "graph", [direct_replaced(), imports(), imports(13, 3)], ids=["direct", "imports", "crowd"]
)
def test_no_two_labels_overlap_in_the_box(graph: nx.DiGraph) -> None:
    boxes = _label_boxes(draw_tree(graph, figsize=TREE_FIGSIZE, now=23.0))
    assert boxes
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlaps(a, b), (np.round(a), np.round(b))


def test_a_crowded_row_keeps_the_running_jobs_named() -> None:
    """13 lingering supervisors leave no room for their names; the running jobs' ids stay."""
    svg = tree_svg(imports(13, 3), figsize=TREE_FIGSIZE, now=23.0)
    jobs = {
        (t.text or "").partition(" · ")[0]: _size(t)
        for t in _texts(svg, "jl-labels")
        if (t.text or "").startswith("import-")
    }
    assert set(jobs) == {"import-1", "import-2", "import-3"}
    assert min(jobs.values()) >= 6.0, jobs
