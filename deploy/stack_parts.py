"""The parts `make stack` (stack.py) puts together: programs, secrets, configurations.

The nginx and Apache configurations are the files an operator copies
(deploy/nginx/, deploy/apache/), filled in here for loopback; only the
few lines a system installation already has (Apache's modules, pid and
log files) are written here.
"""

from __future__ import annotations

import grp
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from processes import DEPLOY, FALLBACK_TYPES, MIME_TYPES, StackError, answers

MODERATORS_GROUP = "kurier-moderators"
#: The stand-in provider's accounts: its sign-in page offers each with one click.
ACCOUNTS = [
    {"sub": "alice", "name": "Alice Kowalska", "email": "alice@kurier.example",
     "groups": ["staff"]},
    {"sub": "bob", "name": "Bob Nowak", "email": "bob@kurier.example", "groups": ["staff"]},
    {"sub": "maria", "name": "Maria Wiśniewska", "email": "maria@kurier.example",
     "groups": ["staff", MODERATORS_GROUP]},
]  # fmt: skip
PACKAGES = {"nginx": "nginx", "apache2": "apache2", "openssl": "openssl"}
OPENIDC_MODULE = Path("/usr/lib/apache2/modules/mod_auth_openidc.so")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
#: What Apache loads for the site (Debian's a2enmod does this on a real host).
MODULES = ["mpm_event", "authz_core", "authz_user", "authn_core", "headers", "proxy",
           "proxy_http", "ssl", "socache_shmcb", "unique_id", "auth_openidc"]  # fmt: skip


def _find(program: str) -> str | None:
    return shutil.which(program) or next(
        (
            f"{d}/{program}"
            for d in ("/usr/sbin", "/usr/bin")
            if os.access(f"{d}/{program}", os.X_OK)
        ),
        None,
    )


def required_programs() -> dict[str, str]:
    """nginx, apache2 (with mod_auth_openidc) and openssl: installed from Debian's
    packages when missing and this runs as root, otherwise a clear error."""
    missing = [name for name in PACKAGES if _find(name) is None]
    packages = [PACKAGES[name] for name in missing]
    if not OPENIDC_MODULE.is_file():
        packages.append("libapache2-mod-auth-openidc")
    if packages:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise StackError(
                f"missing {', '.join(packages)}: as root, apt-get install {' '.join(packages)}"
            )
        print(f"stack: installing {' '.join(packages)} (Debian's packages)", flush=True)
        command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(command, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            if subprocess.run(command, env=env, capture_output=True).returncode != 0:
                raise StackError(f"apt-get install {' '.join(packages)} failed")
    found = {name: _find(name) for name in PACKAGES}
    return {name: path for name, path in found.items() if path is not None}


def stack_secrets() -> dict[str, str]:
    """Fresh for every run: nothing of one run's sign-ins or proxy secret outlives it."""
    return {name: secrets.token_urlsafe(32) for name in ("proxy", "client", "passphrase")}


def certificate(openssl: str, runtime: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made once and kept (30 days)."""
    cert, key = runtime / "tls-cert.pem", runtime / "tls-key.pem"
    if cert.is_file() and key.is_file():
        fresh = subprocess.run(
            [openssl, "x509", "-checkend", "86400", "-noout", "-in", str(cert)],
            capture_output=True,
        )
        if fresh.returncode == 0:
            return cert, key
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        capture_output=True, text=True,
    )  # fmt: skip
    if made.returncode != 0:
        raise StackError(f"openssl could not make a certificate: {made.stderr.strip()}")
    key.chmod(0o600)
    return cert, key


# --- the OpenID provider -------------------------------------------------------------


def provider_command(port: int) -> list[str]:
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    for account in ACCOUNTS:
        claims = {**account, "preferred_username": account["sub"]}
        command += ["--user-claims", json.dumps(claims, ensure_ascii=False)]
    return command


def provider_ready(port: int) -> bool:
    return answers(f"http://127.0.0.1:{port}/.well-known/openid-configuration")


# --- the service ---------------------------------------------------------------------


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (the service's), with the standard library only."""

    def __init__(self, path: Path, timeout: float = 2.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def service_ready(path: Path) -> bool:
    if not path.exists():
        return False
    connection = UnixHTTPConnection(path)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


# --- nginx ---------------------------------------------------------------------------


def fill(template: Path, values: dict[str, str]) -> str:
    """``template`` with each @NAME@ replaced by its value; every one must have one."""
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    settings = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if left := sorted(set(re.findall(r"@[A-Z_]+@", settings))):
        raise StackError(f"{template.name}: nothing to put for {', '.join(left)}")
    return text


def _owner(site: Path) -> tuple[str, str, int, int]:
    owner = pwd.getpwuid(site.stat().st_uid)
    return owner.pw_name, grp.getgrgid(owner.pw_gid).gr_name, owner.pw_uid, owner.pw_gid


def nginx_files(runtime: Path, site: Path, port: int, socket_path: Path, proxy_secret: str) -> Path:
    """nginx's main configuration around the site file; its path."""
    site_conf = runtime / "nginx-site.conf"
    site_conf.write_text(
        fill(DEPLOY / "nginx" / "kurier.conf.template", {
            "LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": "127.0.0.1", "SITE": str(site),
            "SERVICE_SOCKET": str(socket_path), "PROXY_SECRET": proxy_secret,
            "DEPLOY": str(DEPLOY),
        }),
        encoding="utf-8",
    )  # fmt: skip
    user = ""
    if os.geteuid() == 0:
        # nginx's workers would run as nobody: let them be the site's owner instead.
        name, group, uid, gid = _owner(site)
        user = f"user {name} {group};"
        os.chown(runtime, uid, gid)
    mime = f"include {MIME_TYPES};" if MIME_TYPES.is_file() else FALLBACK_TYPES
    main = runtime / "nginx.conf"
    main.write_text(
        f"""daemon off;
worker_processes 2;
pid {runtime}/nginx.pid;
error_log {runtime}/nginx-error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    {mime}
    default_type application/octet-stream;
    sendfile on;
    log_format kurier '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                      '$request_time id=$kurier_request_id';
    access_log {runtime}/nginx-access.log kurier;
    client_body_temp_path {runtime}/client_body;
    proxy_temp_path {runtime}/proxy;
    fastcgi_temp_path {runtime}/fastcgi;
    uwsgi_temp_path {runtime}/uwsgi;
    scgi_temp_path {runtime}/scgi;
    include {site_conf};
}}
""",
        encoding="utf-8",
    )
    return main


def nginx_command(nginx: str, runtime: Path, conf: Path) -> list[str]:
    return [nginx, "-p", str(runtime), "-c", str(conf), "-e", str(runtime / "nginx-error.log")]


# --- Apache --------------------------------------------------------------------------


def apache_files(
    runtime: Path,
    port: int,
    nginx_port: int,
    provider_port: int,
    cert: Path,
    cert_key: Path,
    secrets_: dict[str, str],
) -> Path:
    """Apache's main configuration (what Debian's apache2.conf and a2enmod give a
    real host) around the site file; its path."""
    public = f"https://127.0.0.1:{port}/"
    site_conf = runtime / "apache-site.conf"
    site_conf.write_text(
        fill(DEPLOY / "apache" / "kurier-site.conf.template", {
            "LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": "127.0.0.1",
            "CERTIFICATE": str(cert), "CERTIFICATE_KEY": str(cert_key),
            "PROVIDER_METADATA_URL":
                f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration",
            "CLIENT_ID": "kurier", "CLIENT_SECRET": secrets_["client"],
            "PUBLIC_URL": public, "CRYPTO_PASSPHRASE": secrets_["passphrase"], "SCOPES": "",
            "CLAIM_USER": "preferred_username", "CLAIM_EMAIL": "email", "CLAIM_NAME": "name",
            "CLAIM_GROUPS": "groups", "PROXY_SECRET": secrets_["proxy"],
            "BACKEND": f"http://127.0.0.1:{nginx_port}",
        }),
        encoding="utf-8",
    )  # fmt: skip
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    modules = "\n".join(
        f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so" for name in MODULES
    )
    main = runtime / "apache.conf"
    main.write_text(
        f"""ServerRoot {runtime}
ServerName 127.0.0.1
PidFile {runtime}/apache.pid
Mutex file:{runtime} default
DefaultRuntimeDir {runtime}
ErrorLog {runtime}/apache-error.log
LogLevel warn
{user}{modules}
LogFormat "%h %t \\"%r\\" %>s %b id=%{{UNIQUE_ID}}e" kurier
CustomLog {runtime}/apache-access.log kurier
Listen 127.0.0.1:{port} https
SSLSessionCache shmcb:{runtime}/ssl_scache(512000)
Include {site_conf}
""",
        encoding="utf-8",
    )
    return main


def apache_command(apache2: str, conf: Path) -> list[str]:
    return [apache2, "-f", str(conf), "-DFOREGROUND"]
