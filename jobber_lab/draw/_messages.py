"""Messages as the book writes them: ``GenServer.call(:inc)``, ``{:reply, 1}``, ``{:DOWN, ...}``.

A ``message_sent`` event holds the message as text: the Python ``repr`` the core recorded
(``(:$gen_call, (<3.1.0>, #Ref<3.2>), :inc)``), because events are plain data. A student
reading a sequence diagram knows the Elixir spelling of the book, so this module reads that
text back into a small term tree (tolerant of a cut-off text: whatever is unclosed is closed)
and writes it in Elixir notation, either whole (:func:`elixir_term`, for a tooltip) or
summarised to fit beside an arrow (:func:`summarise`).

Why parse text rather than record structure in the core: the event contract stays the plain
``message`` string every trace already has, and old recorded traces draw the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Term", "elixir_term", "parse_term", "summarise"]

#: Width (characters) of a summary beside an arrow: the figure sizes its columns to fit.
SUMMARY_WIDTH = 40

_PID = re.compile(r"<\d+\.\d+\.\d+>")
_REF = re.compile(r"#Ref<[^>]*>?")
_ATOM_CHARS = re.compile(r"[A-Za-z0-9_$@.?!]+")
_PLAIN_ATOM = re.compile(r"[A-Za-z_][A-Za-z0-9_@]*[?!]?")
_KWARG = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(?!=)")
_SCALAR_END = set(",)]}= \t\n")
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_ELLIPSIS = "..."


@dataclass(frozen=True)
class Term:
    """One node of a message read back from its text.

    ``kind`` is ``tuple``, ``list``, ``map`` (items alternate key, value), ``braces`` (a
    ``{a, b}`` that is not a map: a Python set, or a term already written in Elixir),
    ``call`` (``Name(args)``: ``text`` is the name, items are the arguments), ``kwarg``
    (``name=value`` inside a call), ``string`` (``text`` is the decoded string) or ``scalar``
    (atoms, pids, refs, numbers, bare words: ``text`` as written). ``cut`` marks a container
    whose text ended before it closed.
    """

    kind: str
    text: str = ""
    items: tuple[Term, ...] = ()
    cut: bool = False


# ----------------------------------------------------------------------------- reading


def parse_term(text: str) -> Term:
    """Read a recorded message text into a :class:`Term`; never raises.

    Text after the first complete term is ignored; a text the core cut short (ending in
    ``…``) reads as the terms it still holds, with their containers marked ``cut``.
    """
    source = text.rstrip()
    if source.endswith("…"):
        source = source[:-1]
    term, _ = _Reader(source).value(0)
    return term


class _Reader:
    """A recursive-descent reader over one text; every step consumes at least one char."""

    def __init__(self, source: str) -> None:
        self.s = source

    def skip(self, i: int) -> int:
        while i < len(self.s) and self.s[i].isspace():
            i += 1
        return i

    def value(self, i: int) -> tuple[Term, int]:
        i = self.skip(i)
        s = self.s
        if i >= len(s):
            return Term("scalar", _ELLIPSIS), i
        c = s[i]
        if c in _CLOSE:
            return self.container(i)
        if c in "'\"":
            return self.string(i, c)
        if c == "<":
            pid = _PID.match(s, i)
            if pid:
                return Term("scalar", pid.group()), pid.end()
            return self.angle(i)
        if s.startswith("#Ref<", i):
            ref = _REF.match(s, i)
            assert ref is not None
            return Term("scalar", ref.group()), ref.end()
        if c == ":" and i + 1 < len(s) and s[i + 1] == '"':
            inner, j = self.string(i + 1, '"')
            return Term("scalar", ":" + _quoted(inner.text)), j
        if c == ":":
            atom = _ATOM_CHARS.match(s, i + 1)
            if atom:
                return Term("scalar", ":" + atom.group()), atom.end()
        return self.word(i)

    def word(self, i: int) -> tuple[Term, int]:
        s = self.s
        j = i
        while j < len(s) and s[j] not in _SCALAR_END and s[j] not in _CLOSE:
            if s[j] == ":" and (j + 1 >= len(s) or s[j + 1].isspace()):
                break  # a map's "key: value" separator
            j += 1
        if j == i:  # a stray delimiter: keep it as text so the reader moves on
            return Term("scalar", s[i]), i + 1
        name = s[i:j]
        if j < len(s) and s[j] in "'\"" and name in ("b", "r", "u", "f", "rb", "br"):
            return self.string(j, s[j])  # b'..', r'..': read as the string they hold
        if j < len(s) and s[j] == "(" and name.replace(".", "").replace("_", "").isalnum():
            args, end, cut = self.sequence(j + 1, ")")
            return Term("call", name, tuple(args), cut), end
        return Term("scalar", name), j

    def angle(self, i: int) -> tuple[Term, int]:
        """``<function f at 0x..>`` and other angle-bracket reprs: kept as written."""
        depth, j = 0, i
        while j < len(self.s):
            depth += {"<": 1, ">": -1}.get(self.s[j], 0)
            j += 1
            if depth == 0:
                break
        return Term("scalar", self.s[i:j]), j

    def string(self, i: int, quote: str) -> tuple[Term, int]:
        s = self.s
        out: list[str] = []
        j = i + 1
        while j < len(s) and s[j] != quote:
            if s[j] == "\\" and j + 1 < len(s):
                out.append(_UNESCAPE.get(s[j + 1], s[j + 1]))
                j += 2
                continue
            out.append(s[j])
            j += 1
        closed = j < len(s)
        return Term("string", "".join(out), cut=not closed), j + 1 if closed else j

    def container(self, i: int) -> tuple[Term, int]:
        opener = self.s[i]
        items, end, cut = self.sequence(i + 1, _CLOSE[opener], allow_pairs=opener == "{")
        if opener == "(":
            kind = "tuple"
        elif opener == "[":
            kind = "list"
        else:
            is_map = not items or getattr(items, "is_map", False)
            kind = "map" if is_map else "braces"
        return Term(kind, items=tuple(items), cut=cut), end

    def sequence(self, i: int, close: str, allow_pairs: bool = False) -> tuple[_Items, int, bool]:
        """Items up to ``close``: (items, index after, cut short?)."""
        s = self.s
        items = _Items()
        while True:
            i = self.skip(i)
            if i >= len(s):
                return items, i, True
            if s[i] == close:
                return items, i + 1, False
            kwarg = _KWARG.match(s, i) if close == ")" else None
            if kwarg:
                value, i = self.value(kwarg.end())
                items.append(Term("kwarg", kwarg.group(1), (value,)))
            else:
                item, i = self.value(i)
                items.append(item)
                i = self.skip(i)
                if allow_pairs and s.startswith(":", i):
                    value, i = self.value(i + 1)
                    items.append(value)
                    items.is_map = True
            i = self.skip(i)
            if i < len(s) and s[i] == ",":
                i += 1
            elif i < len(s) and s[i] != close:
                i += 1  # something unexpected: step over it rather than loop


class _Items(list[Term]):
    """The items of a container, remembering whether ``key: value`` pairs were seen."""

    is_map = False


_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


# ----------------------------------------------------------------------------- writing


def _quoted(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def _atom(text: str) -> str:
    """``:name`` as Elixir prints it: ``:inc``, but ``:"$gen_call"``."""
    name = text[1:]
    if name.startswith('"') or _PLAIN_ATOM.fullmatch(name):
        return text
    return ":" + _quoted(name)


_WORDS = {"True": "true", "False": "false", "None": "nil"}


def _scalar(text: str) -> str:
    if text.startswith(":") and len(text) > 1:
        return _atom(text)
    return _WORDS.get(text, text)


def _call_as_elixir(term: Term) -> Term | None:
    """The core's result values as the tuples they stand for: ``Ok(value=x)`` is ``{:ok, x}``."""
    args = {a.text: a.items[0] for a in term.items if a.kind == "kwarg"}
    positional = [a for a in term.items if a.kind != "kwarg"]
    if term.text == "Ok":
        value = args.get("value", positional[0] if positional else Term("scalar", _ELLIPSIS))
        info = args.get("info", positional[1] if len(positional) > 1 else None)
        items = [Term("scalar", ":ok"), value]
        if info is not None and not (info.kind == "scalar" and info.text == "None"):
            items.append(info)
        return Term("tuple", items=tuple(items), cut=term.cut)
    if term.text == "Error":
        reason = args.get("reason", positional[0] if positional else Term("scalar", _ELLIPSIS))
        return Term("tuple", items=(Term("scalar", ":error"), reason), cut=term.cut)
    return None


def _render(term: Term, budget: float = float("inf")) -> str:
    """Elixir notation of ``term``; past ``budget`` characters, inner items become ``...``."""
    if term.kind == "string":
        text = _quoted(term.text)
        if term.cut:
            text = text[:-1] + "…"
        return text
    if term.kind == "scalar":
        return _scalar(term.text)
    if term.kind == "kwarg":
        return f"{term.text}: {_render(term.items[0], budget)}"
    if term.kind == "call":
        as_tuple = _call_as_elixir(term)
        if as_tuple is not None:
            return _render(as_tuple, budget)
        if term.text == "Crash" and len(term.items) == 1 and term.items[0].kind == "call":
            exc = term.items[0]  # a raise: Elixir's exception struct, the message inside
            inner = ", ".join(_render(a, budget) for a in exc.items)
            return f"%{exc.text}{{message: {inner}}}" if inner else f"%{exc.text}{{}}"
        return _join(term.text + "(", term.items, ")", budget, term.cut)
    if term.kind == "tuple":
        return _join("{", term.items, "}", budget, term.cut)
    if term.kind == "list":
        return _join("[", term.items, "]", budget, term.cut)
    if term.kind == "braces":
        return _join("{", term.items, "}", budget, term.cut)
    # a map: key => value pairs
    pairs = [
        Term("scalar", f"{_render(k, budget)} => {_render(v, budget)}")
        for k, v in zip(term.items[::2], term.items[1::2], strict=False)
    ]
    return _join("%{", pairs, "}", budget, term.cut)


def _join(
    opening: str, items: tuple[Term, ...] | list[Term], closing: str, budget: float, cut: bool
) -> str:
    """Items between brackets, as many as fit in ``budget``; the rest (or a cut) as ``...``."""
    parts: list[str] = []
    used = len(opening) + len(closing)
    for index, item in enumerate(items):
        room = budget - used - (2 if parts else 0)
        text = _render(item, max(room, 0))
        last = index == len(items) - 1
        need = len(text) + (0 if last and not cut else len(", ..."))
        if need > room:
            parts.append(_ELLIPSIS)
            break
        parts.append(text)
        used += len(text) + (2 if len(parts) > 1 else 0)
    else:
        if cut:
            parts.append(_ELLIPSIS)
    return opening + ", ".join(parts) + closing


def elixir_term(text: str) -> str:
    """The whole recorded message in Elixir notation (``{:"$gen_call", {<0.5.0>, ...}, :inc}``).

    What a tooltip shows: everything the event holds, nothing left out but what the core
    itself cut when it recorded the message.
    """
    return _render(parse_term(text))


def summarise(text: str, tag: str | None = None, width: int = SUMMARY_WIDTH) -> str:
    """One short line for the arrow of a message, as the book writes it.

    By ``tag`` (the core's classification of the message): a call is
    ``GenServer.call(request)``, a cast ``GenServer.cast(request)``, a reply
    ``{:reply, value}`` (what ``handle_call`` answered), a monitor's message ``{:DOWN, ...}``,
    an exit signal ``{:EXIT, pid, reason}``, and anything else the term itself. Long inner
    terms become ``...`` so the line stays within ``width`` characters.
    """
    term = parse_term(text)
    items = term.items if term.kind == "tuple" else ()
    head = items[0].text if items and items[0].kind == "scalar" else ""
    if tag == "call" or head == ":$gen_call":
        request = items[2] if head == ":$gen_call" and len(items) > 2 else None
        if head != ":$gen_call":
            request = term  # a hand-made trace may hold the request alone
        return _wrap("GenServer.call(", request, ")", width)
    if tag == "cast" or head == ":$gen_cast":
        request = items[1] if head == ":$gen_cast" and len(items) > 1 else None
        if head != ":$gen_cast":
            request = term
        return _wrap("GenServer.cast(", request, ")", width)
    if tag == "reply":
        value = term
        if term.kind == "tuple" and len(items) == 2 and items[0].text.startswith("#Ref<"):
            value = items[1]  # the {ref, value} the caller's mailbox receives
        return _wrap("{:reply, ", value, "}", width)
    if tag == "DOWN" or head == ":DOWN":
        return "{:DOWN, ...}"
    if tag == "EXIT" or head == ":EXIT":
        if head == ":EXIT" and len(items) >= 3:
            sender = _render(items[1])
            return _wrap(f"{{:EXIT, {sender}, ", items[2], "}", width)
        return _fit(_render(term, width), width)
    return _fit(_render(term, width), width)


def _wrap(opening: str, inner: Term | None, closing: str, width: int) -> str:
    if inner is None:
        return opening + _ELLIPSIS + closing
    room = width - len(opening) - len(closing)
    text = _render(inner, room)
    if len(text) > room:
        text = _ELLIPSIS
    return opening + text + closing


def _fit(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
