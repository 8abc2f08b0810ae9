"""Command line: `python -m comments_service serve|migrate|backup|export|import|copy|import-isso`.

serve [--host H] [--port P] [--workers N]   run the service with uvicorn on a TCP port,
serve --uds PATH [--workers N]              or on a unix socket (mode 0660)
migrate                                     create or upgrade the database's schema
backup FILE                                 consistent copy (an SQLite file) while it runs
export FILE                                 every table as JSON
import FILE [--replace]                     load an export into the database
copy --from DB --to DB [--replace]          copy everything between databases (SQLite
                                            paths or postgresql:// addresses), verified
import-isso ISSO.db [--dry-run]             add the comments of an Isso database
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError, Settings, database_location
from .storage import Database, NotEmptyError, StorageError
from .storage.copying import copy_database


def _fail(message: str, status: int = 2) -> int:
    print(f"comments_service: {message}", file=sys.stderr)
    return status


def serve(settings: Settings, listen: Listen, workers: int, log_level: str) -> int:
    """Run uvicorn's workers on a TCP port or a unix socket until told to stop."""
    from . import serving

    # Open the database once before the workers start: a damaged or newer
    # one stops the service here, with one clear message, not in N workers;
    # and the schema's migrations run here, once.
    settings.open_database().close()
    with serving.metrics_folder() as metrics:
        try:
            unix = serving.listen_unix(listen.uds) if listen.uds else None
        except serving.ServeError as error:
            return _fail(str(error))
        config = _uvicorn_config(settings, listen, workers, log_level)
        sock = unix[0] if unix else config.bind_socket()
        if unix:
            logging.getLogger("uvicorn.error").info("listening on unix socket %s", listen.uds)
        try:
            return serving.run(config, sock, metrics)
        finally:
            sock.close()
            if unix and listen.uds:
                serving.remove_socket(listen.uds, unix[1])


def _uvicorn_config(settings: Settings, listen: Listen, workers: int, log_level: str) -> Any:
    """uvicorn's configuration: the peer address taken from the connection only."""
    import uvicorn

    from .logs import logging_config
    from .server import KEEP_ALIVE_TIMEOUT, MAX_HEAD_BYTES, KurierHttpProtocol

    return uvicorn.Config(
        "comments_service.app:create_app",
        factory=True,
        host=listen.host,
        port=listen.port,
        workers=workers,
        # Identity headers are believed by peer address, so uvicorn must not
        # replace the peer with what X-Forwarded-For claims.
        proxy_headers=False,
        server_header=False,
        loop="uvloop",
        # httptools with a size limit and a deadline for request heads.
        http=KurierHttpProtocol,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,  # the same limit if h11 is ever chosen
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        # COMMENTS_LOG_FORMAT for uvicorn's lines and ours, in every worker.
        log_config=logging_config(settings.log_format, log_level),
        log_level=log_level,
        access_log=False,  # the request log (requestlog.py) writes one line per request
        timeout_graceful_shutdown=5,
    )


@dataclass(frozen=True)
class Listen:
    """Where serve listens: a TCP host and port, or a unix socket's path."""

    host: str = "127.0.0.1"
    port: int = 8000
    uds: Path | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> Listen:
        """From --host, --port and --uds; a socket and an address at once is a mistake."""
        if args.uds is not None and (args.port is not None or args.host is not None):
            raise ValueError("--uds listens on a unix socket: give it without --host or --port")
        if args.uds is not None:
            return cls(uds=args.uds)
        return cls(args.host or cls.host, cls.port if args.port is None else args.port)


def migrate(settings: Settings) -> int:
    """Create the schema or bring it up to date (opening the database does it)."""
    with settings.open_database() as db:
        print(f"{db.location} is at schema {db.export()['schema']}, the latest")
    return 0


def backup(settings: Settings, target: Path) -> int:
    with settings.open_database() as db:
        db.backup(target)
        print(f"backed up {db.location} to {target}")
    return 0


def copy(source: str, target: str, replace: bool) -> int:
    """Copy one database into another, of either engine, and verify it."""
    with (
        Database(database_location(source)) as origin,
        Database(database_location(target), create_dirs=True) as destination,
    ):
        try:
            report = copy_database(origin, destination, replace=replace)
        except NotEmptyError as error:
            return _fail(str(error))
        if report.already_identical:
            print(f"{destination.location} already holds the same data ({report.summary()})")
        else:
            print(f"copied {origin.location} to {destination.location} ({report.summary()})")
    return 0


def export(settings: Settings, target: Path) -> int:
    with settings.open_database() as db:
        data = db.export()
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    target.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(
        f"{name}: {len(table['documents'])}" for name, table in data["tables"].items()
    )
    print(f"exported {db.location} to {target} ({counts})")
    return 0


def import_(settings: Settings, source: Path, replace: bool) -> int:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return _fail(f"cannot read {source}: {error}")
    with settings.open_database() as db:
        try:
            db.import_(data, replace=replace)
        except NotEmptyError:
            return _fail(
                f"{db.location} already holds comments: import into an empty database, "
                "or add --replace to overwrite everything in it"
            )
        print(f"imported {source} into {db.location}")
    return 0


def import_isso(settings: Settings, source: Path, dry_run: bool) -> int:
    """Add an Isso database's comments; report what could not be mapped."""
    from . import isso

    try:
        articles = isso.load_articles(settings.articles_path)
        report = isso.import_isso(settings, source, articles, dry_run=dry_run)
    except (ValueError, isso.NotIssoError) as error:
        return _fail(str(error))
    for line in isso.summary(report, source, settings.db, dry_run):
        print(line)
    if report.unmapped and not report.mapped_any:
        return _fail("none of the comments could be matched to an article in articles.json", 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comments_service", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the service")
    run.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="TCP port (default 8000)")
    run.add_argument("--uds", type=Path, help="listen on this unix socket instead (mode 0660)")
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--log-level", default="info")
    commands.add_parser("migrate", help="create or upgrade the database's schema")
    for name, text in (("backup", "copy the database"), ("export", "write JSON")):
        command = commands.add_parser(name, help=text)
        command.add_argument("file", type=Path)
    load = commands.add_parser("import", help="load a JSON export")
    load.add_argument("file", type=Path)
    load.add_argument("--replace", action="store_true", help="replace existing data")
    copying = commands.add_parser("copy", help="copy everything between two databases")
    copying.add_argument("--from", dest="source", required=True, help="SQLite path or URL")
    copying.add_argument("--to", dest="target", required=True, help="SQLite path or URL")
    copying.add_argument("--replace", action="store_true", help="overwrite a target's data")
    from_isso = commands.add_parser("import-isso", help="add the comments of an Isso database")
    from_isso.add_argument("file", type=Path)
    from_isso.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "copy":
            return copy(args.source, args.target, args.replace)
        settings = Settings.from_env()
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "serve":
            if args.workers < 1:
                return _fail("--workers must be at least 1")
            try:
                listen = Listen.of(args)
            except ValueError as error:
                return _fail(str(error))
            return serve(settings, listen, args.workers, args.log_level)
        if args.command == "backup":
            return backup(settings, args.file)
        if args.command == "export":
            return export(settings, args.file)
        if args.command == "import-isso":
            return import_isso(settings, args.file, args.dry_run)
        return import_(settings, args.file, args.replace)
    except (ConfigError, StorageError) as error:
        return _fail(str(error))


if __name__ == "__main__":
    sys.exit(main())
