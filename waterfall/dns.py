"""Does a company's domain receive mail? One MX lookup per domain before any paid email question.

A domain with no MX record (or NXDOMAIN, or the RFC 7505 "null MX" `0 .`) cannot hold a work
address, so every finder asked about it would be paid (or at best free) for nothing, and a guessed
address would bounce. The engine asks `MxResolver.check` once a domain is known and skips the
email and verify chains when it says no, with the reason in the lead's `enrichment_reason` and a
`mx` row in `waterfall.provenance`.

The resolver is a real DNS client (dnspython's asyncio resolver over UDP, falling back to TCP on a
truncated answer) talking to `FIRMO_DNS_RESOLVER` (`host:port`), or to the system's resolvers
(`/etc/resolv.conf`) when it is empty; tests and the demo point it at `waterfall.fake.dns`, a DNS
server on loopback. Answers are cached for their TTL (NXDOMAIN and "no MX" for the zone's negative
TTL, RFC 2308), so a domain is asked once per run however many leads share it, and concurrent
questions about one domain share one lookup. A lookup that fails (timeout, SERVFAIL) is not
cached and says "unknown": the engine then does not pay for the email either, but marks the field
as not re-checked so an earlier value is kept (waterfall.enrich).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

DEFAULT_NEGATIVE_TTL = 300.0  # seconds, when the answer carries no SOA to take it from
DEFAULT_TIMEOUT = 3.0


@dataclass(frozen=True)
class MxCheck:
    """What DNS says about one domain's mail. `accepts` None: the lookup failed (unknown)."""

    domain: str
    hosts: tuple[str, ...]  # "10 mx1.acme.fr", by preference
    accepts: bool | None
    reason: str | None  # why it does not (or why we could not tell); None when it accepts mail
    ttl: float

    @property
    def value(self) -> str | None:
        return ", ".join(self.hosts) or None


def parse_nameserver(setting: str) -> tuple[str, int] | None:
    """'127.0.0.1:5353' -> ('127.0.0.1', 5353); '9.9.9.9' -> port 53; '[::1]:53' for IPv6; '' -> None."""
    text = (setting or "").strip()
    if not text:
        return None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"DNS resolver {setting!r}: expected host[:port]")
    return host, int(port)


def _negative_ttl(exc: dns.resolver.NXDOMAIN | dns.resolver.NoAnswer) -> float:
    """RFC 2308: the SOA's minimum (capped by its TTL) from the authority section, if present."""
    try:
        responses = exc.responses() if isinstance(exc, dns.resolver.NXDOMAIN) else [exc.kwargs.get("response")]
    except (AttributeError, KeyError):
        responses = []
    for response in responses.values() if isinstance(responses, dict) else responses:
        for rrset in getattr(response, "authority", []) or []:
            if rrset.rdtype == dns.rdatatype.SOA:
                return float(min(rrset.ttl, rrset[0].minimum))
    return DEFAULT_NEGATIVE_TTL


class MxResolver:
    """MX lookups with a TTL cache. `nameserver` ('host:port') or the system resolver."""

    def __init__(
        self,
        nameserver: str = "",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        where = parse_nameserver(nameserver)
        if where is None:
            self._resolver = dns.asyncresolver.Resolver()  # /etc/resolv.conf
        else:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            self._resolver.nameservers = [where[0]]
            self._resolver.port = where[1]
        self._resolver.lifetime = timeout
        self._resolver.timeout = timeout
        self.nameserver = nameserver
        self._clock = clock
        self._cache: dict[str, tuple[float, MxCheck]] = {}
        self._inflight: dict[str, asyncio.Future[MxCheck]] = {}
        self.lookups = 0  # queries sent (what the cache saves)

    async def check(self, domain: str) -> MxCheck:
        name = domain.strip().lower().rstrip(".")
        cached = self._cache.get(name)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        pending = self._inflight.get(name)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[MxCheck] = asyncio.get_running_loop().create_future()
        self._inflight[name] = future
        try:
            result = await self._lookup(name)
            if result.accepts is not None:
                self._cache[name] = (self._clock() + result.ttl, result)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waits
            raise
        finally:
            del self._inflight[name]

    async def _lookup(self, name: str) -> MxCheck:
        self.lookups += 1
        try:
            answer = await self._resolver.resolve(name, "MX", search=False)
        except dns.resolver.NXDOMAIN as exc:
            return MxCheck(name, (), False, "domain does not exist (NXDOMAIN)", _negative_ttl(exc))
        except dns.resolver.NoAnswer as exc:
            return MxCheck(name, (), False, "no MX record", _negative_ttl(exc))
        except dns.resolver.NoNameservers:
            return MxCheck(name, (), None, "MX lookup failed (SERVFAIL)", 0.0)
        except dns.exception.Timeout:
            return MxCheck(name, (), None, "MX lookup failed (timeout)", 0.0)
        except dns.exception.DNSException as exc:
            return MxCheck(name, (), None, f"MX lookup failed ({type(exc).__name__})", 0.0)
        records = sorted((r.preference, r.exchange.to_text(omit_final_dot=True)) for r in answer)
        ttl = float(answer.rrset.ttl) if answer.rrset is not None else DEFAULT_NEGATIVE_TTL
        if all(host in ("", ".") for _, host in records):  # RFC 7505 null MX: `0 .`
            return MxCheck(name, (), False, "null MX: the domain accepts no mail", ttl)
        hosts = tuple(f"{pref} {host}" for pref, host in records if host not in ("", "."))
        return MxCheck(name, hosts, True, None, ttl)
