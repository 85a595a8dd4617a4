"""API Sirene 3.11 client for the daily delta between two monthly stocks (sirene.md §2).

Why a delta client: the stock files are a month-end image; the nightly run asks the API for every
unit whose ``dateDernierTraitement…`` is at or after the last load and overlays them. Records are
flattened the way annuaire-entreprises' search-infra does (top-level fields + current period +
address) into dicts keyed by the *stock files'* column names (``sources.sirene.schema``), with
CSV-like string values, so the same loader handles stock rows and API rows.

Constraints honoured here: 30 requests/min per key (a client-side minimum interval, 2 s by default,
plus tenacity retries on 429/5xx honouring Retry-After); cursor pagination (``curseur=*`` then
``header.curseurSuivant`` until it repeats; the docs forbid ``tri`` with cursors); 404 means "no
result". The key comes from ``INSEE_API_KEY`` and never reaches logs, reprs or exception messages.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from firmo.settings import Settings
from sources.download import RetryableHTTPError, RetryPolicy, raise_for_retryable
from sources.sirene.schema import ETABLISSEMENTS_COLUMNS, UNITES_LEGALES_COLUMNS

API_KEY_ENV = "INSEE_API_KEY"
DEFAULT_BASE_URL = "https://api.insee.fr/api-sirene/3.11"
PAGE_SIZE = 1000  # the JSON maximum
PARIS = ZoneInfo("Europe/Paris")
LOG = logging.getLogger(__name__)

Record = dict[str, str | None]


class SireneApiError(RuntimeError):
    """The API refused a request (other than 404 = no result) or stayed unreachable."""


class MissingApiKeyError(RuntimeError):
    """INSEE_API_KEY is not set."""


class SireneApiClient:
    """Thin, polite client: one key, one base URL, ≤ 1 request per ``min_interval_s``."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.Client | None = None,
        min_interval_s: float = 2.0,
        *,
        policy: RetryPolicy | None = None,
        log: Any = LOG,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not api_key or not api_key.strip():
            raise MissingApiKeyError(f"empty API Sirene key: set {API_KEY_ENV}")
        self._key = api_key.strip()
        self._headers = {"X-INSEE-Api-Key-Integration": self._key, "Accept": "application/json"}
        self.base_url = base_url.rstrip("/")
        self._own_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(30.0, read=120.0))
        self.min_interval_s = min_interval_s
        self._policy = policy or RetryPolicy(attempts=6, backoff_initial_s=5.0, retry_after_cap_s=120.0)
        self._log = log
        self._clock = clock
        self._last_call: float | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> SireneApiClient:
        """Build from the settings' ``INSEE_API_KEY`` (created on https://portail-api.insee.fr,
        subscribed to "API Sirene") and endpoint; raises MissingApiKeyError naming the variable
        when it is absent."""
        key = settings.insee_api_key.get_secret_value() if settings.insee_api_key else ""
        if not key:
            raise MissingApiKeyError(
                f"{API_KEY_ENV} is not set: create a key on https://portail-api.insee.fr, subscribe it to "
                f"API Sirene and export it as {API_KEY_ENV}"
            )
        return cls(key, **{"base_url": settings.sirene_api_url, **kwargs})

    def __repr__(self) -> str:
        return f"SireneApiClient(base_url={self.base_url!r})"

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> SireneApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- endpoints ------------------------------------------------------------------------------

    def informations(self) -> dict[str, dict[str, str | None]]:
        """``GET /informations``: per collection ('Unités Légales', 'Établissements', …) its
        dateDerniereMiseADisposition / dateDernierTraitementMaximum / dateDernierTraitementDeMasse.
        The nightly job waits until today's mise à disposition before pulling the delta."""
        payload = self._get("informations", {}) or {}
        return {
            entry.get("collection", "?"): {k: v for k, v in entry.items() if k != "collection"}
            for entry in payload.get("datesDernieresMisesAJourDesDonnees") or []
        }

    def iter_unites_legales_since(self, ts: datetime) -> Iterator[Record]:
        """Every unité légale processed at or after ``ts``, flattened to the StockUniteLegale columns."""
        return self._iter_since("siren", "dateDernierTraitementUniteLegale", "unitesLegales", flatten_unite_legale, ts)

    def iter_etablissements_since(self, ts: datetime) -> Iterator[Record]:
        """Every établissement processed at or after ``ts``, flattened to the StockEtablissement columns."""
        return self._iter_since(
            "siret", "dateDernierTraitementEtablissement", "etablissements", flatten_etablissement, ts
        )

    # --- plumbing -------------------------------------------------------------------------------

    def _iter_since(
        self, endpoint: str, field: str, list_key: str, flatten: Callable[[dict[str, Any]], Record], ts: datetime
    ) -> Iterator[Record]:
        query = f"{field}:[{format_since(ts)} TO *]"
        cursor, seen = "*", 0
        while True:
            payload = self._get(endpoint, {"q": query, "nombre": str(PAGE_SIZE), "curseur": cursor})
            if payload is None:  # 404: nothing processed since ts
                self._log.info(f"API Sirene /{endpoint}: no record since {format_since(ts)}")
                return
            records = payload.get(list_key) or []
            seen += len(records)
            header = payload.get("header") or {}
            self._log.info(f"API Sirene /{endpoint}: {seen}/{header.get('total', '?')} records")
            for record in records:
                yield flatten(record)
            following = header.get("curseurSuivant")
            if not following or following == cursor or not records:
                return
            cursor = following

    def _throttle(self) -> None:
        if self._last_call is not None:
            wait = self.min_interval_s - (self._clock() - self._last_call)
            if wait > 0:
                self._policy.sleep(wait)
        self._last_call = self._clock()

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***")

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any] | None:
        url, label = f"{self.base_url}/{path}", f"API Sirene /{path}"
        try:
            for attempt in self._policy.retrying(self._log, label, self._scrub):
                with attempt:
                    self._throttle()
                    resp = self._client.get(url, params=params, headers=self._headers)
                    if resp.status_code == 404:
                        return None
                    raise_for_retryable(resp, label)
                    if resp.status_code != 200:
                        raise SireneApiError(self._scrub(f"{label} answered HTTP {resp.status_code}: {_message(resp)}"))
                    return resp.json()
        except (httpx.TransportError, RetryableHTTPError) as exc:  # retries exhausted
            raise SireneApiError(self._scrub(f"{label} failed: {type(exc).__name__}: {exc}")) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _message(resp: httpx.Response) -> str:
    try:
        return str((resp.json().get("header") or {}).get("message", ""))[:300]
    except ValueError:
        return resp.text[:300]


def format_since(ts: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in Paris time (dateDernierTraitement is French local time)."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(PARIS).replace(tzinfo=None)
    return ts.strftime("%Y-%m-%dT%H:%M:%S")


# --- flattening to the stock columns --------------------------------------------------------------

_ZERO_MILLIS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.0+$")


def as_stock_value(value: Any) -> str | None:
    """The string the stock CSV would hold: booleans 'true'/'false' (the flux sends True/False),
    numbers without a spurious '.0', timestamps without '.000'; None stays None (empty cell)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if text in ("True", "False"):
        return text.lower()
    match = _ZERO_MILLIS.match(text)
    return match.group(1) if match else text


def current_period(periods: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The open period (dateFin null); periods come newest first, so [0] otherwise."""
    periods = periods or []
    return next((p for p in periods if p.get("dateFin") is None), periods[0] if periods else {})


def _scalars(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not isinstance(v, (dict, list))}


def flatten_unite_legale(record: dict[str, Any]) -> Record:
    merged = {**_scalars(record), **current_period(record.get("periodesUniteLegale"))}
    return {column: as_stock_value(merged.get(column)) for column in UNITES_LEGALES_COLUMNS}


def flatten_etablissement(record: dict[str, Any]) -> Record:
    merged = {
        **_scalars(record),
        **(record.get("adresseEtablissement") or {}),
        **(record.get("adresse2Etablissement") or {}),
        **current_period(record.get("periodesEtablissement")),
    }
    return {column: as_stock_value(merged.get(column)) for column in ETABLISSEMENTS_COLUMNS}
