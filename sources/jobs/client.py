"""France Travail partner APIs: OAuth client credentials, Offres d'emploi v2 search, La Bonne Boîte v2.

What the documentation (open_data.md §9) says, and what this client does about it:

- Token: `POST <token url>?realm=%2Fpartenaire`, form body `grant_type=client_credentials&client_id=
  &client_secret=&scope=<space-separated scopes>`; one token per scope set. Its lifetime is
  uncertain (a fixture says 1499 s, a comment says ~24 h), so each token is kept until
  `expires_in` minus a margin, then fetched again; a 401 on an API call drops it and retries once.
- Offres d'emploi v2 `GET /offresdemploi/v2/offres/search` (scope `api_offresdemploiv2 o2dsoffre`):
  paged by `range=start-end` (0-based, inclusive, at most 150 per call), answer 206 for a partial
  page and 200 for the last one with `Content-Range: offres 0-149/847`, 204 when nothing matches.
  A search reaches only its first 1,150 results (start ≤ 1000, end ≤ 1149; 400 beyond), so a
  window holding more is split in two by creation date until each part fits.
- La Bonne Boîte v2 `GET /labonneboite/v2/recherche` (scope `api_labonneboitev2 search office`; the
  path is uncertain, clients disagree): a 403 means the account lacks the extra habilitation
  reported by one project, raised as `NoHabilitation` so the caller skips the source, once.
- Rate limits: 10 requests/s per key (Offres, uncertain) and 2/s (La Bonne Boîte) through token
  buckets; a 429 still returned is retried after its Retry-After (sources/download.py's policy).

Secrets: the client id, secret and tokens are never logged nor put in an error message; URLs in
logs lose their query string (sources.download.redact_url).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from sources.download import RetryPolicy, raise_for_retryable, redact_url
from sources.jobs.ratelimit import TokenBucket

LOG = logging.getLogger(__name__)

TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
API_URL = "https://api.francetravail.io/partenaire"
OFFERS_SCOPE = "api_offresdemploiv2 o2dsoffre"
LBB_SCOPE = "api_labonneboitev2 search office"
OFFERS_PATH = "/offresdemploi/v2/offres/search"
LBB_PATH = "/labonneboite/v2/recherche"
PAGE_SIZE = 150  # the most one call returns
MAX_START, MAX_END = 1000, 1149  # a search reaches its first 1,150 results, no more
TOKEN_MARGIN_S = 60.0  # a token is renewed this long before it expires
OFFERS_RATE, LBB_RATE = 10.0, 2.0  # requests per second and per key
LBB_PAGE_SIZE = 100
TIMEOUT = httpx.Timeout(30.0)
_CONTENT_RANGE = re.compile(r"^\s*offres\s+(\d+)-(\d+)/(\d+)\s*$")


class FranceTravailError(RuntimeError):
    """A France Travail call that cannot succeed (refused credentials, unexpected status)."""


class NoHabilitation(FranceTravailError):
    """403: the application is not allowed this API (La Bonne Boîte's extra habilitation)."""


@dataclass(frozen=True)
class Page:
    """One answer of the offers search: its offers and what Content-Range says."""

    offers: list[dict[str, Any]]
    start: int
    end: int
    total: int
    last: bool


@dataclass
class _Token:
    value: str
    expires_at: float


def content_range(value: str | None) -> tuple[int, int, int] | None:
    """'offres 0-149/847' -> (0, 149, 847); None when absent or unreadable."""
    m = _CONTENT_RANGE.match(value or "")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def iso_day(day: date) -> str:
    """The API's date-time form for midnight UTC of `day`: '2026-11-01T00:00:00Z'."""
    return f"{day.isoformat()}T00:00:00Z"


class FranceTravailClient:
    """One application's access to the partner APIs (thread-safe enough for one caller)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str = TOKEN_URL,
        api_url: str = API_URL,
        http: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        offers_rate: float = OFFERS_RATE,
        lbb_rate: float = LBB_RATE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: Any = LOG,
    ) -> None:
        if not client_id or not client_secret:
            raise FranceTravailError(
                "France Travail credentials missing: set FIRMO_FRANCE_TRAVAIL_CLIENT_ID and "
                "FIRMO_FRANCE_TRAVAIL_CLIENT_SECRET (an application on francetravail.io)"
            )
        self._id, self._secret = client_id, client_secret
        self.token_url, self.api_url = token_url, api_url.rstrip("/")
        self.http = http or httpx.Client(timeout=TIMEOUT)
        self._own_http = http is None
        self.policy = policy or RetryPolicy(attempts=6, backoff_initial_s=1.0, backoff_max_s=30.0, sleep=sleep)
        self.clock, self.log = clock, log
        # one request at a time, never a burst: stricter than a server allowing `rate` per second
        self.offers_bucket = TokenBucket(offers_rate, capacity=1, clock=clock, sleep=sleep)
        self.lbb_bucket = TokenBucket(lbb_rate, capacity=1, clock=clock, sleep=sleep)
        self._tokens: dict[frozenset[str], _Token] = {}
        self.token_requests = 0
        self.requests = 0

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> FranceTravailClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never the id, secret or token
        return f"FranceTravailClient(api_url={redact_url(self.api_url)!r})"

    # ------------------------------------------------------------------ OAuth

    def token(self, scope: str) -> str:
        """A valid access token for `scope` (cached per scope set until expires_in minus a margin)."""
        key = frozenset(scope.split())
        held = self._tokens.get(key)
        if held is not None and self.clock() < held.expires_at:
            return held.value
        label = redact_url(self.token_url)
        for attempt in self.policy.retrying(self.log, f"token {label}"):
            with attempt:
                resp = self.http.post(
                    self.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self._id,
                        "client_secret": self._secret,
                        "scope": " ".join(sorted(key)),
                    },
                    headers={"Accept": "application/json"},
                )
                self.token_requests += 1
                raise_for_retryable(resp, label)
                if resp.status_code != 200:
                    raise FranceTravailError(
                        f"France Travail refused the credentials (HTTP {resp.status_code}, {_oauth_error(resp)}): "
                        "check FIRMO_FRANCE_TRAVAIL_CLIENT_ID / _CLIENT_SECRET and the application's API subscriptions"
                    )
                body = resp.json()
                value = body.get("access_token")
                if not value:
                    raise FranceTravailError(f"no access_token in the answer of {label}")
                lifetime = float(body.get("expires_in") or 0)
                margin = min(TOKEN_MARGIN_S, lifetime / 2)
                self._tokens[key] = _Token(str(value), self.clock() + lifetime - margin)
                return str(value)
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ transport

    def _get(self, path: str, params: Mapping[str, Any], scope: str, bucket: TokenBucket) -> httpx.Response:
        """GET with the bearer token, the rate limit, Retry-After on 429/5xx and one fresh token on 401."""
        url = self.api_url + path
        label = redact_url(url)
        refreshed = False
        for attempt in self.policy.retrying(self.log, f"GET {label}"):
            with attempt:
                while True:
                    bucket.acquire()
                    resp = self.http.get(
                        url,
                        params={k: v for k, v in params.items() if v is not None},
                        headers={"Authorization": f"Bearer {self.token(scope)}", "Accept": "application/json"},
                    )
                    self.requests += 1
                    if resp.status_code == 401 and not refreshed:  # revoked or expired early: once more
                        self._tokens.pop(frozenset(scope.split()), None)
                        refreshed = True
                        continue
                    break
                raise_for_retryable(resp, label)
                if resp.status_code == 401:
                    raise FranceTravailError(f"France Travail refused a fresh token on {label} (HTTP 401)")
                if resp.status_code == 403:
                    raise NoHabilitation(f"HTTP 403 on {label}: the application lacks the habilitation for this API")
                if resp.status_code not in (200, 204, 206):
                    raise FranceTravailError(f"HTTP {resp.status_code} on {label}: {_short(resp)}")
                return resp
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ Offres d'emploi v2

    def search_page(self, params: Mapping[str, Any], start: int = 0) -> Page:
        """One page of the offers search (`range=start-(start+149)`). Past start 1000 (the API's
        highest) the page is asked from 1000 and the offers before `start` dropped."""
        asked = min(start, MAX_START)
        end = min(asked + PAGE_SIZE - 1, MAX_END)
        resp = self._get(OFFERS_PATH, {**params, "range": f"{asked}-{end}"}, OFFERS_SCOPE, self.offers_bucket)
        if resp.status_code == 204:
            return Page([], start, start - 1, 0, True)
        offers = (resp.json().get("resultats") or [])[start - asked :]
        found = content_range(resp.headers.get("Content-Range"))
        _, last_index, total = found if found else (asked, start + len(offers) - 1, start + len(offers))
        last = resp.status_code == 200 or last_index + 1 >= total or last_index >= MAX_END
        return Page(offers, start, last_index, total, last)

    def search(self, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int]:
        """Every reachable offer of one search (at most 1,150) and the total the API announced."""
        offers: list[dict[str, Any]] = []
        start, total = 0, 0
        while True:
            page = self.search_page(params, start)
            offers += page.offers
            total = page.total
            if page.last or not page.offers:
                return offers, total
            start = page.end + 1

    def offers_created(
        self,
        since: date,
        until: date,
        *,
        departement: str | None = None,
        commune: str | None = None,
        rome_code: str | None = None,
        **extra: Any,
    ) -> Iterator[dict[str, Any]]:
        """Offers created in [since, until) for one place, splitting the date window in two while
        a search announces more than it can return (1,150)."""
        params = {
            "departement": departement,
            "commune": commune,
            "codeROME": rome_code,
            "minCreationDate": iso_day(since),
            "maxCreationDate": iso_day(until),
            **extra,
        }
        first = self.search_page(params, 0)
        if first.total <= MAX_END + 1 or until - since <= timedelta(days=1):
            if first.total > MAX_END + 1:
                self.log.warning(
                    "France Travail: %s offers created on %s in %s, only the first %d are reachable",
                    first.total,
                    since,
                    departement or commune,
                    MAX_END + 1,
                )
            yield from first.offers
            start = first.end + 1
            while not first.last and first.offers:
                first = self.search_page(params, start)
                yield from first.offers
                start = first.end + 1
            return
        middle = since + (until - since) / 2
        middle = date.fromordinal(max(since.toordinal() + 1, middle.toordinal()))
        yield from self.offers_created(
            since, middle, departement=departement, commune=commune, rome_code=rome_code, **extra
        )
        yield from self.offers_created(
            middle, until, departement=departement, commune=commune, rome_code=rome_code, **extra
        )

    # ------------------------------------------------------------------ La Bonne Boîte v2

    def lbb_companies(self, rome_code: str, departement: str, *, max_pages: int = 10) -> Iterator[dict[str, Any]]:
        """Companies La Bonne Boîte ranks for one ROME code in one département (pages of 100).
        Raises NoHabilitation on 403."""
        for page in range(1, max_pages + 1):
            resp = self._get(
                LBB_PATH,
                {"rome": rome_code, "departement": departement, "page": page, "page_size": LBB_PAGE_SIZE},
                LBB_SCOPE,
                self.lbb_bucket,
            )
            if resp.status_code == 204:
                return
            body = resp.json()
            items = body.get("items") or []
            yield from items
            if len(items) < LBB_PAGE_SIZE or page * LBB_PAGE_SIZE >= int(body.get("hits") or 0):
                return


def _oauth_error(resp: httpx.Response) -> str:
    """The OAuth error code only (`invalid_client`): the description may echo what was sent."""
    try:
        return str(resp.json().get("error") or "no error code")[:60]
    except ValueError:
        return "no error code"


def _short(resp: httpx.Response) -> str:
    return " ".join(resp.text.split())[:200]
