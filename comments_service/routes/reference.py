"""The tables of docs/API.md made from the route table: its endpoints and its shapes.

`python -m comments_service.routes.reference` rewrites them in docs/API.md
between their markers; tests/service/routes/test_reference.py fails, with the
text expected, whenever the document says something else.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from . import ENDPOINTS
from .endpoint import API, JSON, Endpoint
from .openapi import document

DOCS = Path(__file__).resolve().parents[2] / "docs" / "API.md"
TIME_FORMATS = {"date-time": "time", "date": "date"}


def endpoint_table(endpoints: Sequence[Endpoint] = ENDPOINTS) -> str:
    """One row per route: what it does, who may, the body it takes, what it answers."""
    schemas = document(endpoints)["components"]["schemas"]
    rows = [
        "| method and path | what | who | body | answer | errors |",
        "|---|---|---|---|---|---|",
    ]
    for endpoint in endpoints:
        where = "" if endpoint.mount == API else f" (outside `{API}`)"
        cells = [
            f"`{endpoint.method} {endpoint.path}`{where}",
            " — ".join(part for part in (endpoint.summary, endpoint.description) if part),
            endpoint.who,
            _body(endpoint),
            _answer(endpoint, schemas),
            " ".join(str(status) for status in endpoint.statuses),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def shape_table(endpoints: Sequence[Endpoint] = ENDPOINTS) -> str:
    """One row per shape of a body or an answer: its fields and their types."""
    schemas = document(endpoints)["components"]["schemas"]
    rows = ["| shape | what | fields (`?`: may be absent) |", "|---|---|---|"]
    for name in sorted(schemas):
        schema = schemas[name]
        required = set(schema.get("required", ()))
        fields = ", ".join(
            f"`{field}`{'' if field in required else '?'} {type_text(value)}"
            for field, value in schema["properties"].items()
        )
        rows.append(f"| `{name}` | {schema.get('description', '')} | {fields} |")
    return "\n".join(rows) + "\n"


def _body(endpoint: Endpoint) -> str:
    if endpoint.body is None:
        return ""
    fields = msgspec.structs.fields(endpoint.body)
    names = ", ".join(f'"{f.encode_name}"' + ("" if f.required else "?") for f in fields)
    return f"`{endpoint.body.__name__}` `{{{names}}}`"


def _answer(endpoint: Endpoint, schemas: dict[str, Any]) -> str:
    if endpoint.answer is None:
        return str(endpoint.status)
    if endpoint.media_type != JSON:
        return f"{endpoint.status} `{endpoint.media_type}`"
    return f"{endpoint.status} {type_text(msgspec.json.schema(endpoint.answer))}"


def type_text(schema: dict[str, Any]) -> str:
    """A JSON schema of msgspec's as a few words: `Comment`, [`Flag`], string or null."""
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[1]}`"
    if "$defs" in schema:  # a whole schema from msgspec.json.schema: its own $ref
        return type_text({key: value for key, value in schema.items() if key != "$defs"})
    if "anyOf" in schema:
        return " or ".join(type_text(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "/".join(json.dumps(value) for value in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"[{type_text(schema['items'])}]"
    if kind == "object":
        values = schema.get("additionalProperties")
        return f"{{string: {type_text(values)}}}" if values else "object"
    if kind == "string" and schema.get("format") in TIME_FORMATS:
        return TIME_FORMATS[schema["format"]]
    return kind or "any"


def rewrite(text: str, name: str, table: str) -> str:
    """`text` with the table between `<!-- name -->` and `<!-- /name -->` replaced."""
    pattern = re.compile(rf"(<!-- {name}\b[^>]*-->\n)(.*?)(<!-- /{name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"docs/API.md has no <!-- {name} --> … <!-- /{name} --> block")
    return pattern.sub(lambda found: found[1] + table + found[3], text, count=1)


def rewritten(text: str) -> str:
    """docs/API.md with both tables as the route table says."""
    return rewrite(rewrite(text, "endpoints", endpoint_table()), "shapes", shape_table())


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS
    path.write_text(rewritten(path.read_text(encoding="utf-8")), encoding="utf-8")
