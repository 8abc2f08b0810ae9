"""The JSON shapes of the API, each declared once: request bodies and answers.

The route table (routes/) names them. A request body is decoded into its
class (routes/http.py); the OpenAPI document and the endpoint table of
docs/API.md are generated from them; the tests decode real answers into
them, unknown fields refused. Answers are still written by the store as
dicts, or as bytes serialised once per change: these classes say what
those bytes hold, they do not build them.

- requests.py  request bodies
- answers.py   answers: people, threads, comments, moderation, errors
- reports.py   the moderators' reports
"""

from __future__ import annotations

from msgspec import Struct


class Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body: a JSON object with the fields listed and no others."""


class Answer(Struct, forbid_unknown_fields=True, kw_only=True):
    """An answer: a JSON object with the fields listed and no others."""
