"""Which addresses a fetch may connect to, checked where connections are made.

People paste URLs; a URL can name, or redirect to, a host on our own network or a
cloud metadata service. Every TCP connection the fetcher opens is checked in the
connection layer itself, through the public hooks each HTTP library offers:

- on aiohttp (the default): :class:`GuardedResolver` resolves the host and refuses it
  unless every address is public (or explicitly allowed), handing the connector only the
  addresses it checked, so a second DNS answer cannot slip past; and
  :func:`guarded_socket`, the connector's socket factory, checks the very address each
  socket is about to connect to (a literal IP in a URL never meets a resolver);
- on httpx's own transport: :class:`~factcheck.web.httpcore_guard.GuardedBackend`,
  httpcore's network backend, does both at ``connect_tcp``.

Redirect hops open their own connections and are checked alike. TLS still verifies the
host name (SNI).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import aiohttp.abc
import httpx
from httpx_aiohttp import AiohttpTransport

from factcheck.errors import (
    AddressRefused,
    NameNotFound,
    NameResolutionFailed,
)

__all__ = ["AddressPolicy", "GuardedResolver", "guarded_aiohttp_transport", "guarded_socket",
           "resolve", "tls_context"]


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


#: getaddrinfo's "no such name" answers (NXDOMAIN, or a name with no address), as
#: opposed to a resolver that did not answer (EAI_AGAIN, EAI_FAIL).
_NO_SUCH_NAME = frozenset(code for code in (getattr(socket, "EAI_NONAME", None),
                                            getattr(socket, "EAI_NODATA", None))
                          if code is not None)
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")
#: Prefixes whose last 32 bits are an IPv4 address: NAT64 (RFC 6052 and RFC 8215)
#: and the deprecated IPv4-compatible form (RFC 4291).
_IPV4_IN_LOW_BITS = (ipaddress.IPv6Network("64:ff9b::/96"),
                     ipaddress.IPv6Network("64:ff9b:1::/48"),
                     ipaddress.IPv6Network("::/96"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if any: mapped, 6to4, Teredo,
    NAT64 or IPv4-compatible."""
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if any(address in net for net in _IPV4_IN_LOW_BITS) and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses only, unless ``allow_private`` or the address is in ``allowed``.

    Not public: private ranges, loopback, link-local (which holds the cloud metadata
    service at 169.254.169.254), carrier-grade NAT, multicast, reserved and
    unspecified addresses, IPv6 site-local, and IPv6 addresses that map or embed any
    of those (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64).
    """

    allow_private: bool = False
    allowed: tuple[Network, ...] = field(default=())

    @classmethod
    def allowing(cls, *networks: str) -> AddressPolicy:
        """A policy that allows these networks (e.g. ``"127.0.0.1/32"``) and no other."""
        return cls(allowed=tuple(ipaddress.ip_network(n) for n in networks))

    def permits(self, address: IPAddress) -> bool:
        if self.allow_private or any(address in net for net in self.allowed
                                     if net.version == address.version):
            return True
        if isinstance(address, ipaddress.IPv6Address):
            if address in _SITE_LOCAL:  # deprecated, but still routed on some networks
                return False
            embedded = embedded_ipv4(address)
            if embedded is not None and not self.permits(embedded):
                return False
        return address.is_global and not address.is_multicast

    def check(self, host: str, addresses: Iterable[str]) -> list[str]:
        """The addresses, if every one is permitted; else :class:`AddressRefused`."""
        checked = list(dict.fromkeys(addresses))
        for text in checked:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.permits(address):
                raise AddressRefused(
                    f"{host} resolves to {address}, which is not a public address; "
                    "refused (allow it with --allow-private)")
        return checked


async def resolve(host: str, port: int) -> list[str]:
    """The IP addresses of ``host``; :class:`NameResolutionFailed` when there are none."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_NAME:
            raise NameNotFound(f"{host} does not exist (the resolver says: {exc.strerror})"
                               ) from exc
        raise NameResolutionFailed(f"cannot resolve {host}: {exc}") from exc
    except UnicodeError as exc:
        raise NameResolutionFailed(f"cannot resolve {host}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every fetch verifies with: the system's CA store, loaded once per
    process (loading it costs about 15 ms of CPU; it was once per host's transport)."""
    return httpx.create_ssl_context(trust_env=False)


# -- aiohttp: the same policy at its resolver and at every socket it opens -------------

class GuardedResolver(aiohttp.abc.AbstractResolver):
    """aiohttp's resolver with the address policy: a host is refused unless every one of
    its addresses is permitted, and the connector is given only the addresses checked."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET
                      ) -> list[aiohttp.abc.ResolveResult]:
        addresses = self.policy.check(host, await resolve(host, port))
        return [{"hostname": host, "host": address, "port": port,
                 "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV}
                for address in addresses]

    async def close(self) -> None:
        return None


def guarded_socket(policy: AddressPolicy) -> Callable[[Any], socket.socket]:
    """aiohttp's socket factory with the address policy: called for every address the
    connector is about to connect to (a literal IP in the URL never meets the resolver;
    it meets this)."""

    def open_socket(addr_info: Any) -> socket.socket:
        family, kind, proto, _, address = addr_info
        policy.check(str(address[0]), [str(address[0])])
        return socket.socket(family=family, type=kind, proto=proto)
    return open_socket


def guarded_aiohttp_transport(policy: AddressPolicy, limits: httpx.Limits,
                              ssl_context: ssl.SSLContext | None = None) -> AiohttpTransport:
    """An httpx transport on aiohttp's connection machinery, every connection passing
    ``policy``; bodies come as sent (no decompression), no cookies are kept, proxies and
    the environment are ignored."""
    ssl_context = ssl_context or tls_context()
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(policy), socket_factory=guarded_socket(policy),
        use_dns_cache=False, ssl=ssl_context, limit=limits.max_connections or 0,
        limit_per_host=0, keepalive_timeout=limits.keepalive_expiry or 5.0)
    session = aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                    cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)
    # The context given, not a new one: loading the CA store costs ~45 ms each time.
    return AiohttpTransport(verify=ssl_context, trust_env=False, client=session)
