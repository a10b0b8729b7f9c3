"""The project's own files agree with each other.

pyproject.toml is the one source of the runtime dependencies; environment.yml (Binder, conda)
must ask for each of them with a lower bound at least as strict, and install the package
itself. CI and the README must both say the tests run with `make test`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[1]

# PyPI name -> the conda-forge names that satisfy it.
CONDA_NAMES = {
    "matplotlib": {"matplotlib", "matplotlib-base"},
}

_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")
_CONDA_CONSTRAINT = re.compile(r"^\s*(>=|>|==|=|<=|<|!=)?\s*([0-9][0-9A-Za-z.*]*)\s*$")


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def environment() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text())


def lower_bound_of_specifier(text: str) -> Version | None:
    """The least version a PEP 440 specifier set allows (>=, >, ==, ~=), or None."""
    bounds = [
        Version(s.version)
        for s in SpecifierSet(text)
        if s.operator in (">=", ">", "==", "~=") and "*" not in s.version
    ]
    return max(bounds) if bounds else None


def parse_conda_spec(spec: str) -> tuple[str, Version | None]:
    """('name', lower bound) from a conda match spec such as 'ipykernel >=7.1,<8' or 'pip'."""
    match = _CONDA_SPEC.match(spec)
    assert match, f"cannot read conda spec {spec!r}"
    name, rest = match.groups()
    bounds = []
    for part in filter(None, (p.strip() for p in rest.split(","))):
        constraint = _CONDA_CONSTRAINT.match(part)
        assert constraint, f"cannot read constraint {part!r} in conda spec {spec!r}"
        op, version = constraint.groups()
        if op in (None, ">=", ">", "==", "="):
            bounds.append(Version(version.rstrip(".*") or "0"))
    return canonicalize_name(name), (max(bounds) if bounds else None)


def conda_packages(env: dict) -> dict[str, Version | None]:
    return {
        name: bound
        for name, bound in (parse_conda_spec(d) for d in env["dependencies"] if isinstance(d, str))
    }


def pip_section(env: dict) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, f"environment.yml needs exactly one pip: section, has {sections}"
    return [" ".join(str(item).split()) for item in sections[0]]


# --- the helpers themselves -------------------------------------------------------------------


def test_conda_spec_reader() -> None:
    assert parse_conda_spec("ipykernel>=7.1") == ("ipykernel", Version("7.1"))
    assert parse_conda_spec("ipykernel >=7.1,<8") == ("ipykernel", Version("7.1"))
    assert parse_conda_spec("python=3.11") == ("python", Version("3.11"))
    assert parse_conda_spec("python 3.11.*") == ("python", Version("3.11"))
    assert parse_conda_spec("pip") == ("pip", None)
    assert parse_conda_spec("networkx<3") == ("networkx", None)


def test_pep440_lower_bound() -> None:
    assert lower_bound_of_specifier(">=3.10") == Version("3.10")
    assert lower_bound_of_specifier(">=8,<9") == Version("8")
    assert lower_bound_of_specifier("~=1.4") == Version("1.4")
    assert lower_bound_of_specifier("<2") is None
    assert lower_bound_of_specifier("") is None


# --- the project's files ----------------------------------------------------------------------


def test_every_runtime_dependency_is_in_environment_yml() -> None:
    deps = [Requirement(d) for d in pyproject()["project"]["dependencies"]]
    assert deps, "pyproject.toml lists no runtime dependencies"
    conda = conda_packages(environment())
    problems = []
    for req in deps:
        name = canonicalize_name(req.name)
        wanted = lower_bound_of_specifier(str(req.specifier))
        found = [n for n in sorted(CONDA_NAMES.get(name, {name})) if n in conda]
        if not found:
            problems.append(f"{req}: no {' or '.join(sorted(CONDA_NAMES.get(name, {name})))}")
            continue
        have = conda[found[0]]
        if wanted is not None and (have is None or have < wanted):
            problems.append(f"{req}: environment.yml has {found[0]} with lower bound {have}")
    assert not problems, "environment.yml disagrees with pyproject.toml:\n" + "\n".join(problems)


def test_python_lower_bound_matches() -> None:
    wanted = lower_bound_of_specifier(pyproject()["project"]["requires-python"])
    have = conda_packages(environment()).get("python")
    assert wanted is not None
    assert have is not None and have >= wanted, f"python: pyproject >={wanted}, env {have}"


def test_environment_yml_uses_conda_forge_only() -> None:
    assert environment()["channels"] == ["conda-forge"]


def test_environment_yml_installs_the_package_with_pip() -> None:
    env = environment()
    assert "pip" in conda_packages(env), "environment.yml must install pip to use a pip: section"
    items = pip_section(env)
    assert "-e ." in items or "." in items, f"pip: section does not install the repo: {items}"


def test_console_script_and_pytest_plugin_are_declared() -> None:
    project = pyproject()["project"]
    assert project["scripts"]["jobber-lab"] == "jobber_lab.cli:main"
    assert project["entry-points"]["pytest11"]["jobber_lab"] == "jobber_lab.testing"


def test_ci_runs_make_test() -> None:
    script = REPO / ".ci" / "run"
    text = script.read_text()
    assert script.stat().st_mode & 0o111, ".ci/run must be executable"
    assert "set -euo pipefail" in text
    commands = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")
    ]
    assert "make test" in commands, ".ci/run must run `make test` on a line of its own"


def test_makefile_test_target_runs_ruff_mypy_and_pytest() -> None:
    text = (REPO / "Makefile").read_text()
    for name in ("test", "lint"):
        target = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
        assert target, f"Makefile has no `{name}:` target"
        assert "ruff check" in target.group(1)
        assert "mypy" in target.group(1)  # settings in [tool.mypy]: strict on the core
    assert "-m pytest" in re.search(r"^test:.*\n((?:\t.*\n)+)", text, re.MULTILINE).group(1)
    assert any(
        dep.startswith("mypy>=") for dep in pyproject()["project"]["optional-dependencies"]["test"]
    )


def test_readme_quick_start_is_make_demo_and_make_test() -> None:
    text = (REPO / "README.md").read_text()
    section = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, "README.md has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    commands = [
        ln.strip()
        for block in blocks
        for ln in block.splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert commands == ["make demo", "make test"], f"Quick start commands are {commands}"


def repo_packages() -> set[str]:
    """Every package under jobber_lab/ (a folder with an __init__.py), as a dotted name."""
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "jobber_lab").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_the_explicit_packages_list_names_every_package() -> None:
    """[tool.setuptools] packages is a list, not a find: a new subpackage (exercises/ when it
    became one) must be added by hand, or the wheel ships without it."""
    listed = set(pyproject()["tool"]["setuptools"]["packages"])
    missing = repo_packages() - listed
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_the_wheel_holds_every_module_of_the_package(tmp_path: Path) -> None:
    """Build the wheel from a copy of the checkout (no network, no build isolation: the
    venv's setuptools) and look inside: every jobber_lab module and every lesson is in it."""
    import shutil  # noqa: PLC0415 - only this slow test builds
    import subprocess  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    source = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in ("jobber_lab", "notebooks"):
        shutil.copytree(REPO / name, source / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path / "dist"
    out.mkdir()
    build = f"from setuptools import build_meta; print(build_meta.build_wheel({str(out)!r}))"
    done = subprocess.run(
        [sys.executable, "-c", build],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        inside = set(zf.namelist())
    modules = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "jobber_lab").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert "jobber_lab/exercises/__init__.py" in modules
    assert not modules - inside, f"missing from the wheel: {sorted(modules - inside)}"
    lessons = {f"jobber_lab/lessons/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")}
    assert lessons and not lessons - inside, f"lessons missing: {sorted(lessons - inside)}"
