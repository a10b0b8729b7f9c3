"""draw_sequence: lifelines named by the naming rule, messages in the book's words, readable
text, the whole term on hover, and nothing outside the figure."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from jobber_lab import otp
from jobber_lab.draw import draw_sequence
from jobber_lab.draw._sequence import sequence_rows
from jobber_lab.otp import GenServer, NoReply, Reply, Runtime
from jobber_lab.trace import Tracer

SVG = "{http://www.w3.org/2000/svg}"


class Counter(GenServer):
    """The book's counter: ``:inc`` answers the new count; a cast is accepted and ignored."""

    def handle_call(self, request, from_, count):
        if request == "rows":
            return Reply(list(range(200)), count)
        return Reply(count + 1, count + 1)

    def handle_cast(self, request, count):
        return NoReply(count)


def _lifelines(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_xticklabels()]


def _arrows(fig: Figure) -> int:
    return sum(isinstance(t, Annotation) for t in fig.axes[0].texts)


def _labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]


def _titles(fig: Figure) -> list[str]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    root = ET.fromstring(buffer.getvalue())
    return [el.text or "" for el in root.iter(f"{SVG}title")]


@pytest.fixture
def conversation(runtime: Runtime) -> tuple[list, str, str]:
    """A real exchange on a message-tracing runtime: two calls, a cast, a big reply, a
    plain send, then the counter is stopped under a monitor and a link (:DOWN and :EXIT)."""
    runtime.trace_messages = True
    tracer = Tracer(runtime)
    with runtime.test_process(trap_exit=True) as me:
        counter = Counter.start_link(0, name="Counter").value
        assert otp.call(counter, otp.Atom("inc")) == 1
        assert otp.call(counter, otp.Atom("inc")) == 2
        otp.cast(counter, ("push", 1))
        assert len(otp.call(counter, "rows")) == 200
        otp.send(counter, "hello")
        otp.send(me, otp.Atom("tick"))
        assert otp.receive(lambda m: m is otp.Atom("tick"), 5) is otp.Atom("tick")
        otp.monitor(counter)
        otp.exit(counter, otp.SHUTDOWN)
        otp.receive(otp.is_down, 5)
        otp.receive(otp.is_exit, 5)
    assert tracer.flush()
    tracer.detach()
    return tracer.history, str(me), str(counter)


def test_lifelines_named_by_the_naming_rule_pid_beneath(conversation) -> None:
    history, me, counter = conversation
    fig = draw_sequence(history, pids=[me, counter])
    assert _lifelines(fig) == [f"test\n{me}", f"Counter\n{counter}"]


def test_messages_read_as_the_book_writes_them(conversation) -> None:
    history, me, counter = conversation
    labels = _labels(draw_sequence(history, pids=[me, counter]))
    assert labels[:3] == ["GenServer.call(:inc)", "{:reply, 1}", "GenServer.call(:inc)"]
    for expected in (
        "{:reply, 2}",
        'GenServer.cast({"push", 1})',
        'GenServer.call("rows")',
        '"hello"',
        "{:DOWN, ...}",
        f"{{:EXIT, {counter}, :shutdown}}",
    ):
        assert expected in labels
    assert not any("$gen_call" in text or "#Ref" in text for text in labels)
    assert max(len(text) for text in labels) <= 40


def test_exit_and_down_come_from_the_process_they_report(conversation) -> None:
    history, me, counter = conversation
    signals = [r for r in sequence_rows(history) if r.tag in ("EXIT", "DOWN")]
    assert sorted(r.tag for r in signals) == ["DOWN", "EXIT"]
    assert all(r.sender == counter and r.receiver == me for r in signals)


def test_the_svg_tooltips_hold_the_whole_term(conversation) -> None:
    history, me, counter = conversation
    titles = _titles(draw_sequence(history, pids=[me, counter]))
    assert f"Counter {counter}" in titles and f"test {me}" in titles
    calls = [t for t in titles if t.startswith("GenServer.call(:inc)")]
    assert calls and f'{{:"$gen_call", {{{me}, #Ref<' in calls[0]
    rows = next(t for t in titles if t.startswith("{:reply, [0, 1"))
    assert "199]" in rows  # the summary is shortened; the tooltip is not
    down = next(t for t in titles if t.startswith("{:DOWN, ...}"))
    assert f":process, {counter}, :shutdown}}" in down


def test_no_text_smaller_than_9_points(conversation) -> None:
    history, _, _ = conversation
    fig = draw_sequence(history, title="a GenServer conversation")
    fig.canvas.draw()  # type: ignore[attr-defined]
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 20
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 9]
    assert small == []


@pytest.mark.parametrize("last", ["me", "counter"])
def test_every_label_and_the_legend_lie_inside_the_figure(conversation, last) -> None:
    history, me, counter = conversation
    order = [counter, me] if last == "me" else [me, counter]  # me: a self-loop at the edge
    fig = draw_sequence(history, pids=order, title="a GenServer conversation")
    assert ":tick" in _labels(fig)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    # The tight box is what a viewer trimming to the drawn content (Jupyter's inline
    # bbox_inches="tight") keeps: all of it must already be inside the figure.
    drawn = fig.get_tightbbox(renderer)
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, drawn
    assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, drawn
    assert fig.legends, "the legend is part of the figure's layout"


def test_hand_made_events_named_when_known(message_events) -> None:
    fig = draw_sequence(message_events)
    assert _lifelines(fig) == [
        "iex\n<0.5.0>",
        "JobRunner\n<0.12.0>",
        "supervisor\n<0.20.0>",
        "external",
    ]
    assert _arrows(fig) == 6
    labels = _labels(fig)
    assert "GenServer.call({:start_child, spec})" in labels
    assert "{:EXIT, <0.20.0>, :shutdown}" in labels


def test_labels_name_what_the_events_do_not(message_events) -> None:
    fig = draw_sequence(message_events, labels={"<0.20.0>": "JobSupervisor"})
    assert "JobSupervisor\n<0.20.0>" in _lifelines(fig)
    fig = draw_sequence(message_events, labels=lambda pid: "the shell" if pid == "<0.5.0>" else pid)
    assert _lifelines(fig)[0] == "the shell\n<0.5.0>"


def test_chosen_pids_keep_only_their_messages(message_events) -> None:
    fig = draw_sequence(message_events, pids=["<0.12.0>", "<0.5.0>"])
    assert _lifelines(fig) == ["JobRunner\n<0.12.0>", "iex\n<0.5.0>"]
    assert _arrows(fig) == 2


def test_message_cap_and_no_messages(message_events) -> None:
    fig = draw_sequence(message_events, max_messages=2)
    assert _arrows(fig) == 2
    assert "4 more" in fig.axes[0].get_title(loc="left")
    assert isinstance(draw_sequence([]), Figure)
    with pytest.raises(ValueError, match="max_messages"):
        draw_sequence(message_events, max_messages=-1)


def test_drawn_on_the_callers_axes(message_events) -> None:
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    assert draw_sequence(message_events, ax=ax) is fig
    assert ax.get_legend() is not None


def test_tooltips_in_every_way_an_svg_is_written(message_events, tmp_path) -> None:
    fig = draw_sequence(message_events)
    path = tmp_path / "sequence.svg"
    fig.savefig(path)
    on_disk = path.read_text(encoding="utf-8")
    text = io.StringIO()
    fig.savefig(text, format="svg")
    for svg in (on_disk, text.getvalue()):
        root = ET.fromstring(svg)
        titles = [el.text or "" for el in root.iter(f"{SVG}title")]
        assert "JobRunner <0.12.0>" in titles
        assert any("{:EXIT, <0.20.0>, :shutdown}" in t for t in titles)
    png = io.BytesIO()
    fig.savefig(png, format="png")  # the PNG path is untouched
    assert png.getvalue().startswith(b"\x89PNG")
