"""What the stack tests share: starting and stopping deploy/stack.py, and signing in.

`sign_in` goes through the real OpenID Connect flow without a browser: the
front sends the client to the provider, the provider's form (its button for a
predefined account) answers with a code, and the front's callback turns it
into mod_auth_openidc's session cookie.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx2 as httpx

from tests.servers import REPO, _group_alive, free_port

LAUNCHER = REPO / "deploy" / "stack.py"
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
ORIGINAL_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}


def missing_programs() -> str | None:
    """What the stack needs and this machine lacks, or None."""
    found = {name: shutil.which(name) or shutil.which(f"/usr/sbin/{name}")
             for name in ("nginx", "apache2", "openssl")}  # fmt: skip
    missing = [name for name, path in found.items() if path is None]
    if not Path("/usr/lib/apache2/modules/mod_auth_openidc.so").is_file():
        missing.append("libapache2-mod-auth-openidc")
    return ", ".join(missing) or None


@dataclass
class Stack:
    """One run of deploy/stack.py: its address, its files, its processes."""

    site: Path
    var: Path
    secret_key: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    state: dict = field(default_factory=dict)

    @property
    def runtime(self) -> Path:
        return self.var / "stack"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return self.var / "stack-comments.sqlite3"

    @property
    def socket(self) -> Path:
        return Path(self.state["socket"])

    @property
    def nginx(self) -> str:
        return str(self.state["nginx"]).rstrip("/")

    @property
    def proxy_secret(self) -> str:
        return Path(self.state["proxy_secret_file"]).read_text(encoding="utf-8")

    def start(self, **env: str) -> None:
        self.port = self.port or free_port()
        state_file = self.runtime / "stack.json"
        state_file.unlink(missing_ok=True)
        environment = dict(ORIGINAL_ENV, COMMENTS_SECRET_KEY=self.secret_key, **env)
        command = [sys.executable, str(LAUNCHER), "--port", str(self.port), "--site",
                   str(self.site), "--var", str(self.var)]  # fmt: skip
        self.var.mkdir(parents=True, exist_ok=True)
        log = (self.var / "launcher.log").open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not state_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("the stack did not start:\n" + self.launcher_log())
            time.sleep(0.1)
        self.state = json.loads(state_file.read_text(encoding="utf-8"))

    def launcher_log(self) -> str:
        path = self.var / "launcher.log"
        return path.read_text(encoding="utf-8", errors="replace")[-4000:] if path.exists() else ""

    def groups(self) -> list[int]:
        return list(self.state.get("groups", {}).values())

    def stop(self) -> None:
        """SIGTERM the launcher (as Ctrl-C would) and wait; kill whatever is left."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for pgid in self.groups():  # nothing, normally: the test of stopping says so
            if _group_alive(pgid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)

    def client(self, **options) -> httpx.Client:
        """A client of the front (its own certificate: not verified), not signed in."""
        return httpx.Client(base_url=self.url, verify=False, trust_env=False, timeout=15,
                            **options)  # fmt: skip

    def service(self, **options) -> httpx.Client:
        """A client of the service's socket itself, as a process on the host would be."""
        transport = httpx.HTTPTransport(uds=str(self.socket))
        return httpx.Client(base_url="http://kurier", transport=transport, trust_env=False,
                            timeout=15, **options)  # fmt: skip

    @contextlib.contextmanager
    def signed_in(self, account: str) -> Iterator[httpx.Client]:
        """A client of the front with `account`'s session."""
        with self.client() as client:
            sign_in(client, account)
            yield client


def sign_in(client: httpx.Client, account: str, start: str = "/") -> None:
    """Sign `client` in at the front as `account` through the provider's form."""
    response = client.get(start)
    assert response.status_code == 302, response.text[:500]
    authorize = response.headers["location"]
    assert "/oauth2/authorize" in authorize, authorize
    with httpx.Client(trust_env=False, timeout=15) as provider:
        form = provider.get(authorize)
        assert form.status_code == 200 and f'value="{account}"' in form.text, form.text[:500]
        answer = provider.post(authorize, data={"sub": account})
    assert answer.status_code in (302, 303), answer.text[:500]
    callback = answer.headers["location"]
    assert callback.startswith(str(client.base_url)), callback
    response = client.get(callback)
    while response.status_code in (301, 302, 303) and response.headers["location"].startswith(
        str(client.base_url)
    ):
        response = client.get(urljoin(str(client.base_url), response.headers["location"]))
    assert response.status_code == 200, (response.status_code, response.text[:500])


def json_lines(path: Path) -> list[dict]:
    """The JSON objects of a log, one per line; other lines (a banner) left out."""
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if re.match(r"\s*\{", line):
            found.append(json.loads(line))
    return found
