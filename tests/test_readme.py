"""The README's Python examples run (a doc example that rots is worse than none)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_examples_in_readme_run(capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README should show the core in use"
    before = set(threading.enumerate())
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "readme_example"})
    assert "1" in capsys.readouterr().out
    leaked = [t.name for t in set(threading.enumerate()) - before if t.name.startswith("jobber")]
    assert leaked == []
