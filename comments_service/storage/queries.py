"""TinyDB queries as SQL: the part of a query an index can answer, as a WHERE clause.

A translation selects a superset of the matching rows; the table still
applies the Python condition to every row it reads. The clauses use ``?``
placeholders, and ``pushable`` decides by SQLite's comparison rules which
values SQL may compare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from .documents import INT64_MAX, INT64_MIN

T = TypeVar("T")

# Below SQLite's bound-parameter limit (32766 since 3.32) with room to spare.
MAX_IN = 500


def chunks(items: list[T], size: int = MAX_IN) -> Iterator[list[T]]:
    """``items`` in lists short enough to bind as the values of one ``IN``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pushable(value: object) -> bool:
    """Whether SQLite compares ``value`` with a JSON value exactly as Python does.

    Booleans, floats and None are left to Python: json_extract() turns true
    into 1, and float equality is not worth the doubt.
    """
    if type(value) is int:
        return INT64_MIN <= value <= INT64_MAX
    if type(value) is str:
        if "\x00" in value:
            return False
        if value.isascii():
            return True
        try:
            value.encode()
        except UnicodeEncodeError:  # a lone surrogate cannot be bound
            return False
        return True
    return False


#: ``equal(expression, values)``: SQL true when the indexed expression equals
#: one of ``values`` (as Python's == would find), with its parameters.
Equality = Callable[[str, list[Any]], tuple[str, list[Any]]]


def sqlite_equal(expression: str, values: list[Any]) -> tuple[str, list[Any]]:
    """SQLite's json_extract gives typed values: compare them as they are."""
    if len(values) == 1:
        return f"{expression} = ?", values
    return f"{expression} IN ({','.join('?' * len(values))})", values


def translate(
    description: Any, expressions: Mapping[str, str], equal: Equality = sqlite_equal
) -> tuple[str, list[Any]] | None:
    """SQL that selects a superset of the rows a query matches, or None.

    ``description`` is a QueryInstance's ``_hash``, TinyDB's structural
    description of the query (see tinydb/queries.py); ``expressions`` maps
    each indexed field to the SQL expression its index is built on, and
    ``equal`` writes the engine's comparison.
    """
    if type(description) is not tuple or len(description) < 2:
        return None
    operation = description[0]
    if operation == "==" and len(description) == 3:
        expression = _expression(description[1], expressions)
        if expression and pushable(description[2]):
            return equal(expression, [description[2]])
    elif operation == "one_of" and len(description) == 3:
        expression = _expression(description[1], expressions)
        values = description[2]
        if (
            expression
            and isinstance(values, tuple | frozenset)
            and len(values) <= MAX_IN
            and all(pushable(value) for value in values)
        ):
            return equal(expression, list(values))
    elif operation == "fragment":
        fragment = description[1]
        parts = [
            equal(expressions[key], [value])
            for key, value in (fragment.items() if isinstance(fragment, dict) else ())
            if key in expressions and pushable(value)
        ]
        return _join(parts, "AND")
    elif operation == "and" and isinstance(description[1], frozenset):
        # One narrowed side is enough: the other is checked in Python.
        translated = [translate(part, expressions, equal) for part in description[1]]
        return _join([part for part in translated if part], "AND")
    elif operation == "or" and isinstance(description[1], frozenset):
        translated = [translate(part, expressions, equal) for part in description[1]]
        narrowed = [part for part in translated if part]
        if len(narrowed) == len(translated):  # every side narrowed
            return _join(narrowed, "OR")
    return None


def _expression(path: Any, expressions: Mapping[str, str]) -> str | None:
    if type(path) is not tuple or not all(type(part) is str for part in path):
        return None
    return expressions.get(".".join(path))


def _join(parts: list[tuple[str, list[Any]]], operator: str) -> tuple[str, list[Any]] | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    where = f" {operator} ".join(f"({sql})" for sql, _ in parts)
    return where, [param for _, params in parts for param in params]
