"""The dashboard's widgets, built in one place and laid out in one place.

Only construction and layout live here; what the widgets *do* is wired in ``_dashboard``, so
a reader can see the whole page in :func:`layout` without reading any handler.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import ipywidgets as w

from jobber_lab.jobber import VARIANTS

from ._session import KILL_REASONS
from ._table import MAX_ROWS, TABLE_CSS

__all__ = ["LOG_HEIGHT", "NO_PROCESS", "TIME_SCALES", "TREE_FIGSIZE", "TREE_HEIGHT", "TREE_WIDTH"]
__all__ += ["CLOCK_TIPS", "ClockState", "Controls", "clock_state", "layout"]

#: Time scales offered: 1 is the book's real time; 0.1 runs its 5 s jobs in half a second.
TIME_SCALES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.01)

#: The Kill list's first entry. Its value is "" and not None: a Dropdown whose value is None
#: has *no* selection and shows an empty box instead of this hint.
NO_PROCESS = "— choose a process —"

#: The tree's box, in CSS pixels high. Fixed, whatever the picture: a redraw never moves the
#: buttons under the mouse (the picture scales inside the box instead).
TREE_HEIGHT = 340
#: Fixed too: the figure is drawn for exactly this box (at 96 CSS px per inch its labels show
#: at their nominal point size, nothing letterboxed); the table and the log take the rest.
TREE_WIDTH = 520
TREE_FIGSIZE = (TREE_WIDTH / 96, TREE_HEIGHT / 96)
#: The job table's and the log's boxes beside the tree (they scroll inside; never grow).
TABLE_HEIGHT = 150
LOG_HEIGHT = TREE_HEIGHT - TABLE_HEIGHT - 6


def _scale_options(current: float) -> list[tuple[str, float]]:
    values = sorted({*TIME_SCALES, float(current)}, reverse=True)
    return [(f"{v:g}" + (" (real time)" if v == 1 else ""), v) for v in values]


def _row() -> w.Button:
    """One job-table row: a button, so that a click on it reaches Python (hidden until used)."""
    row = w.Button(layout=w.Layout(width="100%", height="18px", display="none", flex="0 0 auto"))
    row.add_class("jl-row")
    return row


def _button(
    text: str, style: str = "", tip: str = "", width: str = "auto", icon: str = ""
) -> w.Button:
    return w.Button(
        description=text, button_style=style, tooltip=tip, icon=icon, layout=w.Layout(width=width)
    )


#: Why a clock button is greyed out, for its tooltip (a disabled button explains itself).
CLOCK_TIPS = {
    "pause": "stop the clock: time stands still; runnable processes still finish",
    "step": "advance to the next deadline and run to quiescence; marks what happened",
    "resume": "let the clock follow the wall clock again, at the time scale",
    "playing": "Pause first: while playing, the clock reaches the next deadline by itself",
    "paused": "already paused: Step, or Play to resume",
    "not paused": "already playing",
    "scaled": (
        "a scaled runtime follows the wall clock and its threads all run at once: nothing "
        "can stop it. Dashboard(simulated=True) has Pause and Step"
    ),
    "unpaced": (
        "this simulated runtime runs as fast as possible (no time scale): time moves only "
        "when Step (or a cell) asks for it"
    ),
}


@dataclass(frozen=True)
class ClockState:
    """What the Pause, Step and Play buttons allow, and why not (their tooltips)."""

    pause: bool
    step: bool
    resume: bool
    pause_tip: str
    step_tip: str
    resume_tip: str


def clock_state(*, simulated: bool, paced: bool, paused: bool) -> ClockState:
    """Step only while paused (or on an unpaced simulation, where only steps move time);
    on a scaled runtime nothing: there is no clock to stop."""
    if not simulated:
        why = CLOCK_TIPS["scaled"]
        return ClockState(False, False, False, why, why, why)
    if not paced:
        why = CLOCK_TIPS["unpaced"]
        return ClockState(False, True, False, why, CLOCK_TIPS["step"], why)
    if paused:
        return ClockState(
            False, True, True, CLOCK_TIPS["paused"], CLOCK_TIPS["step"], CLOCK_TIPS["resume"]
        )
    return ClockState(
        True, False, False, CLOCK_TIPS["pause"], CLOCK_TIPS["playing"], CLOCK_TIPS["not paused"]
    )


@dataclass
class Controls:
    """Every widget of the dashboard, by name (tests reach them as ``dashboard.controls.x``)."""

    variant: str
    time_scale: float
    seconds: float
    pause: w.Button = field(init=False)
    step: w.Button = field(init=False)
    resume: w.Button = field(init=False)  # "Play" (``play`` is the history's player)
    next_up: w.HTML = field(init=False)  # "next: t = 10.000 s"
    good: w.Button = field(init=False)
    bad: w.Button = field(init=False)
    doomed: w.Button = field(init=False)
    import_: w.Button = field(init=False)
    import_4: w.Button = field(init=False)
    duration: w.BoundedFloatText = field(init=False)
    variant_choice: w.Dropdown = field(init=False)
    scale_choice: w.Dropdown = field(init=False)
    reset: w.Button = field(init=False)
    header: w.HTML = field(init=False)
    notice: w.HTML = field(init=False)
    tree: w.HTML = field(init=False)
    table: w.HTML = field(init=False)
    rows: list[w.Button] = field(init=False)
    jobs: w.VBox = field(init=False)
    css: w.HTML = field(init=False)
    log: w.HTML = field(init=False)
    kill_target: w.Dropdown = field(init=False)
    kill_reason: w.Dropdown = field(init=False)
    kill: w.Button = field(init=False)
    slider: w.IntSlider = field(init=False)
    play: w.Play = field(init=False)
    live: w.Button = field(init=False)
    export_dir: w.Text = field(init=False)
    export: w.Button = field(init=False)

    def __post_init__(self) -> None:
        self.pause = _button("Pause", "", CLOCK_TIPS["pause"], icon="pause")
        self.step = _button("Step", "", CLOCK_TIPS["step"], icon="step-forward")
        self.resume = _button("Play", "", CLOCK_TIPS["resume"], icon="play")
        for button in (self.pause, self.step, self.resume):
            button.add_class("jl-clock-button")
        # On the notice's line, at its right end: the buttons' row has no room left at
        # 1280x720 with the file browser open, and a row more would push Export off screen.
        self.next_up = w.HTML(
            layout=w.Layout(width="170px", height="22px", overflow="hidden", flex="0 0 auto")
        )
        self.next_up.add_class("jl-next")
        self.good = _button("Good job", "success", "good_job: sleeps, then {:ok, []}")
        self.bad = _button("Bad job", "warning", "bad_job: sleeps, then :error (retried)")
        self.doomed = _button("Doomed job", "danger", "doomed_job: sleeps, then raises Boom!")
        self.import_ = _button("Import job", "info", "a good job of type import (quota 3)")
        self.import_4 = _button(
            "Import ×4", "info", "four imports at once: the quota admits 3, refuses the 4th"
        )
        self.duration = w.BoundedFloatText(
            value=self.seconds,
            min=0,
            max=3600,
            step=1,
            description="work (s)",
            layout=w.Layout(width="130px"),
            style={"description_width": "55px"},
        )
        self.variant_choice = w.Dropdown(
            options=list(VARIANTS),
            value=self.variant,
            description="variant",
            layout=w.Layout(width="165px"),
            style={"description_width": "55px"},
        )
        self.scale_choice = w.Dropdown(
            options=_scale_options(self.time_scale),
            value=float(self.time_scale),
            description="time scale",
            layout=w.Layout(width="165px"),
            style={"description_width": "70px"},
        )
        self.reset = _button("Reset", "", "stop the app and start a clean one")
        # Every box below has a fixed height: what it shows changes, its size never does.
        self.header = w.HTML(layout=w.Layout(height="50px", overflow="hidden", width="100%"))
        self.notice = w.HTML(
            layout=w.Layout(height="22px", overflow="hidden", flex="1 1 auto", min_width="0")
        )
        self.tree = w.HTML(
            layout=w.Layout(
                width=f"{TREE_WIDTH}px",
                min_width=f"{TREE_WIDTH}px",
                height=f"{TREE_HEIGHT}px",
                overflow="hidden",
                margin="0 6px 0 0",
            )
        )
        self.tree.add_class("jl-tree-box")
        self.table = w.HTML(
            layout=w.Layout(width="100%", height="20px", overflow="hidden", flex="0 0 auto")
        )
        self.rows = [_row() for _ in range(MAX_ROWS)]
        self.jobs = w.VBox(
            [self.table, *self.rows],
            layout=w.Layout(width="100%", height=f"{TABLE_HEIGHT}px", overflow="auto"),
        )
        self.jobs.add_class("jl-jobs")
        self.css = w.HTML(TABLE_CSS, layout=w.Layout(height="0px", overflow="hidden"))
        self.log = w.HTML(
            layout=w.Layout(width="100%", height=f"{LOG_HEIGHT}px", overflow="hidden")
        )
        self.kill_target = w.Dropdown(
            options=[(NO_PROCESS, "")],
            value="",
            description="Kill",
            layout=w.Layout(width="240px"),
            style={"description_width": "35px"},
        )
        self.kill_reason = w.Dropdown(
            options=list(KILL_REASONS),
            value="kill",
            description="reason",
            layout=w.Layout(width="120px"),
            style={"description_width": "50px"},
        )
        self.kill = _button("Kill", "danger", "Process.exit(pid, reason)")
        self.slider = w.IntSlider(
            value=0,
            min=0,
            max=0,
            description="history",
            continuous_update=False,
            layout=w.Layout(width="200px"),
            style={"description_width": "55px"},
        )
        self.play = w.Play(value=0, min=0, max=0, interval=150, step=1, description="play")
        self.live = _button("Live", "", "back to now")
        self.export_dir = w.Text(
            value=os.getcwd(),
            description="folder",
            layout=w.Layout(width="300px"),
            style={"description_width": "45px"},
        )
        self.export = _button("Export", "", "write supervision_tree.png and trace.jsonl")

    @property
    def job_buttons(self) -> dict[str, w.Button]:
        return {"good": self.good, "bad": self.bad, "doomed": self.doomed, "import": self.import_}


def layout(c: Controls) -> w.VBox:
    """The page, sized for a 1280x720 laptop screen in JupyterLab (about 560 px tall):

    facts, then the job buttons and the clock (Pause, Step, Play) on top, the last notice and
    what is due next under them; the tree beside the job table and the log; kill and history
    below, then the app's options (variant, time scale, Reset) and the export.
    Rows wrap only when the notebook is narrow, never because of what they show.
    """
    row = w.Layout(flex_flow="row wrap", align_items="center", width="100%")
    clock = [c.pause, c.step, c.resume]
    jobs = [c.good, c.bad, c.doomed, c.import_, c.import_4, c.duration, *clock]
    kill = [c.kill_target, c.kill_reason, c.kill]
    history = [c.play, c.slider, c.live]
    app = [c.variant_choice, c.scale_choice, c.reset, c.export_dir, c.export]
    side = w.VBox(
        [c.jobs, c.log], layout=w.Layout(flex="1 1 auto", min_width="0", height=f"{TREE_HEIGHT}px")
    )
    page = w.VBox(
        [
            c.css,
            c.header,
            w.HBox(jobs, layout=row),
            w.HBox([c.notice, c.next_up], layout=w.Layout(width="100%", align_items="flex-start")),
            w.HBox([c.tree, side], layout=w.Layout(width="100%", height=f"{TREE_HEIGHT}px")),
            w.HBox([*kill, *history], layout=row),
            w.HBox(app, layout=row),
        ],
        layout=w.Layout(width="100%"),
    )
    page.add_class("jl-dashboard")
    return page
