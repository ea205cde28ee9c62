"""Per-client rate limits on the doors an attacker knocks at: sign-in, sign-up, accepting an invitation.

A handler opts in with ``opt={**public(), **limited(SIGN_IN)}``; one middleware counts each client's requests to
the handlers of a bucket in a fixed window (Redis when configured, so every process shares the count; else this
process's memory) and answers 429 problem+json with ``Retry-After`` once the bucket is full.

The client is the socket peer, unless that peer is one of the configured trusted proxies (``trusted_proxies``,
CIDRs): then ``X-Forwarded-For`` is read from the right, skipping trusted proxies, and the first address that is
not one is the client. A peer that is not trusted cannot choose its identity by sending that header.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Receive, Scope, Send

from market.settings import Settings

OPT_KEY = "rate_limit"
SIGN_IN = "sign_in"
SIGN_UP = "sign_up"
INVITATION = "invitation"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def limited(bucket: str) -> dict[str, Any]:
    """A handler's ``opt`` entry putting it under the rate limit of ``bucket``."""
    return {OPT_KEY: bucket}


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in net for net in trusted if address.version == net.version)


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address as this deployment can know it (see the module's docstring)."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    hop = _address(peer)
    if not _trusted(hop, trusted):
        return peer
    forwarded: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded.extend(part.strip() for part in value.decode("latin-1").split(","))
    for text in reversed([f for f in forwarded if f]):
        address = _address(text)
        if address is None:
            break  # garbage left of the last trusted hop: the client is what that hop saw
        if not _trusted(address, trusted):
            return str(address)
        hop = address
    return str(hop)


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one request under ``key``; the count in the current window and the seconds left in it."""
        ...

    async def close(self) -> None: ...


@dataclass
class MemoryCounter:
    """This process's fixed windows (the embedded default, and tests)."""

    windows: dict[str, tuple[int, float]] = field(default_factory=dict)

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        count, ends = self.windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window
            if len(self.windows) > 100_000:  # forget finished windows rather than grow without bound
                self.windows = {k: v for k, v in self.windows.items() if v[1] > now}
        self.windows[key] = (count + 1, ends)
        return count + 1, max(1, int(ends - now + 0.999))

    async def close(self) -> None:
        return None


class RedisCounter:
    """Fixed windows in Redis, shared by every process: the window starts with the first request (SET NX EX),
    the count is an atomic INCR."""

    def __init__(self, url: str, prefix: str = "market:rate:") -> None:
        self.redis = aioredis.Redis.from_url(url)
        self.prefix = prefix

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=window, nx=True)
            pipe.incr(name)
            pipe.ttl(name)
            _, count, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def close(self) -> None:
        await self.redis.aclose()


@dataclass
class RateLimits:
    """The buckets' limits (requests, window in seconds), where they are counted, and whom to believe."""

    buckets: dict[str, tuple[int, int]]
    counter: Counter
    trusted: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        counter: Counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
        return cls(
            buckets={
                SIGN_IN: (settings.sign_in_rate_per_minute, 60),
                SIGN_UP: (settings.sign_up_rate_per_hour, 3600),
                INVITATION: (settings.invitation_rate_per_minute, 60),
            },
            counter=counter,
            trusted=parse_networks(settings.trusted_proxies),
        )

    async def check(self, bucket: str, scope: Scope) -> None:
        """Count the request; 429 with Retry-After when the client's bucket is full."""
        limit, window = self.buckets[bucket]
        count, left = await self.counter.hit(f"{bucket}:{client_address(scope, self.trusted)}", window)
        if count > limit:
            raise TooManyRequestsException(headers={"Retry-After": str(left)})


class RateLimitMiddleware:
    """Counts requests to the handlers that declared a bucket (``limited``)."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler") if scope["type"] == ScopeType.HTTP else None
        bucket = handler.opt.get(OPT_KEY) if handler is not None else None
        if isinstance(bucket, str):
            await self.limits.check(bucket, scope)
        await self.app(scope, receive, send)
