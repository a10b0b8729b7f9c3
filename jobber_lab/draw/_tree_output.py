"""The tree as bytes: PNG through Agg and Pillow, SVG with a tooltip and a text per node, and
the :class:`TreeFigure` that shows itself whole in Jupyter.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ._layout import Position
from ._style import (
    node_status,
)
from ._tree_look import (
    _half_height,
    _int,
    _role,
    node_caption,
)


def _remember_tips(
    fig: Figure,
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    widths: Mapping[Hashable, float],
) -> None:
    """Where each node ended up, in figure fractions, for the SVG's tooltips.  The text is
    only written when an SVG is (a PNG redraw must not pay for 2,000 tooltips)."""
    nodes = list(view.nodes)
    if not nodes:
        return
    xy = np.asarray([pos[n] for n in nodes], dtype=float)
    frac = fig.transFigure.inverted().transform(ax.transData.transform(xy))
    tips = list(getattr(fig, "_jl_tips", []))
    tips.append((view, nodes, frac, [widths[n] for n in nodes]))
    fig._jl_tips = tips  # type: ignore[attr-defined]


def node_tooltip(key: Hashable, attrs: Mapping[str, Any]) -> str:
    """Everything a node's hover shows: pid, name, kind, restart type, status, restarts,
    last exit reason, job id and attempts (and, for a ghost, how and when it left)."""
    text, _pid = node_caption(key, attrs)
    role = _role(key, attrs)
    lines = [text]
    if attrs.get("pid"):
        lines.append(f"pid {attrs['pid']}")
    kind = role if not attrs.get("behaviour") else f"{role} ({attrs['behaviour']})"
    lines.append(kind + (f", restart {attrs['restart']}" if attrs.get("restart") else ""))
    lines.append(f"status {node_status(attrs)}")
    lines.append(f"restarted {_int(attrs.get('restarts'))}×")
    if attrs.get("replaced"):
        lines.append(f"replaced {attrs['replaced']}")
    if attrs.get("last_exit"):
        lines.append(f"last exit: {attrs['last_exit']}")
    if attrs.get("job_id") is not None:
        lines.append(f"job {attrs['job_id']}, attempts {_int(attrs.get('attempts'))}")
    if attrs.get("ghost"):
        lines.append(f"{attrs['ghost']} at {attrs.get('exited')} s: {attrs.get('reason')}")
    return "\n".join(lines)


def _svg_tips(fig: Figure) -> str:
    """One ``<g class="jl-node">`` per node: an invisible hit area under its centre with a
    ``<title>`` (the browser's hover tooltip, read by screen readers) and the label in
    ``aria-label``, so a job id can be found in the SVG although its text is drawn as paths."""
    w_pt, h_pt = (float(v) * 72 for v in fig.get_size_inches())
    parts = ['<g id="jl-tips">']
    for view, nodes, frac, widths in getattr(fig, "_jl_tips", []):
        for node, (fx, fy), width in zip(nodes, frac, widths, strict=True):
            attrs = view.nodes[node]
            role = _role(node, attrs)
            rx = max(width / 2, 5.0)
            ry = max(_half_height(role, width), 5.0)
            label = " ".join(t for t in node_caption(node, attrs) if t)
            parts.append(
                f'<g class="jl-node" data-node={quoteattr(str(node))} '
                f"aria-label={quoteattr(label)}>"
                f"<title>{escape(node_tooltip(node, attrs))}</title>"
                f'<ellipse cx="{fx * w_pt:.2f}" cy="{(1 - fy) * h_pt:.2f}" rx="{rx:.1f}" '
                f'ry="{ry:.1f}" style="fill:#ffffff;fill-opacity:0;pointer-events:all"/></g>'
            )
    parts.append("</g>")
    return "\n".join(parts)


class TreeFigure(Figure):
    """The Figure :func:`draw_tree` returns: shows itself whole in Jupyter.

    IPython's inline backend saves figures with ``bbox_inches="tight"``, which trims to what
    it thinks is drawn and cut the hand-placed legend of earlier versions; a ``TreeFigure``
    answers with its own ``_repr_mimebundle_`` instead: an SVG (crisp, with tooltips) and a
    PNG at twice its pixels with its display size in the metadata, both of its own bounds.
    """

    def _repr_svg_(self) -> str:
        return figure_bytes(self, "svg").decode("utf-8")

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        width, height = (round(float(v) * self.dpi) for v in self.get_size_inches())
        return figure_bytes(self, "png", self.dpi * 2), {"width": width, "height": height}

    def _repr_mimebundle_(
        self, *_include_exclude: Any, **_by_name: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # IPython passes include= and exclude=; both bundles are always whole, so unused.
        png, size = self._repr_png_()
        data = {"image/svg+xml": self._repr_svg_(), "image/png": png}
        return data, {"image/png": size}


_QUIET_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def _png_bytes(fig: Figure, dpi: float | None) -> bytes:
    """PNG through Agg and Pillow directly, as a 128-colour palette image at zlib level 1.

    Encoding was half of a redraw at savefig's defaults (RGBA, zlib level 6: 44-60 ms for a
    1280x640 tree).  These drawings have a dozen flat colours plus their anti-aliasing, so a
    fast octree palette without dithering looks the same and costs 8 ms + 5 ms to encode, and
    the file is 3x smaller, which the widget then sends to the browser on every redraw."""
    canvas = FigureCanvasAgg(fig)
    saved_dpi = fig.dpi
    if dpi is not None and dpi != saved_dpi:
        fig.set_dpi(dpi)
    try:
        canvas.draw()
        rgba = canvas.buffer_rgba()
        image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        palette = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        palette.save(buf, format="png", compress_level=1)
    finally:
        if fig.dpi != saved_dpi:
            fig.set_dpi(saved_dpi)
    return buf.getvalue()


def figure_bytes(fig: Figure, fmt: str, dpi: float | None = None) -> bytes:
    """``fig`` as ``fmt`` bytes (png, svg, pdf, ...) at its own size, never trimmed.

    SVG gets the node tooltips and fixed ids (``svg.hashsalt``), so the same tree gives the
    same bytes and notebooks' saved outputs do not change for nothing."""
    if fmt == "png":
        return _png_bytes(fig, dpi)
    buf = io.BytesIO()
    metadata = _QUIET_METADATA.get(fmt)
    extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
    texts = getattr(fig, "_jl_texts", []) if fmt == "svg" else []
    for collection, *_ in texts:
        collection.set_visible(False)  # written as <text> below instead of glyph outlines
    try:
        with rc_context({"svg.hashsalt": "jobber-lab"}):
            fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, **extra)
    finally:
        for collection, *_ in texts:
            collection.set_visible(True)
    data = buf.getvalue()
    if fmt == "svg":
        end = data.rfind(b"</svg>")
        extra_svg = _svg_texts(fig) + "\n" + _svg_tips(fig) + "\n"
        data = data[:end] + extra_svg.encode("utf-8") + data[end:]
    return data


_SVG_ANCHOR = {"left": "start", "center": "middle", "right": "end"}
_SVG_BASELINE = {
    "top": "text-before-edge",
    "center": "central",
    "baseline": "alphabetic",
    "bottom": "text-after-edge",
}


def _svg_texts(fig: Figure) -> str:
    """Every label as an SVG ``<text>`` where its path would have been drawn."""
    scale = 72.0 / fig.dpi  # display pixels -> SVG points
    height = float(fig.get_size_inches()[1]) * 72
    parts = ['<g id="jl-text" style="font-family:\'DejaVu Sans\',Verdana,sans-serif">']
    for collection, transform, anchors, texts in getattr(fig, "_jl_texts", []):
        points = transform.transform(anchors) * scale
        for (x, y), (text, size, ha, va, rotation, (dx, dy), colour) in zip(
            points, texts, strict=True
        ):
            sx, sy = x + dx, height - (y + dy)
            turn = f" rotate({-rotation:g})" if rotation else ""
            parts.append(
                f'<text transform="translate({sx:.2f} {sy:.2f}){turn}" '
                f'style="font-size:{size:g}px;fill:{colour};text-anchor:{_SVG_ANCHOR[ha]};'
                f'dominant-baseline:{_SVG_BASELINE[va]}" class="{collection.get_gid()}">'
                f"{escape(text)}</text>"
            )
    parts.append("</g>")
    return "\n".join(parts)
