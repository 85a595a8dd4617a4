"""How the fake providers behave: per-provider hit rates, latency, injected errors, rate limits and
credit balances, plus the accepted API keys. Plain dataclasses so a benchmark can tweak one field."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from waterfall.fake.world import Careers
from waterfall.providers.registry import KEYED_PROVIDERS

FAKE_PROVIDERS = KEYED_PROVIDERS  # a stand-in for every vendor with an account


@dataclass
class ProviderBehaviour:
    hit_rate: float = 0.5  # share of people this provider "knows" (stable hash, not random)
    phone_rate: float = 0.5  # share of known people it also has a phone for
    latency_ms: float = 0.0
    error_rate_429: float = 0.0  # injected rate-limit answers, in the provider's own dialect
    error_rate_5xx: float = 0.0  # injected 500s
    rate_limit_rps: float | None = None  # requests per second over a sliding 1 s window; None = unlimited
    credits: float | None = None  # starting balance; None = unlimited
    polls_until_ready: int = 1  # async providers: "not ready" answers before the result
    signals_plan: bool = True  # Lusha: the account is entitled to the (plan-gated) Signals API, else 403


def _all(**kw: object) -> dict[str, ProviderBehaviour]:
    return {name: ProviderBehaviour(**kw) for name in FAKE_PROVIDERS}  # type: ignore[arg-type]


@dataclass
class FakeConfig:
    providers: dict[str, ProviderBehaviour] = field(default_factory=_all)
    api_keys: dict[str, str] = field(default_factory=lambda: {n: f"fake-{n}-key" for n in FAKE_PROVIDERS})
    seed: str = "firmo"
    catch_all_rate: float = 0.15  # domains accepting every address
    invalid_rate: float = 0.08  # known addresses that bounce anyway
    forgotten_rate: float = 0.0  # people who asked for erasure (Hunter/Lusha answer 451)
    careers: Careers = field(default_factory=Careers)  # job changes after a date (re-checks, doc §7.11)

    def behaviour(self, provider: str) -> ProviderBehaviour:
        return self.providers.get(provider) or ProviderBehaviour()

    def env(self) -> dict[str, str]:
        """`FIRMO_<NAME>_API_KEY` variables matching the accepted keys, for `build_provider`."""
        return {f"FIRMO_{name.upper()}_API_KEY": key for name, key in self.api_keys.items()}

    def with_provider(self, provider: str, **changes: object) -> FakeConfig:
        """A copy with one provider's behaviour changed (tests, benchmarks)."""
        providers = dict(self.providers)
        providers[provider] = replace(self.behaviour(provider), **changes)  # type: ignore[arg-type]
        return replace(self, providers=providers)

    @classmethod
    def demo(cls) -> FakeConfig:
        """Plausible market figures: 30-60 % hit rates, 20 ms latency, rare 429s and 500s."""
        rates = {
            "hunter": 0.45,
            "dropcontact": 0.5,
            "apollo": 0.4,
            "fullenrich": 0.6,
            "lusha": 0.35,
            "prospeo": 0.45,
            "icypeas": 0.4,
            "enrow": 0.4,
            "findymail": 0.3,
            "pdl": 0.3,
            "kaspr": 0.35,
            "datagma": 0.3,
            "leadmagic": 0.35,
            "rocketreach": 0.4,
        }
        providers = {
            n: ProviderBehaviour(
                hit_rate=r,
                phone_rate=0.4,
                latency_ms=20,
                error_rate_429=0.02,
                error_rate_5xx=0.01,
                rate_limit_rps=50,
                credits=10_000,
                polls_until_ready=2,
            )
            for n, r in rates.items()
        }
        return cls(providers=providers, forgotten_rate=0.01)
