"""Several comments hosts on one PostgreSQL database behind one nginx: `make stack-multi`.

    python deploy/stack_multi.py [--port 8000] [--hosts 2] [--workers 2]
        [--db postgresql://...?schema=...] [--site output] [--var var]

Starts `--hosts` services (`python -m comments_service serve --workers N`,
each in its own process group on a free 127.0.0.1 port, as separate
machines would be), all on the database `--db` (default COMMENTS_DB, else
the local test server's schema `kurier_stack`) with one secret key
(COMMENTS_SECRET_KEY, else one kept in `--var`/secret_key), then Debian's
nginx in the foreground with its own prefix, pid and logs in
`--var`/stack-multi/: the built site from `--site`, and /api/, the comment
feeds and /admin/ from the hosts (deploy/nginx-multi.conf.template). A host
that dies is started again; Ctrl-C (or SIGTERM) stops everything.
`--var`/stack-multi/stack.json names the ports and process groups, and
access.log which host answered each request.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import shutil
import sys
import time
from pathlib import Path

from processes import (
    DEPLOY,
    FALLBACK_TYPES,
    MIME_TYPES,
    REPO,
    Child,
    StackError,
    find_nginx,
    free_port,
    port_is_free,
    secret_key,
    supervised,
)

TEMPLATE = DEPLOY / "nginx-multi.conf.template"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test?schema=kurier_stack"
RESTART_PAUSE = 1.0


def host_env(db: str, key: str, site: Path, var: Path) -> dict[str, str]:
    env = dict(os.environ)  # other COMMENTS_* settings pass through; these are the stack's
    env.update(COMMENTS_DB=db, COMMENTS_SECRET_KEY=key, COMMENTS_SITE_DIR=str(site))
    env.setdefault("COMMENTS_AUTH", "open")
    password = var / "admin_password"
    if "COMMENTS_ADMIN_PASSWORD" not in env and password.is_file():
        env["COMMENTS_ADMIN_PASSWORD"] = password.read_text(encoding="utf-8").strip()
    return env


def nginx_config(port: int, site: Path, runtime: Path, host_ports: list[int]) -> str:
    user = ""
    if os.geteuid() == 0:
        # nginx's workers would run as nobody: let them be the site's owner instead.
        owner = pwd.getpwuid(site.stat().st_uid)
        user = f"user {owner.pw_name} {grp.getgrgid(owner.pw_gid).gr_name};"
        os.chown(runtime, owner.pw_uid, owner.pw_gid)
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in host_ports
    )
    mime = f"include {MIME_TYPES};" if MIME_TYPES.is_file() else FALLBACK_TYPES
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "@RUNTIME@": str(runtime),
        "@DEPLOY@": str(DEPLOY),
        "@SITE@": str(site),
        "@PORT@": str(port),
        "@SERVERS@": servers,
        "@USER@": user,
        "@MIME_TYPES@": mime,
    }.items():
        text = text.replace(name, value)
    return text


def run(args: argparse.Namespace) -> int:
    nginx = find_nginx()
    db = args.db
    if not db.startswith(("postgresql://", "postgres://")):
        raise StackError(f"several hosts need one PostgreSQL database; COMMENTS_DB is {db}")
    site = Path(args.site).resolve()
    if not (site / "index.html").is_file():
        raise StackError(f"{site} holds no built site (make html, or make stack-multi)")
    if not port_is_free(args.port):
        raise StackError(f"port {args.port} is in use: PORT=<another> make stack-multi")
    var = Path(args.var).resolve()
    runtime = var / "stack-multi"
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir(parents=True)
    env = host_env(db, secret_key(var), site, var)
    host_ports = [free_port() for _ in range(args.hosts)]
    serve = [sys.executable, "-m", "comments_service", "serve", "--host", "127.0.0.1"]
    hosts = [
        Child(
            f"host {n + 1}",
            [*serve, "--port", str(port), "--workers", str(args.workers)],
            env,
            runtime / f"host-{n + 1}.log",
            f"http://127.0.0.1:{port}/healthz",
        )
        for n, port in enumerate(host_ports)
    ]
    conf = runtime / "nginx.conf"
    conf.write_text(nginx_config(args.port, site, runtime, host_ports), encoding="utf-8")
    proxy = Child(
        "nginx",
        [nginx, "-p", str(runtime), "-c", str(conf), "-e", str(runtime / "error.log")],
        dict(os.environ),
        runtime / "nginx.log",
        f"http://127.0.0.1:{args.port}/index.html",
    )
    children = [*hosts, proxy]
    with supervised(children):
        for child in hosts:  # one after another: the first one makes the schema
            child.start()
            child.wait_ready()
        proxy.start()
        proxy.wait_ready()
        state = {
            "port": args.port,
            "nginx": proxy.process.pid if proxy.process else None,
            "hosts": [
                {"port": port, "pgid": host.process.pid if host.process else None}
                for port, host in zip(host_ports, hosts, strict=True)
            ],
        }
        (runtime / "stack.json").write_text(json.dumps(state), encoding="utf-8")
        print(f"\n  Kurier on {args.hosts} hosts x {args.workers} workers behind nginx:")
        print(f"  http://127.0.0.1:{args.port}/  (hosts on ports {host_ports}, database {db})")
        print(f"  Logs and state in {runtime}. Ctrl-C stops everything.\n", flush=True)
        while True:
            time.sleep(0.5)
            if not proxy.running():
                raise StackError(f"nginx stopped; see {runtime / 'error.log'}")
            for n, host in enumerate(hosts):
                if not host.running():
                    print(f"  host {n + 1} stopped; starting it again", flush=True)
                    host.stop()
                    time.sleep(RESTART_PAUSE)
                    host.start()
                    state["hosts"][n]["pgid"] = host.process.pid if host.process else None
                    (runtime / "stack.json").write_text(json.dumps(state), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8000, help="nginx's port on 127.0.0.1")
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per host")
    parser.add_argument("--db", default=os.environ.get("COMMENTS_DB") or DEFAULT_DB)
    parser.add_argument("--site", default=str(REPO / "output"), help="the built site")
    parser.add_argument("--var", default=str(REPO / "var"), help="keys, logs and nginx's files")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except StackError as error:
        print(f"stack-multi: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
