"""The production topology on loopback, for trying and for tests: `make stack`.

    python deploy/stack.py [--port 8443] [--workers 2] [--site output] [--var var]
        [--db PATH_OR_URL] [--provider-port N]

Starts, each in a process group of its own, with files under `--var`/stack/:

- a local OpenID Connect provider standing in for the company's
  (`oidc-provider-mock`), with the test accounts of ACCOUNTS;
- the comments service on a unix socket (`serve --uds`, `--workers` of them),
  in header mode, believing identity only with the front's proxy secret;
- Debian's nginx on a free loopback port: the built site from `--site`, the
  API, comment feeds and /admin/ through the socket
  (deploy/nginx/kurier.conf.template);
- Debian's Apache with mod_auth_openidc on https://127.0.0.1:`--port`/ (a
  certificate made for 127.0.0.1): everyone signs in first, then Apache sets
  who they are and passes everything to nginx
  (deploy/apache/kurier-site.conf.template).

Prints the address and the accounts; Ctrl-C (or SIGTERM) stops everything,
leaving no process behind. `--var`/stack/stack.json names the ports, the
socket and the process groups. Nothing here uses a network beyond loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from processes import (
    REPO,
    Child,
    StackError,
    free_port,
    port_is_free,
    port_open,
    secret_key,
    supervised,
)
from stack_parts import (
    ACCOUNTS,
    MODERATORS_GROUP,
    apache_command,
    apache_files,
    certificate,
    nginx_command,
    nginx_files,
    provider_command,
    provider_ready,
    required_programs,
    service_ready,
    stack_secrets,
)


def service_env(args: argparse.Namespace, key: str, proxy_secret: str) -> dict[str, str]:
    """The service's settings: header mode behind this front, the rest from the caller."""
    public = f"https://127.0.0.1:{args.port}/"
    env = dict(os.environ)
    env.update(
        COMMENTS_DB=args.db or str(Path(args.var).resolve() / "stack-comments.sqlite3"),
        COMMENTS_SECRET_KEY=key,
        COMMENTS_ARTICLES=str(Path(args.site).resolve() / "articles.json"),
        COMMENTS_AUTH="header",
        COMMENTS_TRUSTED_PROXIES="unix",
        COMMENTS_PROXY_SECRET=proxy_secret,
        COMMENTS_MODERATOR_GROUP=MODERATORS_GROUP,
        COMMENTS_PUBLIC_URL=public,
        COMMENTS_SIGN_OUT_URL=f"{public}oidc/callback?logout={public}",
        COMMENTS_METRICS_ALLOW="unix",
        COMMENTS_LOG_FORMAT="json",
    )
    env.pop("COMMENTS_SITE_DIR", None)  # nginx serves the site
    return env


def run(args: argparse.Namespace) -> int:
    programs = required_programs()
    site = Path(args.site).resolve()
    if not (site / "index.html").is_file() or not (site / "articles.json").is_file():
        raise StackError(f"{site} holds no built site (make html, or make stack)")
    for port in (args.port, args.provider_port):
        if port and not port_is_free(port):
            raise StackError(f"port {port} is in use: PORT=<another> make stack")
    var = Path(args.var).resolve()
    runtime = var / "stack"
    if runtime.exists():
        for leftover in runtime.iterdir():  # the certificate and key stay
            if leftover.is_file() and leftover.suffix != ".pem":
                leftover.unlink()
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o755)
    secrets_ = stack_secrets()
    cert, cert_key = certificate(programs["openssl"], runtime)
    provider_port = args.provider_port or free_port()
    nginx_port = free_port()
    socket_path = runtime / "comments.sock"
    env = service_env(args, secret_key(var), secrets_["proxy"])

    provider = Child(
        "the OpenID provider",
        provider_command(provider_port),
        dict(os.environ),
        runtime / "provider.log",
        lambda: provider_ready(provider_port),
    )
    service = Child(
        "the comments service",
        [sys.executable, "-m", "comments_service", "serve", "--uds", str(socket_path),
         "--workers", str(args.workers)],
        env,
        runtime / "service.log",
        lambda: service_ready(socket_path),
    )  # fmt: skip
    nginx_conf = nginx_files(runtime, site, nginx_port, socket_path, secrets_["proxy"])
    nginx = Child(
        "nginx",
        nginx_command(programs["nginx"], runtime, nginx_conf),
        dict(os.environ),
        runtime / "nginx.log",
        f"http://127.0.0.1:{nginx_port}/index.html",
    )
    apache_conf = apache_files(
        runtime, args.port, nginx_port, provider_port, cert, cert_key, secrets_
    )
    apache = Child(
        "Apache",
        apache_command(programs["apache2"], apache_conf),
        dict(os.environ),
        runtime / "apache.log",
        lambda: port_open(args.port),
    )
    children = [provider, service, nginx, apache]
    with supervised(children):
        for child in children:
            child.start()
            child.wait_ready()
        state = {
            "url": f"https://127.0.0.1:{args.port}/",
            "provider": f"http://127.0.0.1:{provider_port}/",
            "nginx": f"http://127.0.0.1:{nginx_port}/",
            "socket": str(socket_path),
            "proxy_secret_file": str(runtime / "proxy_secret"),
            "groups": {c.name: c.process.pid for c in children if c.process is not None},
            "accounts": ACCOUNTS,
        }
        secret_file = runtime / "proxy_secret"
        secret_file.write_text(secrets_["proxy"], encoding="utf-8")
        secret_file.chmod(0o600)
        (runtime / "stack.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
        print_welcome(state, runtime)
        while True:
            time.sleep(0.5)
            for child in children:
                if not child.running():
                    raise StackError(f"{child.name} stopped; see its log {child.log}")
    return 0


def print_welcome(state: dict[str, object], runtime: Path) -> None:
    print(f"\n  Kurier behind the company sign-in: {state['url']}")
    print("  (a certificate of its own for 127.0.0.1: let the browser accept it once)")
    print("  Sign in at the stand-in provider as one of:")
    for account in ACCOUNTS:
        groups = ", ".join(account["groups"])
        print(f"    {account['sub']:<6} {account['name']} <{account['email']}>  groups: {groups}")
    print(f"  Logs and state in {runtime}. Ctrl-C stops everything.\n", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8443, help="the front's port on 127.0.0.1")
    parser.add_argument("--workers", type=int, default=2, help="the service's uvicorn workers")
    parser.add_argument("--site", default=str(REPO / "output"), help="the built site")
    parser.add_argument("--var", default=str(REPO / "var"), help="keys, logs and state")
    parser.add_argument(
        "--db",
        default=os.environ.get("COMMENTS_DB", ""),
        help="the comments database (default: var/stack-comments.sqlite3)",
    )
    parser.add_argument("--provider-port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except StackError as error:
        print(f"stack: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
