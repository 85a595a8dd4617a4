"""The fake's imaginary France: who each provider knows, their address, whether it bounces, their
phone. Every fact is a stable hash of its inputs, so two runs (and two providers) agree, and a
benchmark can count exactly how many people a waterfall should find."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from waterfall.providers.names import NameParts, slug
from waterfall.providers.phones import guess_type, to_e164

# Per-domain address shape: (name, share, regex a verifier accepts)
SHAPES = (("first.last", 0.7), ("f.last", 0.2), ("firstlast", 0.1))
_SHAPE_RE = {
    "first.last": r"[a-z0-9-]{3,}\.[a-z0-9-]{2,}",
    "f.last": r"[a-z]{1,2}\.[a-z0-9-]{2,}",
    "firstlast": r"[a-z0-9]{6,}",
}


@dataclass(frozen=True)
class Careers:
    """Who moves (doc §7.11): a share of people leave for another company, a share are promoted in
    place, a share take an additional role (two current employers, no departure), each on a date
    in [changes_from, changes_until]; vendors answer the new employer only from that date on
    (`today`, default the real day). `employers`: (company name, city) the movers join, else
    invented names. All zero by default: enrichment answers stay what they always were.

    `held_title` is everyone's title before a change, the one the lead list or the CRM holds:
    every stand-in answers it for a person whose title did not change (and lists it as the ended
    role of a promotion), so a re-check that holds the same title sees no change where none
    happened. `spellings`: (vendor, how that vendor writes `held_title`), since real vendors reword
    a title ("Gérant" as "GERANT", "Managing Director"); a vendor not listed writes it as is."""

    move_rate: float = 0.0
    promotion_rate: float = 0.0
    side_role_rate: float = 0.0
    changes_from: date = date(2025, 1, 1)
    changes_until: date = date(2026, 6, 30)
    employers: tuple[tuple[str, str], ...] = ()
    today: date | None = None
    titles: tuple[str, ...] = ("Directeur commercial", "Directrice administrative et financière", "DRH",
                               "Directeur des systèmes d'information", "Directrice marketing")  # fmt: skip
    held_title: str = "Responsable"
    spellings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Career:
    """What happened to the holder of one address: kind 'moved' | 'promoted' | 'side_role' on `on`."""

    kind: str
    on: date
    company_name: str | None = None  # the new (or additional) employer
    city: str | None = None
    domain: str | None = None
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class World:
    def __init__(
        self,
        seed: str,
        catch_all_rate: float,
        invalid_rate: float,
        forgotten_rate: float,
        careers: Careers | None = None,
    ) -> None:
        self.seed = seed
        self.catch_all_rate, self.invalid_rate, self.forgotten_rate = catch_all_rate, invalid_rate, forgotten_rate
        self.careers = careers or Careers()

    def career(self, email: str) -> Career | None:
        """The change the holder of `email` (their address at the employer we hold) went through,
        if it has happened by `careers.today`; None: same job, same title."""
        c, key = self.careers, email.lower()
        x = self.h("career", key)
        if x >= c.move_rate + c.promotion_rate + c.side_role_rate:
            return None
        span = (c.changes_until - c.changes_from).days
        on = c.changes_from + timedelta(days=int(self.h("career_date", key) * (span + 1)))
        if on > (c.today or date.today()):
            return None
        title = c.titles[int(self.h("career_title", key) * len(c.titles))]
        if c.promotion_rate and c.move_rate <= x < c.move_rate + c.promotion_rate:
            return Career("promoted", on, title=title)
        if c.employers:
            name, city = c.employers[int(self.h("career_employer", key) * len(c.employers))]
        else:
            name = f"{LAST_NAMES[int(self.h('career_name', key) * len(LAST_NAMES))].title()} Conseil"
            city = "Lyon"
        kind = "moved" if x < c.move_rate else "side_role"
        return Career(kind, on, name, city, self.company_domain(name), title)

    def held_title(self, vendor: str) -> str:
        """The title a person whose title did not change holds, as `vendor` writes it."""
        return dict(self.careers.spellings).get(vendor, self.careers.held_title)

    def h(self, *parts: object) -> float:
        """Uniform in [0, 1), stable across runs and machines."""
        digest = hashlib.sha256("\x1f".join([self.seed, *map(str, parts)]).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    @staticmethod
    def person_key(first: str, last: str, domain: str) -> str:
        return f"{NameParts.parse(first).compact}|{NameParts.parse(last).compact}|{domain.lower()}"

    @staticmethod
    def company_domain(company_name: str) -> str:
        return f"{slug(company_name)}.fr"

    def knows(self, provider: str, first: str, last: str, domain: str, rate: float) -> bool:
        return self.h(provider, "knows", self.person_key(first, last, domain)) < rate

    def knows_domain(self, provider: str, company_name: str, rate: float) -> bool:
        return self.h(provider, "domain", slug(company_name)) < rate

    def forgotten(self, first: str, last: str, domain: str) -> bool:
        return self.h("forgotten", self.person_key(first, last, domain)) < self.forgotten_rate

    def has_phone(self, provider: str, first: str, last: str, domain: str, rate: float) -> bool:
        return self.h(provider, "phone", self.person_key(first, last, domain)) < rate

    def shape(self, domain: str) -> str:
        x, acc = self.h("shape", domain.lower()), 0.0
        for name, share in SHAPES:
            acc += share
            if x < acc:
                return name
        return SHAPES[0][0]

    def email_of(self, first: str, last: str, domain: str) -> str:
        g, n = NameParts.parse(first), NameParts.parse(last)
        local = {
            "first.last": f"{g.joined}.{n.joined}",
            "f.last": f"{g.initials}.{n.joined}",
            "firstlast": f"{g.compact}{n.compact}",
        }[self.shape(domain)]
        return f"{local}@{domain.lower()}"

    def catch_all(self, domain: str) -> bool:
        return self.h("catch_all", domain.lower()) < self.catch_all_rate

    def email_status(self, email: str) -> str:
        """'valid', 'catch_all' or 'invalid' for an address a provider found."""
        domain = email.rpartition("@")[2]
        if self.catch_all(domain):
            return "catch_all"
        return "invalid" if self.h("bounce", email.lower()) < self.invalid_rate else "valid"

    def verify(self, email: str) -> str:
        """What an SMTP check would say about any address (the verifier does not know names:
        an address is deliverable when it has the domain's shape)."""
        local, _, domain = email.lower().partition("@")
        if not local or "." not in domain:
            return "invalid"
        if self.catch_all(domain):
            return "catch_all"
        if not re.fullmatch(_SHAPE_RE[self.shape(domain)], local):
            return "invalid"
        moved = self.career(email)
        if moved is not None and moved.kind == "moved":  # the mailbox is removed after a departure (§7.9)
            return "invalid"
        return self.email_status(email)

    def phone_of(self, first: str, last: str, domain: str) -> tuple[str, str]:
        """(national French number '06 12 34 56 78', 'mobile'|'direct'), stable per person."""
        key = self.person_key(first, last, domain)
        mobile = self.h("phone_kind", key) < 0.6
        prefix = (
            ("06", "07")[int(self.h("mobile_prefix", key) * 2)] if mobile else f"0{1 + int(self.h('area', key) * 5)}"
        )
        kind = "mobile" if mobile else "direct"
        for attempt in range(100):  # only allocated ranges, so every adapter can type the number
            number = prefix + f"{int(self.h('digits', key, attempt) * 10**8):08d}"
            if guess_type(to_e164(number) or "") == kind:
                break
        return " ".join(number[i : i + 2] for i in range(0, 10, 2)), kind


def international(national: str) -> str:
    """'06 12 34 56 78' → '+33 6 12 34 56 78' (the display FullEnrich and Lusha use)."""
    return "+33 " + national[1:]


# -- the people of each company (the people search, doc §8) ------------------------------------------
FIRST_NAMES = (
    "Camille", "Nicolas", "Julie", "Thomas", "Claire", "Antoine", "Sophie", "Julien", "Émilie", "Mathieu",
    "Laura", "Romain", "Céline", "Guillaume", "Aurélie", "Maxime", "Élodie", "Pierre", "Manon", "Hugo",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
)  # fmt: skip
STAFF_FUNCTIONS = ("general_management", "finance", "hr", "sales", "marketing", "it", "purchasing", "operations")
HEAD_RATE = {"general_management": 0.9}  # else STAFF_HEAD_RATE
STAFF_HEAD_RATE, STAFF_MANAGER_RATE = 0.55, 0.4


@dataclass(frozen=True)
class StaffMember:
    """One person of the imaginary company: names, a real-world title, and the truth behind it."""

    index: int
    first_name: str
    last_name: str
    title: str
    function: str
    seniority: str  # head | manager


def staff(world: World, domain: str) -> list[StaffMember]:
    """Who works at `domain`, stable per domain: per function a head (most companies) and
    sometimes a manager, titled as French and English company pages title them."""
    from firmo.personas import SEARCH_TITLES

    domain = domain.lower()
    people: list[StaffMember] = []
    for function in STAFF_FUNCTIONS:
        for seniority, rate in (("head", HEAD_RATE.get(function, STAFF_HEAD_RATE)), ("manager", STAFF_MANAGER_RATE)):
            if world.h("staff", domain, function, seniority) >= rate:
                continue
            titles = SEARCH_TITLES[function][seniority]

            def pick(what: str, options: tuple[str, ...], key: tuple[str, str] = (function, seniority)) -> str:
                return options[int(world.h(what, domain, *key) * len(options))]

            people.append(
                StaffMember(
                    len(people),
                    pick("first", FIRST_NAMES),
                    pick("last", LAST_NAMES).upper(),
                    pick("title", titles),
                    function,
                    seniority,
                )
            )
    return people
