"""The live tree as indented text, for terminals and logs (``jobber-lab demo``)."""

from __future__ import annotations

from typing import Any

import networkx as nx

__all__ = ["text_tree"]


def text_tree(graph: nx.DiGraph) -> str:
    """One line per process, children indented under their parent, dynamic ones marked ``~``.

    Workers show their job status and restarts, so the picture of ``supervision_tree.png``
    reads in a terminal too.
    """
    lines: list[str] = []

    def order(node: Any) -> tuple[float, str]:
        return (graph.nodes[node].get("started") or 0.0, str(node))

    def walk(node: Any, prefix: str, last: bool, depth: int) -> None:
        attrs = graph.nodes[node]
        label = attrs.get("label", str(node))
        pid = attrs.get("pid")
        details = [attrs.get("role", "")]
        if attrs.get("job_id"):
            # A JobSupervisor's own status is its process's (running); show its job's.
            worker = attrs.get("role") == "worker"
            job = attrs.get("status") if worker else attrs.get("job_status")
            details.append(f"job {attrs['job_id']} {job or ''}".strip())
        if attrs.get("restarts"):
            details.append(f"restarts {attrs['restarts']}")
        if attrs.get("zombie"):
            details.append("ZOMBIE")
        mark = ""
        if depth:
            edge = graph.edges[next(iter(graph.predecessors(node))), node]
            mark = "~ " if edge.get("dynamic") else ""
        head = "" if depth == 0 else prefix + ("└── " if last else "├── ")
        shown_pid = f" {pid}" if pid and pid != label else ""
        lines.append(f"{head}{mark}{label}{shown_pid} ({', '.join(d for d in details if d)})")
        children = sorted(graph.successors(node), key=order)
        child_prefix = "" if depth == 0 else prefix + ("    " if last else "│   ")
        for i, child in enumerate(children):
            walk(child, child_prefix, i == len(children) - 1, depth + 1)

    roots = sorted((n for n in graph.nodes if graph.in_degree(n) == 0), key=order)
    for root in roots:
        walk(root, "", True, 0)
    return "\n".join(lines)
