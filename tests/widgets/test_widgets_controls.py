"""The dashboard's controls (``widgets._controls``): the boxes' fixed sizes on a live dashboard,
and what the clock buttons allow."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

from PIL import Image

from jobber_lab.widgets import Dashboard
from jobber_lab.widgets._controls import CLOCK_TIPS, TREE_HEIGHT, TREE_WIDTH, clock_state

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


def test_the_clock_buttons_allow_what_the_clock_allows() -> None:
    """Pause while playing; Step and Play while paused; Step alone on an unpaced simulation
    (only steps move its time); nothing on a scaled runtime, with the reason as tooltip."""
    playing = clock_state(simulated=True, paced=True, paused=False)
    assert (playing.pause, playing.step, playing.resume) == (True, False, False)
    assert playing.step_tip == CLOCK_TIPS["playing"]
    paused = clock_state(simulated=True, paced=True, paused=True)
    assert (paused.pause, paused.step, paused.resume) == (False, True, True)
    scaled = clock_state(simulated=False, paced=False, paused=False)
    assert (scaled.pause, scaled.step, scaled.resume) == (False, False, False)
    assert "scaled runtime" in scaled.step_tip and "simulated=True" in scaled.pause_tip
    unpaced = clock_state(simulated=True, paced=False, paused=False)
    assert (unpaced.pause, unpaced.step, unpaced.resume) == (False, True, False)
