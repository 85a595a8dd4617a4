"""A stand-in DNS server on loopback (UDP, RFC 1035 wire format) answering MX questions from a table.

Not a mock: the resolver (`waterfall.dns.MxResolver`) sends real queries to a real socket and reads
real answers, so the wire format, TTLs, NXDOMAIN and "no data" (RFC 2308, with the zone's SOA in
the authority section) are exercised as against a real resolver.

The table maps a domain to its MX records `[(preference, host), ...]`: a domain in the table with
an empty list exists but has no MX (NOERROR, no answer), `[(0, ".")]` is a null MX (RFC 7505), a
domain not in the table is NXDOMAIN. `table` may also be a function (domain -> records or None),
which is how the demo derives every company's mail from the fake vendors' world (`world_table`).
`queries` counts what was asked, so a test can see that the resolver's cache spared a query.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Self

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from waterfall.fake.world import World

Records = Sequence[tuple[int, str]]
Table = Mapping[str, Records] | Callable[[str], Records | None]
MX_TTL = 3600
NEGATIVE_TTL = 900  # the SOA minimum: how long a resolver may remember "no such domain / no MX"


def world_table(seed: str, no_mx_rate: float = 0.1) -> Callable[[str], Records | None]:
    """Every domain of the fake vendors' world (seeded like it): most have `10 mx1.<domain>` and
    `20 mx2.<domain>`, a stable `no_mx_rate` share have none (a parked or web-only domain)."""
    world = World(seed, 0.0, 0.0, 0.0)

    def records(domain: str) -> Records | None:
        if world.h("mx", domain) < no_mx_rate:
            return []
        return [(10, f"mx1.{domain}"), (20, f"mx2.{domain}")]

    return records


class FakeDnsServer:
    """`with FakeDnsServer({"acme.fr": [(10, "mx.acme.fr")]}) as dns: dns.address` -> '127.0.0.1:PORT'."""

    def __init__(self, table: Table, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.table = table
        self.host, self.port = host, port
        self.queries: Counter[str] = Counter()  # "domain TYPE" -> times asked
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def address(self) -> str:
        """The `FIRMO_DNS_RESOLVER` value pointing at this server."""
        return f"{self.host}:{self.port}"

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((self.host, self.port))
        sock.settimeout(0.1)
        self._sock, self.port = sock, sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="firmo-fake-dns", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _records(self, domain: str) -> Records | None:
        if callable(self.table):
            return self.table(domain)
        return self.table.get(domain)

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                reply = self.answer(data)
            except Exception:  # noqa: BLE001 - a garbled datagram is dropped, as a real server does
                continue
            self._sock.sendto(reply, peer)

    def answer(self, wire: bytes) -> bytes:
        """The reply to one query datagram (also callable directly)."""
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        qname = question.name.to_text(omit_final_dot=True).lower()
        self.queries[f"{qname} {dns.rdatatype.to_text(question.rdtype)}"] += 1
        records = self._records(qname)
        if records is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.MX and records:
            rdatas = [f"{pref} {host if host == '.' else host + '.'}" for pref, host in records]
            response.answer.append(
                dns.rrset.from_text(question.name, MX_TTL, dns.rdataclass.IN, dns.rdatatype.MX, *rdatas)
            )
            return response.to_wire()
        zone = dns.name.from_text(".".join(qname.split(".")[-2:]) or ".")
        soa = f"ns.{zone} hostmaster.{zone} 1 3600 600 86400 {NEGATIVE_TTL}"
        response.authority.append(dns.rrset.from_text(zone, NEGATIVE_TTL, dns.rdataclass.IN, dns.rdatatype.SOA, soa))
        return response.to_wire()
