"""The course's notebooks, and the student's working copy of them.

The lessons in the repository's ``notebooks/`` are the pristine source: tests run them, they
are committed without outputs, and a wheel ships them as ``jobber_lab/lessons/``. A student
never works in them. ``jobber-lab lab`` first copies them into a working folder and serves
that, so JupyterLab's autosave writes the student's outputs and edits there, and a
``pip install jobber-lab`` user has the course without a git clone.

A copy must never cost a student their work: a notebook the student changed is kept as it is,
even when the course has a newer version of it. The folder remembers, in a small manifest,
the fingerprint of each lesson as it was copied; a notebook whose bytes still match it is
untouched and may be updated, any other is the student's. ``reset=True`` restores pristine
copies and moves the old ones aside into a dated backup folder first, so even a reset loses
nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import jobber_lab

__all__ = [
    "DEFAULT_WORKING_COPY",
    "MANIFEST_NAME",
    "CourseNotFoundError",
    "WorkingCopy",
    "lesson_paths",
    "lessons_dir",
    "prepare_working_copy",
]

#: Where ``jobber-lab lab`` puts the working copy when no folder is named: beside wherever the
#: student runs the command, under a name that says what it is (and is easy to find again).
DEFAULT_WORKING_COPY = Path("jobber-lab-course")

#: The file, inside a working copy, that remembers which lessons are still as copied.
MANIFEST_NAME = ".jobber-lab-course.json"

_PACKAGE = Path(jobber_lab.__file__).resolve().parent


class CourseNotFoundError(FileNotFoundError):
    """Neither the installed lessons nor a checkout's ``notebooks/`` folder exist."""


def lessons_dir() -> Path:
    """The pristine lessons: ``jobber_lab/lessons/`` in an installed wheel, else the
    checkout's ``notebooks/`` (an editable install or a run from the repository)."""
    for candidate in (_PACKAGE / "lessons", _PACKAGE.parent / "notebooks"):
        if any(candidate.glob("*.ipynb")):
            return candidate
    raise CourseNotFoundError(
        f"the course notebooks are missing: looked in {_PACKAGE / 'lessons'} and "
        f"{_PACKAGE.parent / 'notebooks'}; reinstall jobber-lab"
    )


def lesson_paths() -> list[Path]:
    """Every lesson, in course order (``00_dashboard.ipynb``, ``01_...``)."""
    return sorted(lessons_dir().glob("*.ipynb"))


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class WorkingCopy:
    """What :func:`prepare_working_copy` did, lesson by lesson (file names)."""

    folder: Path
    copied: list[str] = field(default_factory=list)  # new in the folder
    updated: list[str] = field(default_factory=list)  # untouched copy, newer course version
    kept: list[str] = field(default_factory=list)  # the student's changed notebook, left alone
    unchanged: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # reset: pristine again
    backup: Path | None = None  # reset: where the old notebooks went

    def summary(self) -> str:
        """One or two lines for the terminal: what a student needs to know happened."""
        parts = []
        for label, names in (
            ("copied", self.copied),
            ("updated to the course's newer version", self.updated),
            ("restored to pristine", self.restored),
        ):
            if names:
                parts.append(f"{len(names)} lesson(s) {label}")
        lines = [
            f"course working copy: {self.folder}" + (f" ({'; '.join(parts)})" if parts else "")
        ]
        if self.kept:
            lines.append(
                f"kept your changes in {', '.join(self.kept)} "
                "(jobber-lab lab --reset restores pristine copies, keeping yours aside)"
            )
        if self.backup is not None:
            lines.append(f"your previous notebooks are in {self.backup}")
        return "\n".join(lines)


def _read_manifest(folder: Path) -> dict[str, str]:
    """Lesson name -> fingerprint as copied. A missing or damaged manifest means "nothing is
    known to be pristine", which errs on the side of keeping the student's files."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(folder: Path, files: dict[str, str]) -> None:
    data = {"course_version": jobber_lab.__version__, "files": dict(sorted(files.items()))}
    (folder / MANIFEST_NAME).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _backup_folder(folder: Path) -> Path:
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S")
    target = folder / f"backup-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"backup-{stamp}-{n}"
    return target


def prepare_working_copy(
    folder: str | Path = DEFAULT_WORKING_COPY, *, reset: bool = False
) -> WorkingCopy:
    """Make ``folder`` a working copy of the course and say what changed.

    New lessons are copied; a lesson still exactly as it was copied is updated when the course
    has a newer version; a lesson the student changed is kept. With ``reset=True`` every lesson
    that differs from the course is moved into ``folder/backup-<date>/`` and replaced by a
    pristine copy. Files that are not lessons (the student's own notes, pictures a lesson
    wrote) are never touched.
    """
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(
            f"prepare_working_copy(folder): expected a folder for the course, got the file {target}"
        )
    target.mkdir(parents=True, exist_ok=True)
    report = WorkingCopy(target.resolve())
    recorded = _read_manifest(target)
    manifest: dict[str, str] = {}
    for source in lesson_paths():
        name = source.name
        pristine = _fingerprint(source)
        dest = target / name
        if not dest.exists():
            shutil.copyfile(source, dest)
            report.copied.append(name)
            manifest[name] = pristine
            continue
        current = _fingerprint(dest)
        if current == pristine:
            report.unchanged.append(name)
            manifest[name] = pristine
        elif reset:
            if report.backup is None:
                report.backup = _backup_folder(target)
                report.backup.mkdir()
            shutil.move(str(dest), str(report.backup / name))
            shutil.copyfile(source, dest)
            report.restored.append(name)
            manifest[name] = pristine
        elif recorded.get(name) == current:
            shutil.copyfile(source, dest)  # untouched since copied: take the newer lesson
            report.updated.append(name)
            manifest[name] = pristine
        else:
            report.kept.append(name)
            if name in recorded:
                manifest[name] = recorded[name]
    _write_manifest(target, manifest)
    return report
