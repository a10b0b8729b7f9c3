"""The names ``jobber_lab.draw`` exports.  Its ``__all__`` takes the tree drawing's names
from ``_tree.__all__`` (written once), so this list, taken before that change, catches a name
that drops out."""

import jobber_lab.draw as draw

EXPECTED = {
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
}


def test_all_is_exactly_the_expected_names() -> None:
    names = set(draw.__all__)
    assert names == EXPECTED, (sorted(EXPECTED - names), sorted(names - EXPECTED))


def test_all_has_no_repeats_and_every_name_resolves() -> None:
    assert len(draw.__all__) == len(set(draw.__all__))
    assert [name for name in draw.__all__ if not hasattr(draw, name)] == []
