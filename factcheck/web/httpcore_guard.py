"""The address policy on httpx's own machinery: httpcore's network backend.

Loaded only when ``FetchSettings(http="httpx")`` is chosen (see :mod:`factcheck.web.safety`
for the policy and the aiohttp machinery's guard).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from factcheck.errors import AddressRefused, ConnectionFailed
from factcheck.web import safety
from factcheck.web.safety import AddressPolicy

__all__ = ["GuardedBackend", "guarded_transport"]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, with the address policy at ``connect_tcp``."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        addresses = self.policy.check(host, await safety.resolve(host, port))
        failure: Exception | None = None
        for address in addresses:  # one that times out or refuses: try the next
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                failure = exc
        if isinstance(failure, httpcore.ConnectTimeout):
            raise failure
        raise ConnectionFailed(f"cannot connect to {host}:{port}: {failure}") from failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are never sources")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy, limits: httpx.Limits,
                      ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection passes ``policy``; proxies are ignored.

    Without ``ssl_context``, the process's one :func:`~factcheck.web.safety.tls_context`.
    """
    ssl_context = ssl_context or safety.tls_context()
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False, verify=ssl_context)
    # httpx does not take a network backend, so its pool is rebuilt around ours with
    # the same settings. (A mocked transport in tests replaces the whole transport.)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(policy),
    )
    return transport
