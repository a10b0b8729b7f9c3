"""The import layering of ARCHITECTURE.md, checked by reading the source (nothing is imported).

    widgets -> draw -> trace -> jobber -> otp        (imports point down only)

- otp/      standard library and jobber_lab.otp only
- jobber/   + jobber_lab.otp
- trace/    + jobber_lab.jobber, networkx            (never matplotlib, never ipywidgets)
- draw/     + jobber_lab.trace, matplotlib, numpy, PIL (never ipywidgets)
- widgets/  + jobber_lab.draw, ipywidgets, IPython, traitlets (matplotlib stays in draw/)
- cli.py, demo.py, course.py, __main__.py: every layer, any package

Top-level modules of the package that are not listed in ``LAYER_OF_FILE`` have no rule and are
reported: a new module or subpackage is a change to the architecture and gets a rule here.
Dynamic imports with a literal name (``importlib.import_module("x")``, ``__import__("x")``)
are checked too. Imports under ``if TYPE_CHECKING:`` count: the direction holds for types too.

No private back doors. A module whose name starts with ``_`` (``jobber_lab.otp._runtime``) is
its layer's own business: other layers, the top-level modules, ``bench/`` and the tests use
what the layer's ``__init__`` exports (its ``__all__``). The one rule for tests: a test file
may import a private module of layer L only if it lives in ``tests/L/`` and its file name names
that module, word for word (``tests/otp/test_supervisor_engine.py`` may import
``otp._supervisor_engine``, ``tests/draw/test_draw_sequence_messages.py`` ``draw._messages``):
it is that module's unit test. Helpers and conftest files in ``tests/L/`` are not.
``ALLOWED_PRIVATE`` lists the few exceptions, each with its reason (fault injection: a test
swaps a private function to prove a checker notices the bug); an entry that no longer matches
an import fails the check, so the list only shrinks.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "jobber_lab"
ANY = frozenset({"*"})

LAYERS = ("otp", "jobber", "trace", "draw", "widgets")
#: Packages above the layers: their modules are "top", but their ``_``-modules are private
#: all the same (``jobber_lab.exercises._lesson06``: import ``jobber_lab.exercises``).
TOP_PACKAGES = ("exercises",)
PRIVATE_OWNERS = (*LAYERS, *TOP_PACKAGES)


@dataclass(frozen=True)
class Rule:
    """What a layer may import: parts of jobber_lab (by first name below it) and other packages
    (by top-level import name). The standard library is always allowed."""

    first_party: frozenset[str]
    third_party: frozenset[str]


ALL_LAYERS = frozenset({*LAYERS, "__init__"})

RULES: dict[str, Rule] = {
    "otp": Rule(frozenset({"otp"}), frozenset()),
    "jobber": Rule(frozenset({"otp", "jobber", "__init__"}), frozenset()),
    "trace": Rule(frozenset({"otp", "jobber", "trace", "__init__"}), frozenset({"networkx"})),
    "draw": Rule(
        frozenset({"otp", "jobber", "trace", "draw", "__init__"}),
        frozenset({"networkx", "matplotlib", "numpy", "PIL"}),
    ),
    "widgets": Rule(
        ALL_LAYERS,
        frozenset({"ipywidgets", "IPython", "traitlets", "networkx", "numpy", "PIL"}),
    ),
    # jobber_lab/__init__.py runs on every `import jobber_lab.otp`, so it must stay as light as
    # the core: it may re-export otp and jobber, nothing that pulls in third-party packages.
    "__init__": Rule(frozenset({"otp", "jobber"}), frozenset()),
    # The pytest plugin (registered as the `jobber_lab` pytest11 entry point).
    "testing": Rule(
        frozenset({"otp", "jobber", "trace", "__init__"}),
        frozenset({"pytest", "_pytest", "pluggy", "hypothesis"}),
    ),
    "top": Rule(
        ALL_LAYERS
        | {"cli", "demo", "_story", "__main__", "testing", "exercises", "course", "solutions"},
        ANY,
    ),
}

LAYER_OF_FILE = {
    "__init__.py": "__init__",
    "cli.py": "top",
    "demo.py": "top",
    "_story.py": "top",  # the demo's narrator
    "__main__.py": "top",
    "testing.py": "testing",
    "course.py": "top",
    "solutions.py": "top",
}


#: (file, private module) -> why that file may import it although the rule says no.
ALLOWED_PRIVATE: dict[tuple[str, str], str] = {
    ("tests/reliability/test_chaos.py", "jobber_lab.otp._supervision"): (
        "fault injection: breaks the intensity count to prove the chaos checker catches it"
    ),
    ("tests/reliability/test_chaos.py", "jobber_lab.otp._supervisor_engine"): (
        "fault injection: a supervisor that never restarts, for the chaos checker to catch"
    ),
    ("tests/reliability/test_hostile_files.py", "jobber_lab.trace._tracer"): (
        "fault injection: graph code that raises, to show a replay still names the line"
    ),
}


@dataclass(frozen=True)
class Offence:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def layer_of_path(relpath: str) -> str | None:
    """'jobber_lab/otp/_pid.py' -> 'otp'; 'jobber_lab/cli.py' -> 'top'; unknown -> None."""
    parts = Path(relpath).parts
    assert parts[0] == PACKAGE, relpath
    if len(parts) > 2:
        if parts[1] in TOP_PACKAGES:
            return "top"
        return parts[1] if parts[1] in LAYERS else None
    return LAYER_OF_FILE.get(parts[1])


def package_of_path(relpath: str) -> list[str]:
    """The package a module lives in, as parts: relative imports are resolved against it."""
    return list(Path(relpath).with_suffix("").parts[:-1])


def first_party_key(module: str) -> str:
    """'jobber_lab.trace._graph' -> 'trace'; 'jobber_lab' -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(tree: ast.AST, relpath: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the tree, relative ones resolved."""
    found: list[tuple[int, str]] = []
    package = package_of_path(relpath)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    found.append((node.lineno, "." * node.level + (node.module or "")))
                    continue
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == PACKAGE:
                # `from jobber_lab import trace` / `from .. import trace` name subpackages.
                found.extend((node.lineno, f"{PACKAGE}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, target))
        elif (
            isinstance(node, ast.Call)
            and _is_dynamic_import(node.func)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def check_source(source: str, relpath: str) -> list[Offence]:
    """Every import in `source` (the file at `relpath`) that its layer may not make."""
    layer = layer_of_path(relpath)
    if layer is None:
        return [
            Offence(
                relpath,
                1,
                "no layer rule for this module: place it in a layer of ARCHITECTURE.md or add "
                "a rule to tests/test_layers.py",
            )
        ]
    rule = RULES[layer]
    try:
        tree = ast.parse(source, filename=relpath)
    except SyntaxError as exc:
        return [Offence(relpath, exc.lineno or 1, f"cannot parse: {exc.msg}")]
    offences = []
    for line, module in imported_modules(tree, relpath):
        top = module.split(".")[0]
        if module.startswith("."):
            offences.append(
                Offence(relpath, line, f"relative import {module!r} leaves the package")
            )
        elif top == PACKAGE:
            key = first_party_key(module)
            if key not in rule.first_party:
                allowed = ", ".join(sorted(rule.first_party)) or "nothing"
                offences.append(
                    Offence(
                        relpath,
                        line,
                        f"{layer} imports {module} (jobber_lab parts allowed here: {allowed})",
                    )
                )
        elif top in sys.stdlib_module_names:
            continue
        elif rule.third_party is not ANY and top not in rule.third_party:
            allowed = ", ".join(sorted(rule.third_party)) or "standard library only"
            offences.append(
                Offence(
                    relpath, line, f"{layer} imports {top!r} (packages allowed here: {allowed})"
                )
            )
    return offences


def private_imports(tree: ast.AST, relpath: str) -> Iterator[tuple[int, str, str]]:
    """(line, private module, its layer) for every import of a layer's ``_``-module.

    ``from jobber_lab.otp import _supervision`` names the module through its package, so the
    imported names count as well as the module imported from.
    """
    package = package_of_path(relpath) if relpath.startswith(f"{PACKAGE}/") else []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    continue  # reported by the layering check when it leaves the package
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            candidates = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and _is_dynamic_import(node.func)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            candidates = [node.args[0].value]
        else:
            continue
        found = set()
        for name in candidates:
            parts = name.split(".")
            if (
                len(parts) >= 3
                and parts[0] == PACKAGE
                and parts[1] in PRIVATE_OWNERS
                and parts[2].startswith("_")
                and not parts[2].startswith("__")
            ):
                found.add((".".join(parts[:3]), parts[1]))
        for module, layer in sorted(found):
            yield node.lineno, module, layer


def may_import_private(relpath: str, module: str, layer: str) -> bool:
    """The rule of the module doc: the owning layer, or the owning layer's test of it."""
    parts = Path(relpath).parts
    if parts[0] == PACKAGE:
        return len(parts) > 2 and parts[1] == layer
    if parts[0] == "tests" and len(parts) == 3 and parts[1] == layer:
        stem = Path(parts[2]).stem
        name = module.rsplit(".", 1)[1].lstrip("_")
        return stem.startswith("test_") and f"_{name}_" in f"_{stem}_"
    return False


def check_private(source: str, relpath: str) -> list[Offence]:
    """Every import in `source` of another layer's private module (see the module doc)."""
    try:
        tree = ast.parse(source, filename=relpath)
    except SyntaxError as exc:
        return [Offence(relpath, exc.lineno or 1, f"cannot parse: {exc.msg}")]
    return [
        Offence(
            relpath,
            line,
            f"imports the private module {module}: use what jobber_lab.{layer} exports "
            f"(add it to jobber_lab/{layer}/__init__.py's __all__ if it is missing)",
        )
        for line, module, layer in private_imports(tree, relpath)
        if not may_import_private(relpath, module, layer)
        and (relpath, module) not in ALLOWED_PRIVATE
    ]


def private_sources(root: Path = REPO) -> Iterator[tuple[str, str]]:
    """(relpath, source) of every Python file the private-module rule covers."""
    for top in (PACKAGE, "tests", "bench"):
        for path in sorted((root / top).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")


def scan_package(root: Path = REPO) -> list[Offence]:
    offences: list[Offence] = []
    package_dir = root / PACKAGE
    if not package_dir.is_dir():
        return offences
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relpath = path.relative_to(root).as_posix()
        offences.extend(check_source(path.read_text(encoding="utf-8"), relpath))
    return offences


# --- the checker itself -----------------------------------------------------------------------


def messages(source: str, relpath: str) -> list[str]:
    return [str(o) for o in check_source(source, relpath)]


def messages_private(source: str, relpath: str) -> list[str]:
    return [str(o) for o in check_private(source, relpath)]


def test_core_may_use_only_the_standard_library_and_itself() -> None:
    source = (
        "from __future__ import annotations\n"
        "import threading, queue\n"
        "from collections import deque\n"
        "from . import _pid\n"
        "from ._events import Event\n"
        "from jobber_lab.otp import _atoms\n"
    )
    assert messages(source, "jobber_lab/otp/_runtime.py") == []


def test_core_importing_networkx_is_reported_with_file_and_line() -> None:
    source = "import threading\n\nimport networkx as nx\n"
    assert messages(source, "jobber_lab/otp/_runtime.py") == [
        "jobber_lab/otp/_runtime.py:3: otp imports 'networkx' "
        "(packages allowed here: standard library only)"
    ]


def test_upward_relative_import_is_reported() -> None:
    source = "from ..trace import Tracer\nfrom .. import jobber\n"
    found = messages(source, "jobber_lab/otp/_runtime.py")
    assert len(found) == 2
    assert "otp imports jobber_lab.trace" in found[0]
    assert "otp imports jobber_lab.jobber" in found[1]


def test_trace_may_not_import_matplotlib_even_inside_a_function() -> None:
    source = "import networkx\n\ndef show(g):\n    import matplotlib.pyplot as plt\n"
    found = messages(source, "jobber_lab/trace/_tracer.py")
    assert found == [
        "jobber_lab/trace/_tracer.py:4: trace imports 'matplotlib' "
        "(packages allowed here: networkx)"
    ]


def test_draw_may_not_import_ipywidgets_but_may_import_matplotlib() -> None:
    source = (
        "import matplotlib\nfrom PIL import Image\nfrom ..trace import Tracer\nimport ipywidgets\n"
    )
    found = messages(source, "jobber_lab/draw/tree.py")
    assert len(found) == 1 and "draw imports 'ipywidgets'" in found[0]


def test_only_widgets_and_cli_may_import_ipywidgets() -> None:
    source = "import ipywidgets as w\nfrom jobber_lab.draw import tree_png\n"
    assert messages(source, "jobber_lab/widgets/dashboard.py") == []
    assert messages(source, "jobber_lab/cli.py") == []
    assert messages("import ipywidgets\n", "jobber_lab/jobber/job.py")


def test_dynamic_import_with_a_literal_name_is_checked() -> None:
    source = "import importlib\nmpl = importlib.import_module('matplotlib.pyplot')\n"
    found = messages(source, "jobber_lab/otp/_x.py")
    assert len(found) == 1 and ":2: otp imports 'matplotlib'" in found[0]


def test_module_outside_any_layer_is_reported() -> None:
    found = messages("import os\n", "jobber_lab/helpers/util.py")
    assert found and "no layer rule" in found[0]


def test_scan_of_a_synthetic_tree(tmp_path: Path) -> None:
    (tmp_path / "jobber_lab" / "otp").mkdir(parents=True)
    (tmp_path / "jobber_lab" / "otp" / "bad.py").write_text("import os\nimport matplotlib\n")
    (tmp_path / "jobber_lab" / "otp" / "good.py").write_text("import os\n")
    assert [str(o) for o in scan_package(tmp_path)] == [
        "jobber_lab/otp/bad.py:2: otp imports 'matplotlib' "
        "(packages allowed here: standard library only)"
    ]


# --- the real package -------------------------------------------------------------------------


def test_another_layers_private_module_is_reported_even_through_its_package() -> None:
    source = (
        "from jobber_lab.otp import Event\n"
        "from jobber_lab.otp._runtime import Runtime\n"
        "from jobber_lab.otp import _supervision\n"
        "from ..otp._events import EventKind\n"
        "import jobber_lab.otp._pid\n"
    )
    found = messages_private(source, "jobber_lab/trace/_graph.py")
    assert [f.split(": ", 1)[0] for f in found] == [
        "jobber_lab/trace/_graph.py:2",
        "jobber_lab/trace/_graph.py:3",
        "jobber_lab/trace/_graph.py:4",
        "jobber_lab/trace/_graph.py:5",
    ]
    assert "private module jobber_lab.otp._runtime: use what jobber_lab.otp exports" in found[0]
    assert messages_private(source, "jobber_lab/otp/_registry.py") == []  # its own layer
    assert len(messages_private(source, "jobber_lab/cli.py")) == 3  # ".." leaves the package


def test_a_test_may_import_only_the_private_module_it_is_named_after() -> None:
    source = "from jobber_lab.otp._supervisor_engine import restart_decision\n"
    assert messages_private(source, "tests/otp/test_supervisor_engine.py") == []
    assert messages_private(source, "tests/otp/test_supervisor_engine_restarts.py") == []
    assert messages_private(source, "tests/otp/test_supervisor.py")  # names another module
    assert messages_private(source, "tests/otp/otp_support.py")  # a helper, not its test
    assert messages_private(source, "tests/reliability/test_supervisor_engine.py")
    assert (
        messages_private(
            "from jobber_lab.draw._messages import summarise\n",
            ("tests/draw/test_draw_sequence_messages.py"),
        )
        == []
    )
    dynamic = "import importlib\nimportlib.import_module('jobber_lab.trace._tracer')\n"
    assert messages_private(dynamic, "tests/widgets/test_dashboard.py")


def test_the_exercises_package_is_top_and_its_lesson_modules_are_private() -> None:
    """jobber_lab/exercises/ sits above the layers, like cli.py; its per-lesson modules are
    reached through jobber_lab.exercises, so tests and notebooks see only its __all__."""
    assert layer_of_path("jobber_lab/exercises/_lesson06.py") == "top"
    assert layer_of_path("jobber_lab/exercises/__init__.py") == "top"
    source = "from jobber_lab.exercises._lesson06 import _window_cases\n"
    [found] = messages_private(source, "tests/test_exercises.py")
    assert "use what jobber_lab.exercises exports" in found
    assert messages_private(source, "jobber_lab/exercises/__init__.py") == []  # its own package
    assert messages_private("from jobber_lab.exercises import CheckResult\n", "x.py") == []


def test_no_private_back_doors() -> None:
    offences = [o for rel, src in private_sources() for o in check_private(src, rel)]
    assert not offences, "imports of another layer's private module:\n" + "\n".join(
        map(str, offences)
    )


def test_every_allowed_private_import_is_still_made() -> None:
    made = {
        (rel, module)
        for rel, src in private_sources()
        for _, module, _ in private_imports(ast.parse(src), rel)
    }
    stale = sorted(set(ALLOWED_PRIVATE) - made)
    assert not stale, f"ALLOWED_PRIVATE entries nothing needs any more (remove them): {stale}"


def test_package_respects_the_layering() -> None:
    offences = scan_package()
    assert not offences, "imports that break ARCHITECTURE.md's layering:\n" + "\n".join(
        map(str, offences)
    )
