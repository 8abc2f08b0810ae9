"""Who is at the other end of a connection: an IP address, or the service's unix socket.

COMMENTS_TRUSTED_PROXIES and COMMENTS_METRICS_ALLOW list IP networks and,
for connections over the unix socket (`serve --uds`), the word `unix`:
such a connection has no address, so no network can name it, and it is
admitted only where that word says so.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from starlette.types import Scope

UNIX = "unix"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def over_unix_socket(scope: Scope) -> bool:
    """Whether the request came over a unix socket: uvicorn gives it no client
    address, and the socket's path (with no port) as the server."""
    if scope.get("client") is not None:
        return False
    server = scope.get("server")
    return server is not None and server[1] is None


def peer_name(scope: Scope) -> str:
    """The connection's peer: its IP address, `unix` over the socket, else `unknown`."""
    client = scope.get("client")
    if client is not None:
        return str(client[0])
    return UNIX if over_unix_socket(scope) else "unknown"


@dataclass(frozen=True)
class Peers:
    """IP networks, and whether connections over the unix socket belong too."""

    networks: tuple[Network, ...] = ()
    unix: bool = False

    @classmethod
    def parse(cls, value: str) -> Peers:
        """Comma-separated networks and the word `unix`; ValueError names a bad item."""
        networks: list[Network] = []
        unix = False
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            if item.lower() == UNIX:
                unix = True
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(item) from None
        return cls(tuple(networks), unix)

    def admit(self, scope: Scope) -> bool:
        """Whether the connection of `scope` comes from one of these peers."""
        client = scope.get("client")
        if client is None:
            return self.unix and over_unix_socket(scope)
        return self.holds(str(client[0]))

    def holds(self, host: str) -> bool:
        """Whether `host` (an address as text) lies in one of the networks."""
        return _holds(self.networks, host)

    def __str__(self) -> str:
        return ",".join([*map(str, self.networks), *([UNIX] if self.unix else [])])


@lru_cache(maxsize=1024)
def _holds(networks: tuple[Network, ...], host: str) -> bool:
    # Parsing an address costs more than the lookup: a proxy's few addresses are kept.
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)
