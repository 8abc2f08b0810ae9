"""Documents as compact JSON text, ids as 64-bit integers, and the names allowed for both.

Every engine stores a document as the JSON text written here and reads it
back through ``decode``, so a file or an export means the same to all of them.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

# One encoder, built once: json.dumps() with options builds a new one per call.
# NaN and infinities are refused because SQLite's JSON functions reject them.
encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_strict_decode = json.JSONDecoder().decode
# typeshed types the scanner's context as a scanner; the stdlib's own JSONDecoder
# passes itself, which is what the C scanner reads its settings from.
_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def decode_values(text: str) -> list[Any]:
    """The array SQLite's json_extract gives: orjson's speed, decode's tolerance."""
    values: list[Any]
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError:  # an unpaired surrogate, which only decode accepts
        values = decode(text)
    return values


def decode(text: str) -> Any:
    """The document stored as ``text``."""
    # The scanner directly: rows hold our own compact JSON, and skipping
    # decode()'s whitespace handling halves the cost of reading one.
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return _strict_decode(text)  # raises a JSONDecodeError that says where
    return value if end == len(text) else _strict_decode(text)


def encode_document(document: object) -> str:
    """``document`` as stored; refuses anything that is not a mapping."""
    if not isinstance(document, Mapping):
        raise ValueError("Document is not a Mapping")
    return encode(document if isinstance(document, dict) else dict(document))


def check_field(field: object) -> str:
    """``field`` if it can be indexed (``thread``, ``author.id``); ValueError if not."""
    if not isinstance(field, str) or not _FIELD.match(field):
        raise ValueError(f"cannot index {field!r}: use field names like 'thread' or 'author.id'")
    return field


def check_fields(fields: Iterable[str]) -> frozenset[str]:
    """The fields to index, each checked by ``check_field``."""
    if isinstance(fields, str):  # "thread" would otherwise index t, h, r, e, a, d
        raise TypeError(f"indexes must be a sequence of field names, not {fields!r}")
    return frozenset(check_field(field) for field in fields)


def check_name(name: object) -> str:
    """``name`` if it can name a table; ValueError if not."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"invalid table name {name!r}")
    return name


def as_id(value: object) -> int | None:
    """A document id as SQLite stores it, or None when ``value`` cannot be one."""
    if type(value) is int:
        return value if INT64_MIN <= value <= INT64_MAX else None
    # TinyDB looks ids up as strings, so "3" finds document 3 there too.
    if type(value) is str and value.isdigit() and value.isascii():
        return as_id(int(value))
    return None


def unique_ids(values: Iterable[object]) -> list[int]:
    """Ids in the order given, without repeats and without non-ids."""
    seen: dict[int, None] = {}
    for value in values:
        doc_id = as_id(value)
        if doc_id is not None:
            seen[doc_id] = None
    return list(seen)


def id_or_error(value: object) -> int:
    """``value`` as a document id to write; ValueError unless a positive integer."""
    doc_id = as_id(value)
    if doc_id is None or doc_id < 1:
        raise ValueError(f"document id {value!r} is not a positive integer")
    return doc_id
