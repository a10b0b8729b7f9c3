"""A tidy hierarchical layout for supervision trees.

Why not networkx or Graphviz: ``nx.bfs_layout`` puts the root at the bottom and knows nothing
of child order; pydot took 3 s for 500 nodes; pygraphviz is an optional binary.  A tree needs
~30 lines: leaves take consecutive x slots (so nodes can never overlap), a parent sits centred
over its first and last child, depth goes down.  0.2 ms for 500 nodes, so every redraw can
afford it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from ._style import natural_key

__all__ = [
    "child_order_key",
    "forest_roots",
    "layout_bounds",
    "layout_forest",
    "tree_children",
    "tree_layout",
]

Position = tuple[float, float]


def child_order_key(graph: nx.DiGraph, node: Hashable) -> tuple[Any, ...]:
    """Children in start order (then by pid, naturally): restarts append on the right.

    A node without ``started`` goes last, so half-known nodes never shuffle known ones.
    """
    started = graph.nodes[node].get("started")
    try:
        when = float(started) if started is not None else math.inf
    except (TypeError, ValueError):
        when = math.inf
    if math.isnan(when):
        when = math.inf
    return (when, natural_key(node))


def forest_roots(graph: nx.DiGraph) -> list[Hashable]:
    """Nodes without parents, in child order; side by side in the picture."""
    roots = [n for n in graph.nodes if graph.in_degree(n) == 0]
    return sorted(roots, key=lambda n: child_order_key(graph, n))


def tree_children(graph: nx.DiGraph) -> tuple[list[Hashable], dict[Hashable, list[Hashable]]]:
    """A spanning forest of ``graph``: (roots, children) with every node reached exactly once.

    The tracer only ever gives a tree, but a drawing must not hang or duplicate nodes if it
    does not: a node with two parents is placed under the first one reached, and a cycle with
    no root is entered at its smallest node, which then acts as a root.
    """
    order_key = {n: child_order_key(graph, n) for n in graph.nodes}  # once per node, not per sort
    roots = sorted((n for n in graph.nodes if graph.in_degree(n) == 0), key=order_key.__getitem__)
    children: dict[Hashable, list[Hashable]] = {}
    seen: set[Hashable] = set()
    for root in roots:
        _claim(graph, root, order_key, seen, children)
    order = list(roots)
    if len(seen) < len(graph):  # only cycles are left: enter each at its smallest node
        for node in sorted(graph.nodes, key=order_key.__getitem__):
            if node not in seen:
                _claim(graph, node, order_key, seen, children)
                order.append(node)
    return order, children


def _claim(
    graph: nx.DiGraph,
    start: Hashable,
    order_key: Mapping[Hashable, tuple[Any, ...]],
    seen: set[Hashable],
    children: dict[Hashable, list[Hashable]],
) -> None:
    """Place ``start`` and every node below it not ``seen`` yet: each gets its unseen
    children, in child order, in ``children``.  Iterative, so deep chains do not hit
    Python's recursion limit."""
    seen.add(start)
    stack = [start]
    while stack:
        node = stack.pop()
        kids = [c for c in graph.successors(node) if c not in seen]
        kids.sort(key=order_key.__getitem__)
        seen.update(kids)
        children[node] = kids
        stack.extend(reversed(kids))


def tree_layout(
    graph: nx.DiGraph, *, x_gap: float = 1.0, y_gap: float = 1.0
) -> dict[Hashable, Position]:
    """Positions ``{node: (x, y)}``: roots at ``y = 0``, each generation ``y_gap`` lower.

    Leaves get distinct x slots ``x_gap`` apart, in child order; a parent is centred over its
    children, so two nodes never share a position and a parent is always above its children.
    Several roots (or a forest) sit side by side.  An empty graph gives ``{}``.
    """
    return layout_forest(*tree_children(graph), x_gap=x_gap, y_gap=y_gap)


def layout_forest(
    roots: list[Hashable],
    children: Mapping[Hashable, list[Hashable]],
    *,
    x_gap: float = 1.0,
    y_gap: float = 1.0,
) -> dict[Hashable, Position]:
    """:func:`tree_layout` for a forest already extracted by :func:`tree_children`."""
    pos: dict[Hashable, Position] = {}
    next_slot = 0.0
    # Iterative post-order: deep chains must not hit Python's recursion limit.
    for root in roots:
        stack: list[tuple[Hashable, int, bool]] = [(root, 0, False)]
        while stack:
            node, depth, expanded = stack.pop()
            kids = children.get(node, [])
            if not kids:
                pos[node] = (next_slot, -depth * y_gap)
                next_slot += x_gap
            elif expanded:
                x = (pos[kids[0]][0] + pos[kids[-1]][0]) / 2.0
                pos[node] = (x, -depth * y_gap)
            else:
                stack.append((node, depth, True))
                stack.extend((kid, depth + 1, False) for kid in reversed(kids))
    return pos


def layout_bounds(
    pos: Mapping[Hashable, Position] | Iterable[Position],
) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` of positions; zeros for none."""
    points = list(pos.values()) if isinstance(pos, Mapping) else list(pos)
    if not points:
        return (0.0, 0.0, 0.0, 0.0)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), max(xs), min(ys), max(ys))
