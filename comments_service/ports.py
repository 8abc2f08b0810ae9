"""Is a TCP port free on this machine? Standard library only: `make run` asks before
anything is installed or built.

    python3 -m comments_service.ports 8000   # exit 0 if free; else a hint and exit 1
"""

from __future__ import annotations

import errno
import socket
import sys

HOST = "127.0.0.1"
ALTERNATIVES = (8080, 8081, 8088, 8888, 8001, 8002, 8003, 8004, 8005)


def is_free(port: int, host: str = HOST) -> bool:
    """Whether a server could listen on host:port now (as uvicorn does, SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_alternative(busy: int) -> int:
    """A port to suggest instead of `busy`: a familiar one if free, else any free one."""
    for port in ALTERNATIVES:
        if port != busy and is_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        free: int = probe.getsockname()[1]
        return free


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isascii() or not argv[0].isdigit():
        print("usage: python3 -m comments_service.ports PORT", file=sys.stderr)
        return 2
    port = int(argv[0])
    if is_free(port):
        return 0
    print(f"make run: port {port} is in use — try `PORT={free_alternative(port)} make run`")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
