"""HTTP load with wrk: keep-alive connections, a fixed duration, per-request latency.

wrk (C, one thread here) leaves the second core of a small machine to the
server, where a Python load generator would compete with it for the CPU.
The requests are written out in full by Python and replayed in turn from a
generated Lua script; wrk's `done` hook prints the summary for us to parse.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

WRK = "wrk"
TIMEOUT = "30s"
_MARK = "KURIER-WRK"

_DONE = f"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("{_MARK} %d %d %d %d %d %d %d %d %.1f %.1f %.1f %.1f\\n",
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50.0), latency:percentile(99.0), latency.mean, latency.max))
end
"""


@dataclass(frozen=True)
class Request:
    """One HTTP/1.1 request to replay; Host and Content-Length are added."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def raw(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass(frozen=True)
class Result:
    """One measured point: throughput and latency at a number of connections."""

    connections: int
    seconds: float
    requests: int
    bytes: int
    errors: int  # socket errors, timeouts and statuses ≥ 400
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def bytes_per_request(self) -> float:
        return self.bytes / self.requests if self.requests else 0.0


def available() -> bool:
    return shutil.which(WRK) is not None


def version() -> str:
    result = subprocess.run([WRK, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _lua_string(data: bytes) -> str:
    """`data` as a Lua string literal (decimal escapes for anything unusual)."""
    safe = (
        chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}" for byte in data
    )
    return '"' + "".join(safe) + '"'


def script(requests: Sequence[Request], host: str) -> str:
    """A wrk script that sends `requests` in turn on every connection."""
    if not requests:
        raise ValueError("no requests to send")
    items = ",\n".join(_lua_string(request.raw(host)) for request in requests)
    return (
        f"local requests = {{\n{items}\n}}\n"
        "local count, i = #requests, 0\n"
        "request = function()\n"
        "  i = i % count + 1\n"
        "  return requests[i]\n"
        "end\n" + _DONE
    )


def _parse(output: str, connections: int) -> Result:
    for line in output.splitlines():
        if line.startswith(_MARK):
            values = line.split()[1:]
            duration, requests, size, *errors = (int(v) for v in values[:8])
            p50, p99, mean, worst = (float(v) / 1000 for v in values[8:])
            return Result(
                connections=connections,
                seconds=duration / 1e6,
                requests=requests,
                bytes=size,
                errors=sum(errors),
                p50_ms=p50,
                p99_ms=p99,
                mean_ms=mean,
                max_ms=worst,
            )
    raise RuntimeError(f"wrk printed no result:\n{output}")


def measure(port: int, requests: Sequence[Request], connections: int, seconds: int) -> Result:
    """Run wrk against 127.0.0.1:`port` for `seconds` with `connections`."""
    host = f"127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="kurier-wrk-") as folder:
        lua = Path(folder) / "requests.lua"
        lua.write_text(script(requests, host), encoding="ascii")
        command = [
            WRK, "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={TIMEOUT}",
            "-s", str(lua), f"http://{host}/",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return _parse(done.stdout, connections)
