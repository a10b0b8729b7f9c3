"""Pictures of a running jobber_lab: supervision trees, timelines, message sequences, GIFs.

The only layer that imports matplotlib (ARCHITECTURE.md).  Everything here is a pure function
of a tracer graph or an event list that returns a ``Figure`` or bytes, without pyplot and
without global state, so drawings can be made from any thread and leave nothing behind.
Nothing here starts a thread: the throttled redraw thread is ``jobber_lab.widgets``'
:class:`~jobber_lab.widgets.CoalescingRenderer`.
"""

from ._gif import tree_gif
from ._layout import tree_layout
from ._sequence import draw_sequence
from ._style import ROLE_COLOURS, STATUS_COLOURS, STATUS_ORDER
from ._timeline import draw_timeline
from ._tree import (
    AUTO_LABEL_LIMIT,
    TreeFigure,
    draw_tree,
    figure_bytes,
    node_caption,
    node_label,
    node_tooltip,
    save_tree,
    tree_png,
    tree_svg,
)

__all__ = [
    "AUTO_LABEL_LIMIT",
    "ROLE_COLOURS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "TreeFigure",
    "draw_sequence",
    "draw_timeline",
    "draw_tree",
    "figure_bytes",
    "node_caption",
    "node_label",
    "node_tooltip",
    "save_tree",
    "tree_gif",
    "tree_layout",
    "tree_png",
    "tree_svg",
]
