"""The dashboard's boxes (``widgets._controls``): their fixed sizes, on a live dashboard."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

from PIL import Image

from jobber_lab.widgets import Dashboard
from jobber_lab.widgets._controls import TREE_HEIGHT, TREE_WIDTH

WAIT = 10.0  # wall seconds; reached only when something is broken


def test_the_tree_box_keeps_its_size_and_the_png_option_is_twice_as_sharp(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    dash = dashboard_factory(tree_format="png")
    assert dash.wait_idle(WAIT), "the renderer did not catch up"
    c = dash.controls
    assert c.tree.layout.height == f"{TREE_HEIGHT}px" and c.tree.layout.width == f"{TREE_WIDTH}px"
    assert c.jobs.layout.height and c.log.layout.height and c.header.layout.height
    data = c.tree.value.split("base64,")[1].split("'")[0]
    width, height = Image.open(io.BytesIO(base64.b64decode(data))).size
    assert width >= 2 * TREE_WIDTH and height >= 2 * TREE_HEIGHT
    assert "Jobber.Supervisor" in c.tree.value  # the description still names the processes
