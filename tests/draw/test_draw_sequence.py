"""draw_sequence: lifelines named from the events, one arrow per message."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Annotation

from jobber_lab.draw import draw_sequence


def _lifelines(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_xticklabels()]


def _arrows(fig: Figure) -> int:
    return sum(isinstance(t, Annotation) for t in fig.axes[0].texts)


def test_all_processes_by_default_named_when_known(message_events) -> None:
    fig = draw_sequence(message_events)
    assert _lifelines(fig) == ["iex\n<0.5.0>", "JobRunner\n<0.12.0>", "<0.20.0>", "external"]
    assert _arrows(fig) == 6
    labels = [t.get_text() for t in fig.axes[0].texts if not isinstance(t, Annotation)]
    assert "call: {:start_child, spec}" in labels
    assert any(text.startswith("EXIT:") for text in labels)


def test_chosen_pids_keep_only_their_messages(message_events) -> None:
    fig = draw_sequence(message_events, pids=["<0.12.0>", "<0.5.0>"])
    assert _lifelines(fig) == ["JobRunner\n<0.12.0>", "iex\n<0.5.0>"]
    assert _arrows(fig) == 2


def test_message_cap_and_no_messages(message_events) -> None:
    fig = draw_sequence(message_events, max_messages=2)
    assert _arrows(fig) == 2
    assert "4 more" in fig.axes[0].get_title(loc="left")
    assert isinstance(draw_sequence([]), Figure)
