"""tree_layout: a tidy tree that never overlaps nodes, whatever the tree."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from jobber_lab.draw import tree_layout


@st.composite
def forests(draw: st.DrawFn) -> nx.DiGraph:
    """Random forests: node i's parent is an earlier node or none (a new root)."""
    n = draw(st.integers(min_value=0, max_value=120))
    g = nx.DiGraph()
    for i in range(n):
        g.add_node(f"<0.{i}.0>", started=draw(st.one_of(st.none(), st.floats(0, 100))))
        if i and draw(st.integers(0, 9)) > 0:
            g.add_edge(f"<0.{draw(st.integers(0, i - 1))}.0>", f"<0.{i}.0>")
    return g


@settings(max_examples=150, deadline=None)
@given(forests())
def test_layout_distinct_positions_parents_above_children(g: nx.DiGraph) -> None:
    pos = tree_layout(g)
    assert set(pos) == set(g.nodes)
    assert len(set(pos.values())) == len(pos), "two nodes share a position"
    for parent, child in g.edges:
        assert pos[parent][1] > pos[child][1]
    for node in g.nodes:
        kids = list(g.successors(node))
        if kids:
            xs = [pos[k][0] for k in kids]
            assert min(xs) <= pos[node][0] <= max(xs), "parent not over its children"
    # Same level: at least one slot apart.
    by_level: dict[float, list[float]] = {}
    for x, y in pos.values():
        by_level.setdefault(y, []).append(x)
    for xs in by_level.values():
        xs.sort()
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(xs))


def test_empty_graph() -> None:
    assert tree_layout(nx.DiGraph()) == {}


def test_roots_side_by_side_and_children_in_start_order() -> None:
    g = nx.DiGraph()
    g.add_node("b", started=2.0)
    g.add_node("a", started=1.0)
    g.add_edge("a", "<0.10.0>")
    g.add_edge("a", "<0.9.0>")
    g.nodes["<0.10.0>"]["started"] = 5.0
    g.nodes["<0.9.0>"]["started"] = 5.0
    pos = tree_layout(g)
    assert pos["a"][1] == pos["b"][1] == 0
    assert pos["a"][0] < pos["b"][0]  # started first, drawn first
    assert pos["<0.9.0>"][0] < pos["<0.10.0>"][0]  # tie on started: pids in natural order


def test_cycles_and_two_parents_are_survived() -> None:
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("z", "y")])
    pos = tree_layout(g)
    assert set(pos) == set(g.nodes)
    assert len(set(pos.values())) == len(pos)


def test_deep_chain_needs_no_recursion() -> None:
    g = nx.path_graph(5000, create_using=nx.DiGraph)
    pos = tree_layout(g)
    assert pos[4999][1] == -4999
