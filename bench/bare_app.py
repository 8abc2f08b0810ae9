"""The ceiling: a bare Starlette JSON endpoint, served exactly as the comments service is.

`python -m bench.bare_app serve --port P ...` runs the service's own command
line (`comments_service.__main__`), with uvicorn's `Config` pointed at this
app instead of the service's: same options, same workers and sockets, same
code path, whatever they become.
The options it got are printed as one JSON line, for the report.

Routes: `/json` answers a small JSON object (the ceiling), `/payload` the
bytes of the file named by `BENCH_BARE_PAYLOAD` (the same bytes as a
service response, for comparison), `/healthz` tells it is up.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PAYLOAD = "BENCH_BARE_PAYLOAD"
OPTIONS_MARK = "bare_app uvicorn options:"


async def hello(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


def create_app() -> Starlette:
    """The bare app; `/payload` only when BENCH_BARE_PAYLOAD names a file."""
    routes = [Route("/json", hello), Route("/healthz", hello)]
    if os.environ.get(PAYLOAD):
        body = Path(os.environ[PAYLOAD]).read_bytes()

        async def payload(request: Request) -> Response:
            return Response(body, media_type="application/json")

        routes.append(Route("/payload", payload))
    return Starlette(routes=routes)


def _named(value: Any) -> str:
    """An option that is a class (the service's HTTP protocol) by its dotted name."""
    return f"{value.__module__}.{value.__qualname__}"


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from comments_service import __main__ as service

    make_config = uvicorn.Config
    left_out = ("host", "port", "log_config")  # where it listens; the logging set-up

    def bare_config(app: str, **options: Any) -> Any:
        shown = {key: value for key, value in options.items() if key not in left_out}
        print(OPTIONS_MARK, json.dumps(shown, sort_keys=True, default=_named), flush=True)
        return make_config(f"{__spec__.name}:create_app", **options)

    uvicorn.Config = bare_config  # type: ignore[misc,assignment]
    return service.main(argv)


if __name__ == "__main__":
    sys.exit(main())
