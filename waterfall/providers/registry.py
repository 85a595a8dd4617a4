"""Which providers exist, where their key lives (`FIRMO_<NAME>_API_KEY`) and how to build one.

A provider whose key is not set is skipped with a log line, never an error: a run with only a
Hunter key simply has a shorter waterfall.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import httpx

from waterfall.providers.apollo import ApolloProvider
from waterfall.providers.base import Field, Provider
from waterfall.providers.datagma import DatagmaProvider
from waterfall.providers.dropcontact import DropcontactProvider
from waterfall.providers.enrow import EnrowProvider
from waterfall.providers.findymail import FindymailProvider
from waterfall.providers.fullenrich import FullEnrichProvider
from waterfall.providers.hunter import HunterProvider
from waterfall.providers.icypeas import IcypeasProvider
from waterfall.providers.kaspr import KasprProvider
from waterfall.providers.leadmagic import LeadMagicProvider
from waterfall.providers.lusha import LushaProvider
from waterfall.providers.pattern import PatternProvider
from waterfall.providers.pdl_enrich import PdlEnrichProvider
from waterfall.providers.prospeo import ProspeoProvider
from waterfall.providers.rocketreach import RocketReachProvider
from waterfall.providers.transport import AsyncJobProvider, HttpProvider

log = logging.getLogger(__name__)
NO_KEYS: Mapping[str, str] = MappingProxyType({})  # FIRMO_<NAME>_API_KEY -> key; the caller passes them
_POLL_ARGS = ("poll_interval", "poll_timeout")


@dataclass(frozen=True)
class ProviderSpec:
    cls: type
    key_env: str | None  # None: needs no account (pattern)
    default_base_url: str | None
    fields: frozenset[Field]
    pricing: str
    is_async: bool = False  # submit + poll: accepts poll_interval / poll_timeout
    returns_employer: bool = False  # answers "where does this person work now?" (re-checks, doc §7)


def _spec(cls: type[HttpProvider], pricing: str) -> ProviderSpec:
    return ProviderSpec(
        cls,
        f"FIRMO_{cls.name.upper()}_API_KEY",
        cls.default_base_url,
        cls.fields,
        pricing,
        issubclass(cls, AsyncJobProvider),
        getattr(cls, "returns_employer", False),  # waterfall.providers.employment.EmployerCheck
    )


PROVIDERS: dict[str, ProviderSpec] = {
    "hunter": _spec(
        HunterProvider,
        "finder 1 credit per email found, 0 on a miss; verifier 0.5 (unified credits); domain search "
        "(domains and people) 1 per 1-10 emails",
    ),
    "dropcontact": _spec(
        DropcontactProvider,
        "1 credit per record with an email (debited at submit, refunded on a miss); 403 when credits are short",
    ),
    "apollo": _spec(
        ApolloProvider,
        "1 credit whenever a person matches, even a guessed/empty email; 0 when person is null; people "
        "search free, its reveal 1",
    ),
    "fullenrich": _spec(FullEnrichProvider, "work email 1, mobile 10, landline free; job cost.credits"),
    "lusha": _spec(
        LushaProvider,
        "email 1 + phone 5 when isCreditCharged, else 0; prospecting 1 per 25 results; re-check signals "
        "creditCharged (1 per matched signal, at least 1 a request)",
    ),
    "prospeo": _spec(ProspeoProvider, "1 per matched email, 10 with a mobile, 0 on NO_MATCH or free_enrichment"),
    "icypeas": _spec(IcypeasProvider, "1 per found email, 0 on a miss"),
    "enrow": _spec(EnrowProvider, "1 per found email (response credits_used)"),
    "findymail": _spec(FindymailProvider, "1 per found (always verified) email; verify 1 verifier credit"),
    "pdl": _spec(
        PdlEnrichProvider,
        "person search: 1 credit per record returned (size caps it), 0 on 404; person enrich (email, "
        "phone): 1 per match, 0 on 404",
    ),
    "kaspr": _spec(
        KasprProvider,
        "1 credit of the type returned (B2B email or phone; the types do not convert), 0 on an empty answer",
    ),
    "datagma": _spec(DatagmaProvider, "email 1 per SMTP-verified email, catch-all guess free; phone creditBurn (30)"),
    "leadmagic": _spec(LeadMagicProvider, "1 per found email (response credits_consumed), no match free"),
    "rocketreach": _spec(
        RocketReachProvider,
        "universal credits: professional email 2, phone 6, per reveal; re-check (detailed enrichment) 1",
    ),
    "pattern": ProviderSpec(
        PatternProvider,
        None,
        None,
        PatternProvider.fields,
        "free itself; costs the verifier's credits per candidate checked",
    ),
}
# The providers that need an account (a key): the one list of their names, which the resource
# holding the keys (assets/resources.py) and the demo's stand-in vendors (waterfall/fake) read.
KEYED_PROVIDERS: tuple[str, ...] = tuple(name for name, spec in PROVIDERS.items() if spec.key_env)


def build_provider(
    name: str, client: httpx.AsyncClient, env: Mapping[str, str] = NO_KEYS, base_url: str | None = None, **kw: Any
) -> Provider | None:
    """The adapter for `name` with its key from `env`, or None (logged) when the key is not set.

    `pattern` takes `verifier=` (a built Provider or None) and `max_candidates=` instead of a key.
    Poll arguments are dropped for synchronous providers so one call site can build them all.
    """
    try:
        spec = PROVIDERS[name]
    except KeyError:
        raise KeyError(f"unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}") from None
    if not spec.is_async:
        kw = {k: v for k, v in kw.items() if k not in _POLL_ARGS}
    if spec.key_env is None:
        kw.setdefault("verifier", None)
        return spec.cls(**kw)
    key = (env.get(spec.key_env) or "").strip()
    if not key:
        log.info("provider %s skipped: %s not set", name, spec.key_env)
        return None
    return spec.cls(client, key, base_url=base_url, **kw)
