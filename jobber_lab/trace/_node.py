"""A node of the supervision-tree graph: its attributes, and the one rule that names it.

Every node carries every attribute of :class:`NodeAttrs` (the draw layer never needs a
``.get()`` fallback), so the reducer in ``_graph.py`` updates a known set of keys and the type
checker catches a misspelt one. Three counters say what restarted, each with one meaning:

``restarts``
    How many times this child's slot was restarted ("restarted 3x"): what the pictures,
    the text tree and lesson 06 read, the same on every node.
``restarts_performed``
    How many restarts this supervisor made of its children, over its whole life.
``restarts_in_window``
    The restarts this supervisor counts against ``max_restarts`` in its current
    ``max_seconds`` window, as it last reported (the S6 intensity count).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, TypedDict

from jobber_lab.jobber import JobStatus

__all__ = [
    "APP_PREFIX",
    "NodeAttrs",
    "app_node",
    "default_attrs",
    "name_of",
    "node_label",
    "process_name",
]

APP_PREFIX = "app:"

_UNDEFINED_IDS = (None, "undefined", ":undefined")


class NodeAttrs(TypedDict):
    """The attributes of one process (or application) node."""

    label: str  # process_name() of the others, kept current by the reducer
    pid: str | None  # an application's node holds its master's pid, None before it is known
    name: Any  # the registered name (as text), or None
    role: str  # worker, supervisor, application, registry, ...
    behaviour: str
    status: Any  # a JobStatus, or "zombie"
    restarts: int
    restarts_in_window: int
    restarts_performed: int
    job_id: Any
    job_status: Any  # a JobSupervisor's: its job's latest status (its own is its process's)
    job_type: Any
    retries: Any
    attempt: Any
    attempts: int
    child_id: Any
    restart: str | None  # the child's restart type: permanent, transient, temporary
    dynamic: bool
    zombie: bool
    started: float | None
    replaced: str | None  # the pid this one replaced at its last restart
    last_exit: str | None  # why that predecessor exited


def default_attrs(pid: str, time: float | None) -> NodeAttrs:
    """A new node's attributes: a running worker named by its pid, started at ``time``."""
    return {
        "label": pid,
        "pid": pid,
        "name": None,
        "role": "worker",
        "behaviour": "",
        "status": JobStatus.RUNNING,
        "restarts": 0,
        "restarts_in_window": 0,
        "restarts_performed": 0,
        "job_id": None,
        "job_status": None,
        "job_type": None,
        "retries": None,
        "attempt": None,
        "attempts": 0,
        "child_id": None,
        "restart": None,
        "dynamic": False,
        "zombie": False,
        "started": time,
        "replaced": None,
        "last_exit": None,
    }


def app_node(app: str) -> str:
    """The graph key of an application's node (``"app:jobber"``): not a pid, so never clashes."""
    return f"{APP_PREFIX}{app}"


def process_name(
    pid: Any,
    name: Any = None,
    *,
    job_id: Any = None,
    child_id: Any = None,
    behaviour: Any = None,
) -> str:
    """What a reader calls a process: THE naming rule of the course, kept only here.

    Registered name (``Jobber.Supervisor``, ``JobRunner``, ``JobRegistry``), else the job id
    for the app's processes (a Job, and the JobSupervisor that runs it, are called by the id
    of their job, so ``doomed-3`` can be found in every picture), else the child id the
    supervisor gave it, else its behaviour (``Job``), else the pid. The tree, the timeline,
    the sequence diagram, the job table and the log all name processes through this (via
    :func:`name_of`, the graph's ``label`` attribute or ``Tracer.label_of``).
    """
    for value in (name, job_id):
        if value not in (None, ""):
            return str(value)
    if child_id not in _UNDEFINED_IDS and child_id != "":
        return str(child_id)
    if behaviour:
        return str(behaviour)
    return str(pid)


def name_of(attrs: Mapping[str, Any]) -> str:
    """:func:`process_name` of a graph node's (or a ghost's) attributes."""
    return process_name(
        attrs.get("pid"),
        attrs.get("name"),
        job_id=attrs.get("job_id"),
        child_id=attrs.get("child_id"),
        behaviour=attrs.get("behaviour"),
    )


def node_label(pid: str, name: Any, child_id: Any, behaviour: Any, job_id: Any = None) -> str:
    """Deprecated: :func:`process_name` with positional arguments, the older spelling.

    Kept working because it is public; a second name for the one rule is a second place to
    look, so new code calls :func:`process_name` (or :func:`name_of` on a node's attributes).
    """
    warnings.warn(
        "jobber_lab.trace.node_label is deprecated: call process_name(pid, name, job_id=..., "
        "child_id=..., behaviour=...)",
        DeprecationWarning,
        stacklevel=2,
    )
    return process_name(pid, name, job_id=job_id, child_id=child_id, behaviour=behaviour)
