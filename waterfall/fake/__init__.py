"""A local stand-in for the enrichment vendors' real HTTP APIs (paths, auth, bodies, error
dialects, async jobs, rate limits, credits), answering from a deterministic imaginary world, so
adapters, the engine and benchmarks run without accounts or internet. See `app`, `server`."""

from waterfall.fake.app import build_app
from waterfall.fake.config import FakeConfig, ProviderBehaviour
from waterfall.fake.server import FakeServer

__all__ = ["FakeConfig", "FakeServer", "ProviderBehaviour", "build_app"]
