"""Small HTML helpers shared by the header, the job table and the log.

Every text that reaches the browser goes through :func:`esc`: job ids, reasons and exception
texts are student-controlled strings, and an HTML widget renders whatever it is given.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["esc", "tint"]


def esc(value: Any) -> str:
    """``value`` as HTML-safe text (None as an empty string)."""
    return "" if value is None else html.escape(str(value))


def tint(colour: str, alpha: str = "40") -> str:
    """A light background from a status colour (``#rrggbb`` + alpha), so text stays readable."""
    return f"{colour}{alpha}" if colour.startswith("#") and len(colour) == 7 else colour
