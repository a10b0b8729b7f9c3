"""A small interpreter for the match specs ``Registry.select`` takes (R3).

Only what ``:ets`` match specs need for Registry rows ``(key, pid, value)``:
variables ``"$1"``..., the wildcard ``"_"``, literal terms, simple guards and a
result template.  It never evaluates code: specs are data.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from ._atoms import Atom
from ._pid import Pid
from ._results import ArgumentError

__all__ = ["compile_spec"]

_VAR = re.compile(r"^\$\d+$")
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "=:=": operator.eq,
    "=/=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    "=<": operator.le,
    ">=": operator.ge,
    "andalso": lambda a, b: bool(a) and bool(b),
    "orelse": lambda a, b: bool(a) or bool(b),
}
_UNARY: dict[str, Callable[[Any], Any]] = {
    "is_atom": lambda a: isinstance(a, Atom),
    "is_binary": lambda a: isinstance(a, str),
    "is_integer": lambda a: isinstance(a, int) and not isinstance(a, bool),
    "is_pid": lambda a: isinstance(a, Pid),
    "not": lambda a: not a,
}

Row = tuple[Any, Any, Any]


def _short(term: Any, limit: int = 200) -> str:
    """A repr for an error message, cut short (a hostile spec can be megabytes)."""
    try:
        text = repr(term)
    except RecursionError:
        return f"a {type(term).__name__} too deep to print"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_var(term: Any) -> bool:
    return isinstance(term, str) and bool(_VAR.match(term))


def _match(pattern: Any, value: Any, bound: dict[str, Any]) -> bool:
    if pattern == "_":
        return True
    if _is_var(pattern):
        if pattern in bound:
            return bool(bound[pattern] == value)
        bound[pattern] = value
        return True
    if type(pattern) is tuple or type(pattern) is list:  # a Pid is a tuple, but a literal
        return (
            type(value) is type(pattern)
            and len(value) == len(pattern)
            and all(_match(p, v, bound) for p, v in zip(pattern, value, strict=True))
        )
    if isinstance(pattern, dict):  # a map pattern names some keys, as in ETS
        return isinstance(value, dict) and all(
            k in value and _match(p, value[k], bound) for k, p in pattern.items()
        )
    if _number(pattern) and _number(value) and type(pattern) is not type(value):
        return False  # matching is exact (=:=): 1.0 does not match 1
    return bool(pattern == value)


def _number(term: Any) -> bool:
    return isinstance(term, int | float) and not isinstance(term, bool)


def _value(term: Any, bound: dict[str, Any], row: Row) -> Any:
    if term == "$_":
        return row
    if term == "$$":
        return [bound[k] for k in sorted(bound, key=lambda v: int(v[1:]))]
    if _is_var(term):
        if term not in bound:
            raise ArgumentError(f"select: {term} is used but not bound by the pattern")
        return bound[term]
    if isinstance(term, dict):
        return {k: _value(v, bound, row) for k, v in term.items()}
    if _is_element_call(term):
        return _element(term[1], _value(term[2], bound, row))
    if type(term) is tuple:  # not a Pid (a tuple subclass): that is a literal
        return tuple(_value(v, bound, row) for v in term)
    if isinstance(term, list):
        return [_value(v, bound, row) for v in term]
    return term


def _is_element_call(term: Any) -> bool:
    """``("element", N, term)``: the body function ``element/2`` of OTP's match specs (as in
    Elixir's ``[{:element, 1, :"$_"}]``). Result tuples are written plainly here, so this one
    shape is read as the call, never as a literal 3-tuple."""
    return (
        type(term) is tuple
        and len(term) == 3
        and term[0] == "element"
        and isinstance(term[1], int)
        and not isinstance(term[1], bool)
    )


def _element(index: int, target: Any) -> Any:
    if not isinstance(target, tuple) or not 1 <= index <= len(target):
        raise ArgumentError(
            f"select: element({index}, ...) needs a tuple of at least {index} elements, "
            f"got {_short(target)}"
        )
    return target[index - 1]


def _guard(guard: Any, bound: dict[str, Any], row: Row) -> bool:
    if not isinstance(guard, tuple) or not guard or not isinstance(guard[0], str):
        raise ArgumentError(f"select: a guard must be a tuple like ('==', '$3', x), got {guard!r}")
    op, *args = guard
    if op in _BINARY and len(args) == 2:
        left, right = (
            _guard(a, bound, row) if _is_guard(a) else _value(a, bound, row) for a in args
        )
        return bool(_BINARY[op](left, right))
    if op in _UNARY and len(args) == 1:
        arg = args[0]
        return bool(
            _UNARY[op](_guard(arg, bound, row) if _is_guard(arg) else _value(arg, bound, row))
        )
    raise ArgumentError(f"select: unsupported guard {guard!r}")


def _is_guard(term: Any) -> bool:
    return isinstance(term, tuple) and bool(term) and term[0] in _BINARY | _UNARY


def _check_guard(guard: Any) -> None:
    """Reject a malformed guard when the spec is compiled, whether or not a row matches
    (``:ets.select`` raises badarg for a bad spec even on an empty table)."""
    if not isinstance(guard, tuple) or not guard or not isinstance(guard[0], str):
        raise ArgumentError(f"select: a guard must be a tuple like ('==', '$3', x), got {guard!r}")
    op, *args = guard
    if not ((op in _BINARY and len(args) == 2) or (op in _UNARY and len(args) == 1)):
        raise ArgumentError(f"select: unsupported guard {guard!r}")
    for arg in args:
        if _is_guard(arg):
            _check_guard(arg)


# How deeply a spec may nest (tuples, lists, dicts): the interpreter recurses, and a spec
# is data from the caller, so a 5,000-deep guard must be refused, not hit RecursionError.
MAX_SPEC_DEPTH = 100
MAX_SPEC_TERMS = 100_000  # and a list that holds itself must not walk forever


def _check_depth(spec: Any) -> None:
    """Refuse a spec nested deeper than MAX_SPEC_DEPTH (or too big), without recursion."""
    stack: list[tuple[Any, int]] = [(spec, 1)]
    seen = 0
    while stack:
        term, depth = stack.pop()
        seen += 1
        if seen > MAX_SPEC_TERMS:
            raise ArgumentError(f"select(spec): more than {MAX_SPEC_TERMS} terms in one spec")
        if depth > MAX_SPEC_DEPTH:
            raise ArgumentError(
                f"select(spec): nested more than {MAX_SPEC_DEPTH} levels deep "
                "(a guard or template that deep is a generated spec gone wrong)"
            )
        if isinstance(term, tuple | list):
            stack.extend((item, depth + 1) for item in term)
        elif isinstance(term, dict):
            stack.extend((item, depth + 1) for item in term.values())


def compile_spec(spec: Any) -> Callable[[Row], tuple[bool, Any]]:
    """Check a spec's shape once; return ``row -> (matched, result)``."""
    if not isinstance(spec, list) or not spec:
        raise ArgumentError(
            f"select(spec): expected a list of (pattern, guards, body), got {_short(spec)}"
        )
    _check_depth(spec)
    clauses = []
    for clause in spec:
        if not (isinstance(clause, tuple) and len(clause) == 3):
            raise ArgumentError(
                f"select(spec): each clause must be (pattern, guards, body), got {clause!r}"
            )
        pattern, guards, body = clause
        if not isinstance(guards, list) or not isinstance(body, list) or not body:
            raise ArgumentError(
                f"select(spec): guards and body must be lists (body non-empty), got {clause!r}"
            )
        for guard in guards:
            _check_guard(guard)
        clauses.append((pattern, guards, body))

    def run(row: Row) -> tuple[bool, Any]:
        for pattern, guards, body in clauses:
            bound: dict[str, Any] = {}
            if _match(pattern, row, bound) and all(_guard(g, bound, row) for g in guards):
                return True, _value(body[-1], bound, row)
        return False, None

    return run
