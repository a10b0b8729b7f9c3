"""docs/otp-rules.md stays in step with the code that cites it.

Docstrings, comments and test names cite OTP rules by short ids (``S6``, ``test_g5a_...``,
``§7``).  A citation is only useful if the reader can look the id up, and a list of tests
under a rule is only useful if those tests exist; both rot silently when code moves.  These
tests fail the moment an id is cited without a section, or a test named in the doc is
renamed or deleted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "otp-rules.md"
CITING = (ROOT / "jobber_lab", ROOT / "tests")

# A rule id in prose: a capital family letter and one or two digits, standing alone.  The
# families are the document's (P processes, T timers, G GenServer, S Supervisor,
# D DynamicSupervisor, R Registry, A Application).
PROSE_ID = re.compile(r"(?<![\w.])([PTGSDRA][1-9][0-9]?)\b")
# A rule id in a test name: ``test_s6a_...`` or ``test_g12_...`` (lower case, a case letter).
TEST_NAME_ID = re.compile(r"^test_([ptgsdra][1-9][0-9]?)[a-z]?_")
CHAPTER = re.compile(r"§([0-9])")
SECTION = re.compile(r"^#{2,3} (§[0-9]|[PTGSDRA][1-9][0-9]?)[. ]", re.MULTILINE)
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _python_files() -> list[Path]:
    return sorted(p for base in CITING for p in base.rglob("*.py") if p != Path(__file__))


def _comments_and_docstrings(source: str) -> str:
    """The text a reader sees as prose: comments and string constants (docstrings).

    Code itself is left out, so names such as ``P1`` in an expression would not count; in
    practice the ids only appear in prose, which is what the doc answers to.
    """
    tree = ast.parse(source)
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    comments = [line.split("#", 1)[1] for line in source.splitlines() if "#" in line]
    return "\n".join(strings + comments)


def cited_ids(source: str) -> set[str]:
    """Every rule id and chapter (``§7``) the prose or the test names of ``source`` cite."""
    prose = _comments_and_docstrings(source)
    ids = set(PROSE_ID.findall(prose))
    ids |= {f"§{n}" for n in CHAPTER.findall(prose)}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            match = TEST_NAME_ID.match(node.name)
            if match:
                ids.add(match.group(1).upper())
    return ids


def documented_ids(doc: str) -> set[str]:
    return set(SECTION.findall(doc))


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


# ------------------------------------------------------------- the checkers themselves


def test_cited_ids_are_found_in_docstrings_comments_and_test_names() -> None:
    source = (
        '"""Restart intensity (S6, S10) as OTP has it, see §7."""\n'
        "def test_g12a_stop_is_ok():  # the P2 table\n"
        "    x = 1  # not an id: S6x, sha S1234, PEP8, T10z\n"
    )
    assert cited_ids(source) == {"S6", "S10", "§7", "G12", "P2"}


def test_section_headings_are_read_as_documented_ids() -> None:
    doc = "## §1 Processes\n\n### P1. Clean reasons\n\ntext P2 here\n### S10. Shutdown\n"
    assert documented_ids(doc) == {"§1", "P1", "S10"}


# ------------------------------------------------------------------- the real document


def test_every_cited_rule_id_has_a_section() -> None:
    doc = DOC.read_text(encoding="utf-8")
    documented = documented_ids(doc)
    missing = {
        f"{rule} (cited in {path.relative_to(ROOT)})"
        for path in _python_files()
        for rule in cited_ids(path.read_text(encoding="utf-8"))
        if rule not in documented
    }
    assert not missing, f"rule ids cited but without a section in {DOC.name}: {sorted(missing)}"


def test_the_code_cites_the_rule_families_the_doc_is_about() -> None:
    """Guards the scan: if it found nothing (a bad regex, a moved folder) the test above
    would pass vacuously."""
    cited = set().union(*(cited_ids(p.read_text(encoding="utf-8")) for p in _python_files()))
    for family in ("P1", "T1", "G5", "S6", "D2", "R6", "A3", "§7"):
        assert family in cited


def test_every_test_named_in_the_doc_exists() -> None:
    refs = TEST_REF.findall(DOC.read_text(encoding="utf-8"))
    assert len(refs) > 100, "the doc should name the tests of each rule"
    missing = []
    for file, name in refs:
        path = ROOT / file
        if not path.is_file() or name not in _test_functions(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"tests named in {DOC.name} but not found: {missing}"


def test_every_rule_section_names_its_upstream_and_its_tests() -> None:
    doc = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", doc, flags=re.MULTILINE)[1:]
    assert len(sections) >= 46
    for section in sections:
        heading = section.splitlines()[0]
        assert "*Mirrors:*" in section, heading
        assert TEST_REF.search(section), heading


def test_the_readme_links_the_rules_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/otp-rules.md)" in readme
    assert "../shared" not in readme
