"""Redraw cost of the supervision tree, and how well the coalescing renderer coalesces.

What the dashboard pays per live redraw, for 3-ary trees of 10 / 100 / 500 / 2,000 nodes
(labels "auto": all up to 150 nodes, thinned above) and of 100 nodes with every label,
median / min / max of 5 runs after one warm-up, in the three forms a viewer can get, in one
run so they compare: ``png`` (the old 80-dpi PNG), ``png2x`` (PNG at twice the pixels,
crisp on a sharp screen) and ``svg`` (vector, with a tooltip per node); then how many
renders a ``CoalescingRenderer`` makes for a burst of 10,000 notifies from 4 threads.

Targets: issue 8's for the 80-dpi PNG (100 nodes with all labels <= 100 ms, 500 <= 100 ms,
2,000 <= 150 ms); issue 11's for the crisp forms (100 nodes <= 100 ms, 500 <= 200 ms);
<= 10 renders for the burst.  Run alone: ``python -m bench.bench_redraw``.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import networkx as nx

from jobber_lab.draw import tree_png, tree_svg
from jobber_lab.widgets import CoalescingRenderer

REPS = 5
SIZES = (10, 100, 500, 2000)
STATUSES = ("new", "running", "errored", "done", "failed")
TARGETS_MS = {
    "png_100_all_labels": 100.0,
    "png_500": 100.0,
    "png_2000": 150.0,
    "png2x_100": 100.0,
    "png2x_500": 200.0,
    "svg_100": 100.0,
    "svg_500": 200.0,
}
FORMS = {
    "png": lambda graph, **kw: tree_png(graph, **kw),
    "png2x": lambda graph, **kw: tree_png(graph, scale=2, **kw),
    "svg": lambda graph, **kw: tree_svg(graph, **kw),
}
BURST_NOTIFIES = 10_000
BURST_THREADS = 4
BURST_TARGET = 10


def ternary_tree(n: int) -> nx.DiGraph:
    """A tracer-shaped 3-ary tree: application root, supervisors inside, jobs at the leaves,
    every other supervisor dynamic (dashed edges), a few restarts."""
    g = nx.DiGraph()

    def key(i: int) -> str:
        return "app:jobber" if i == 0 else f"<0.{i + 40}.0>"

    for i in range(n):
        inner = 3 * i + 1 < n
        role = "application" if i == 0 else "supervisor" if inner else "worker"
        g.add_node(
            key(i),
            label="jobber" if i == 0 else (f"JobSup{i}" if inner else key(i)),
            pid=None if i == 0 else key(i),
            role=role,
            status=STATUSES[i % 5] if role == "worker" else "running",
            restarts=1 if i % 17 == 3 else 0,
            started=float(i),
        )
        if i:
            parent = (i - 1) // 3
            g.add_edge(key(parent), key(i), dynamic=parent % 2 == 1)
    return g


def _time_png(graph: nx.DiGraph, form: str = "png", **kw: Any) -> dict[str, float]:
    draw = FORMS[form]
    draw(graph, **kw)  # warm-up: glyph outlines, font lookup
    times = []
    for _ in range(REPS):
        started = time.perf_counter()
        draw(graph, **kw)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def _burst() -> dict[str, Any]:
    """10,000 notifies from 4 threads while the state changes; renders a real tree."""
    lock = threading.Lock()
    counter = [0]
    seen: list[int] = []
    graph = ternary_tree(100)

    def render() -> int:
        with lock:
            value = counter[0]
        tree_png(graph)  # a realistic render cost, so the burst overlaps real drawing
        return value

    renderer = CoalescingRenderer(render, seen.append, interval=0.25)
    barrier = threading.Barrier(BURST_THREADS)

    def burst() -> None:
        barrier.wait()
        for _ in range(BURST_NOTIFIES // BURST_THREADS):
            with lock:
                counter[0] += 1
            renderer.notify()

    started = time.perf_counter()
    threads = [
        threading.Thread(target=burst, name=f"bench-burst-{i}") for i in range(BURST_THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    burst_s = time.perf_counter() - started
    renderer.wait_idle(timeout=30)
    total_s = time.perf_counter() - started
    renderer.close(timeout=5)
    return {
        "notifies": renderer.notify_count,
        "renders": renderer.render_count,
        "target_renders": BURST_TARGET,
        "last_render_saw_final_state": bool(seen) and seen[-1] == BURST_NOTIFIES,
        "burst_seconds": round(burst_s, 3),
        "until_idle_seconds": round(total_s, 3),
        "errors": renderer.errors,
    }


def main(report: dict[str, Any]) -> None:
    results: dict[str, Any] = {}
    for n in SIZES:
        for form in FORMS:
            results[f"{form}_{n}"] = _time_png(ternary_tree(n), form)
    results["png_100_all_labels"] = _time_png(ternary_tree(100), labels=True)
    for name, target in TARGETS_MS.items():
        results[name]["target_ms"] = target
        results[name]["meets_target"] = results[name]["median_ms"] <= target
    results["burst"] = _burst()
    results["burst"]["meets_target"] = results["burst"]["renders"] <= BURST_TARGET
    report["redraw"] = results


if __name__ == "__main__":
    out: dict[str, Any] = {}
    main(out)
    for name, value in out["redraw"].items():
        print(f"{name:20s} {value}")
