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
from ._tree import *  # noqa: F403 - the tree drawing's public names; its __all__ is the list
from ._tree import __all__ as _tree_names

__all__ = [
    *_tree_names,
    "ROLE_COLOURS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "draw_sequence",
    "draw_timeline",
    "tree_gif",
    "tree_layout",
]
