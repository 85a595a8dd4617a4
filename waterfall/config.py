"""The waterfall's configuration: which providers to ask for each field and in what order, when
to stop, how much to spend, and how hard each provider may be pushed (rate, concurrency, timeout,
retries, circuit breaker, cache TTL).

It lives in YAML so an operator can reorder providers or cut a budget without touching code:
`default.yaml` ships with the package, `FIRMO_WATERFALL_CONFIG` (or an explicit path) points at
another file whose keys are merged over the defaults (lists replace, mappings merge), so a file
holding only `budget: {per_run: 200}` is a complete configuration. Mistakes (an unknown provider,
a provider asked for a field it cannot answer, a negative budget) fail at load time with the key
path in the message, never halfway through a paid run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pydantic
import yaml

from waterfall.providers.base import Field, Status

DEFAULT_PATH = Path(__file__).with_name("default.yaml")
ENV_VAR = "FIRMO_WATERFALL_CONFIG"


class ConfigError(ValueError):
    """A configuration file that cannot be used, with every problem listed."""


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class Retries(_Strict):
    attempts: int = pydantic.Field(3, ge=1, le=20)  # total tries, the first included
    backoff_s: float = pydantic.Field(0.5, ge=0)  # first wait; doubles each retry
    max_backoff_s: float = pydantic.Field(20.0, ge=0)
    max_retry_after_s: float = pydantic.Field(60.0, ge=0)  # a longer Retry-After is cut to this


class ProviderSettings(_Strict):
    concurrency: int = pydantic.Field(5, ge=1)
    rps: float | None = pydantic.Field(None, gt=0)
    rpm: float | None = pydantic.Field(None, gt=0)
    timeout_s: float = pydantic.Field(30.0, gt=0)
    retries: Retries = Retries()
    breaker_threshold: int = pydantic.Field(10, ge=1)
    max_credits: dict[Field, pydantic.NonNegativeFloat] = {}
    hit_ttl_days: float | None = pydantic.Field(None, gt=0)
    miss_ttl_days: float | None = pydantic.Field(None, gt=0)
    poll_interval_s: float = pydantic.Field(2.0, gt=0)  # async vendors: wait between result polls
    poll_timeout_s: float = pydantic.Field(120.0, gt=0)  # ...and give up (transient) after this

    def cost_ceiling(self, field: Field) -> float:
        """The most one question may cost (0 when the provider is free for that field)."""
        return self.max_credits.get(field, 0.0)


class StopRule(_Strict):
    stop_on: frozenset[Status] = frozenset({Status.VALID})
    fallback: frozenset[Status] = frozenset({Status.RISKY})
    verify: frozenset[Status] = frozenset({Status.RISKY})

    @pydantic.model_validator(mode="after")
    def _sane(self) -> StopRule:
        if Status.INVALID in self.stop_on | self.fallback:
            raise ValueError("an invalid answer can neither stop the chain nor be kept as fallback")
        if not self.stop_on:
            raise ValueError("stop_on needs at least one status")
        return self


class Budget(_Strict):
    per_lead: float | None = pydantic.Field(None, ge=0)
    per_run: float | None = pydantic.Field(None, ge=0)


class CacheTtl(_Strict):
    hit_ttl_days: float = pydantic.Field(90.0, gt=0)
    miss_ttl_days: float = pydantic.Field(14.0, gt=0)

    @pydantic.model_validator(mode="after")
    def _miss_shorter(self) -> CacheTtl:
        if self.miss_ttl_days > self.hit_ttl_days:
            raise ValueError("miss_ttl_days must not exceed hit_ttl_days")
        return self


class WaterfallConfig(_Strict):
    order: dict[Field, tuple[str, ...]]
    stop: StopRule = StopRule()
    # one chain's own stop rule over `stop` (e.g. email: stop at the first risky answer and keep it
    # unverified, which `firmo waterfall stats --suggest` may find cheapest on accept-all domains)
    field_stop: dict[Field, StopRule] = {}
    email_requires_domain: bool = True
    budget: Budget = Budget()
    lead_concurrency: int = pydantic.Field(64, ge=1)
    cache: CacheTtl = CacheTtl()
    defaults: ProviderSettings = ProviderSettings()
    providers: dict[str, ProviderSettings] = {}
    # the company-level waterfall (waterfall.company): fact -> vendors in order
    company: dict[str, tuple[str, ...]] = {}
    # verifiers of `order.verify` not asked about an address an earlier verifier (or the cache of the
    # chain's other verifiers) classed accept-all / catch-all: where the evidence says their answer
    # there never changes a verdict (`firmo waterfall stats --suggest`, waterfall/replay.py)
    verify_skip_on_accept_all: frozenset[str] = frozenset()

    @pydantic.model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: Any) -> Any:
        """Each provider's block is merged over `defaults`, so it lists only what differs."""
        if not isinstance(data, Mapping):
            return data
        defaults = data.get("defaults") or {}
        providers = data.get("providers") or {}
        if not isinstance(defaults, Mapping) or not isinstance(providers, Mapping):
            return data
        merged = {name: deep_merge(defaults, block or {}) for name, block in providers.items()}
        return {**data, "providers": merged}

    @pydantic.model_validator(mode="after")
    def _known_providers(self) -> WaterfallConfig:
        from waterfall.providers.registry import PROVIDERS  # lazy: adapters import httpx

        problems = [
            f"providers.{n}: unknown provider (known: {', '.join(sorted(PROVIDERS))})"
            for n in self.providers
            if n not in PROVIDERS
        ]
        for what, names in self.order.items():
            seen: set[str] = set()
            for name in names:
                if name not in PROVIDERS:
                    problems.append(f"order.{what}: unknown provider {name!r} (known: {', '.join(sorted(PROVIDERS))})")
                elif what not in PROVIDERS[name].fields:
                    problems.append(f"order.{what}: {name} cannot answer {what} questions")
                if name in seen:
                    problems.append(f"order.{what}: {name} listed twice")
                seen.add(name)
        problems += _company_problems(self.company)
        problems += [
            f"verify_skip_on_accept_all: {name!r} is not in order.verify"
            for name in sorted(self.verify_skip_on_accept_all)
            if name not in self.chain(Field.VERIFY)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def company_chain(self, fact: str) -> tuple[str, ...]:
        return self.company.get(fact, ())

    def chain(self, field: Field) -> tuple[str, ...]:
        return self.order.get(field, ())

    def stop_rule(self, field: Field) -> StopRule:
        """The stop rule of `field`'s chain: its own under `field_stop`, else `stop`."""
        return self.field_stop.get(field, self.stop)

    def provider(self, name: str) -> ProviderSettings:
        return self.providers.get(name) or self.defaults

    def ttl(self, provider: str, hit: bool) -> timedelta:
        settings = self.provider(provider)
        days = settings.hit_ttl_days if hit else settings.miss_ttl_days
        if days is None:
            days = self.cache.hit_ttl_days if hit else self.cache.miss_ttl_days
        return timedelta(days=days)


def _company_problems(company: Mapping[str, tuple[str, ...]]) -> list[str]:
    from waterfall.providers.company import COMPANY_ADAPTERS, FACTS  # lazy: adapters import httpx

    problems = []
    for fact, names in company.items():
        if fact not in FACTS:
            problems.append(f"company.{fact}: unknown company fact (known: {', '.join(FACTS)})")
            continue
        for name in names:
            adapter = COMPANY_ADAPTERS.get(name)
            if adapter is None:
                problems.append(
                    f"company.{fact}: {name!r} has no company adapter (known: {', '.join(COMPANY_ADAPTERS)})"
                )
            elif fact not in adapter.facts:
                problems.append(f"company.{fact}: {name} does not give {fact}")
        if len(set(names)) != len(names):
            problems.append(f"company.{fact}: a vendor listed twice")
    return problems


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`: nested mappings merge, anything else (lists included) replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read waterfall configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a waterfall configuration must be a mapping at the top level")
    return data


def from_mapping(data: Mapping[str, Any], *, source: str = "<mapping>", over_defaults: bool = True) -> WaterfallConfig:
    """Validate `data` (merged over default.yaml unless `over_defaults` is False)."""
    raw = deep_merge(_read_yaml(DEFAULT_PATH), data) if over_defaults else dict(data)
    try:
        return WaterfallConfig.model_validate(raw)
    except pydantic.ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in err['loc']) or '<top>'}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{source}: invalid waterfall configuration:\n  " + "\n  ".join(lines)) from None


def load_config(path: str | Path | None = None, env: Mapping[str, str] = MappingProxyType({})) -> WaterfallConfig:
    """The configuration at `path`, else at `env`'s FIRMO_WATERFALL_CONFIG (a mapping the caller
    gives; the process environment is firmo.settings' to read), else the shipped default."""
    chosen = path or env.get(ENV_VAR) or None
    if chosen is None:
        return from_mapping({}, source=str(DEFAULT_PATH))
    chosen = Path(chosen)
    return from_mapping(_read_yaml(chosen), source=str(chosen))
