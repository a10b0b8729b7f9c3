"""Run every benchmark in this folder and report the results.

Each ``bench/bench_*.py`` module exposes ``main(report: dict) -> None`` and fills ``report``
with its measurements (numbers, strings, or nested dicts of them). A measurement is a dict
with ``median``/``min``/``max`` over >= 5 repetitions, a ``unit`` and, where it has one, the
``ratio`` to its ``baseline`` measured in the same run and placement, a ``target`` and ``ok``
(see ``bench/_stats.py``; ``median_ms``/``min_ms``/``max_ms`` is read too). This runner
imports the modules in name order, gives each its own dict, prints one table (one row per
measurement: median, min, max, unit, ratio, baseline, target) and writes
``bench/results.json``. A benchmark that raises is reported and the rest still run; the exit
status is then 1.

Usage: ``python -m bench`` (all) or ``python -m bench NAME ...`` (``bench_`` prefix optional).
"""

from __future__ import annotations

import datetime
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def discover(selected: list[str]) -> list[str]:
    """Module names ``bench_*`` in this folder, in name order, narrowed to ``selected``."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if not selected:
        return names
    wanted = [s if s.startswith("bench_") else f"bench_{s}" for s in selected]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; found {names}")
    return wanted


STAT_KEYS = ("median", "min", "max")


def as_stat(value: Any) -> dict[str, Any] | None:
    """A measurement dict in either shape the benchmarks use, normalised, else None.

    ``{"median", "min", "max", "unit", ...}`` (``bench/_stats.py``) or
    ``{"median_ms", "min_ms", "max_ms", "target_ms", "meets_target"}`` (unit in the suffix).
    """
    if not isinstance(value, dict):
        return None
    if all(k in value for k in STAT_KEYS):
        return value
    for key in value:
        if key.startswith("median_"):
            unit = key[len("median_") :]
            if all(f"{k}_{unit}" in value for k in STAT_KEYS):
                out = {k: value[f"{k}_{unit}"] for k in STAT_KEYS}
                out["unit"] = unit
                if f"target_{unit}" in value:
                    out["target"] = f"<= {value[f'target_{unit}']:g} {unit}"
                if "meets_target" in value:
                    out["ok"] = value["meets_target"]
                return out
    return None


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts become dotted keys so each measurement gets one table row; a
    measurement (median/min/max) stays whole."""
    if isinstance(value, dict) and as_stat(value) is None:
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows.extend(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    return [(prefix, value)]


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return "" if value is None else str(value)


HEADER = (
    "benchmark",
    "measure",
    "median",
    "min",
    "max",
    "unit",
    "ratio",
    "vs (same run)",
    "target",
    "ok",
    "notes",
)


def table_row(bench: str, measure: str, value: Any) -> tuple[str, ...]:
    """One row: a measurement's columns, or a plain value in the median column."""
    st = as_stat(value)
    if st is None:
        return (bench, measure, fmt(value), "", "", "", "", "", "", "", "")
    known = {*STAT_KEYS, "n", "unit", "ratio", "baseline", "target", "ok"}
    extras = [f"{k}={fmt(v)}" for k, v in st.items() if k not in known]
    if "n" in st:
        extras.insert(0, f"n={st['n']}")
    return (
        bench,
        measure,
        *(fmt(st[k]) for k in STAT_KEYS),
        fmt(st.get("unit")),
        "" if "ratio" not in st else f"{st['ratio']:.3g}x",
        fmt(st.get("baseline")),
        fmt(st.get("target")),
        fmt(st.get("ok")),
        " ".join(extras),
    )


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)).rstrip())
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def run(names: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in names:
        report: dict[str, Any] = {}
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            module.main(report)
        except Exception:
            report["error"] = traceback.format_exc(limit=5).strip().splitlines()[-1]
            traceback.print_exc()
        report["wall_seconds"] = round(time.perf_counter() - started, 3)
        results[name] = report
    return results


def main(argv: list[str]) -> int:
    names = discover(argv)
    if not names:
        print(f"no bench_*.py modules in {HERE}")
        return 0
    results = run(names)
    rows = [
        table_row(name.removeprefix("bench_"), key, value)
        for name, report in results.items()
        for key, value in flatten(report)
    ]
    print_table(rows)
    document = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "results": results,
    }
    RESULTS.write_text(json.dumps(document, indent=2, default=str) + "\n")
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"\nwrote {shown}")
    failed = [name for name, report in results.items() if "error" in report]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
