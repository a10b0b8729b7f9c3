"""Drawing never imports pyplot (it keeps figures alive and owns global state)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

SCRIPT = """
import sys
sys.path[:0] = [{repo!r}, {here!r}]
from draw_samples import doomed_scenario, jobber_tree, message_scenario
import jobber_lab.draw as d
g = jobber_tree()
d.tree_png(g); d.tree_svg(g); d.tree_gif([g, g])
d.draw_timeline(doomed_scenario()).savefig(__import__("io").BytesIO(), format="png")
d.draw_sequence(message_scenario()).savefig(__import__("io").BytesIO(), format="png")
print("pyplot" if "matplotlib.pyplot" in sys.modules else "clean")
"""


def test_no_pyplot_after_drawing_everything() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(repo=str(REPO), here=str(HERE))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"


def test_draw_modules_never_import_pyplot() -> None:
    for source in (REPO / "jobber_lab" / "draw").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            assert not any("pyplot" in n or "pylab" in n for n in names), (source, names)
