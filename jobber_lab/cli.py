"""``jobber-lab``: the command line.

- ``jobber-lab demo``: the seed README's story in both variants, narrated, plus
  ``supervision_tree.png`` drawn from the live tree.
- ``jobber-lab tree --out FILE``: regenerate the supervision-tree picture from live state.
- ``jobber-lab lab``: JupyterLab on the course notebooks (127.0.0.1, token on).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["main"]


def _time_scale(text: str) -> float:
    """``--time-scale``: parsed here and checked by the runtime's own validator, so ``inf``,
    ``nan`` or ``1e-30`` is a usage error (exit 2) rather than a traceback from the clock."""
    from jobber_lab.otp._durations import time_scale

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    try:
        return time_scale("--time-scale", value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--time-scale: ")) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobber-lab", description="Fault-tolerant jobs the OTP way, in Python threads."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the book's story, narrated (the main job)")
    demo.add_argument(
        "--time-scale",
        type=_time_scale,
        default=0.01,
        help="wall seconds per runtime second (default 0.01: 5 s jobs take 50 ms)",
    )
    demo.add_argument("--variant", choices=["both", "isolated", "direct"], default="both")
    demo.add_argument(
        "--out",
        default="supervision_tree.png",
        help="where to write the live tree picture ('' to skip)",
    )
    tree = sub.add_parser("tree", help="draw the live supervision tree to a PNG/SVG file")
    tree.add_argument("--out", default="supervision_tree.png")
    tree.add_argument("--variant", choices=["isolated", "direct"], default="isolated")
    tree.add_argument("--time-scale", type=_time_scale, default=0.01)
    lab = sub.add_parser("lab", help="open JupyterLab on the course notebooks")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    lab.add_argument("--notebooks", default=None, help="folder of notebooks (default: the course)")
    return parser


def notebooks_dir() -> Path:
    """The course's notebooks: beside the package in a checkout."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here


_PICTURE_SUFFIXES = (".png", ".svg", ".pdf")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = getattr(args, "out", "")
    if out and Path(out).suffix.lower() not in _PICTURE_SUFFIXES:
        parser.error(
            f"--out: expected a file ending in {', '.join(_PICTURE_SUFFIXES)}, got {out!r}"
        )
    if out and not Path(out).expanduser().parent.is_dir():
        parser.error(f"--out: the folder {str(Path(out).parent)!r} does not exist, got {out!r}")
    logging.basicConfig(level=logging.CRITICAL)  # crash reports are the story's point, not noise
    if args.command == "demo":
        from jobber_lab.demo import main_demo

        variants = ["isolated", "direct"] if args.variant == "both" else [args.variant]
        main_demo(variants=variants, time_scale=args.time_scale, picture=args.out or None)
        return 0
    if args.command == "tree":
        from jobber_lab.demo import write_tree_picture

        out = write_tree_picture(args.out, variant=args.variant, time_scale=args.time_scale)
        print(f"wrote {out}")
        return 0
    folder = Path(args.notebooks) if args.notebooks else notebooks_dir()
    if not folder.is_dir():
        print(f"jobber-lab lab: no notebooks folder at {folder}", file=sys.stderr)
        return 2
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={folder}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    print("starting:", " ".join(command), "(token on: open the URL it prints)")
    return subprocess.call(command, env=os.environ.copy())


if __name__ == "__main__":
    raise SystemExit(main())
