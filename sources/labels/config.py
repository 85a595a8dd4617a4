"""Where each label source comes from, for a given Settings: the one rule the CLI and the code
location share. An explicit FIRMO_LABELS_<SOURCE>_SOURCE wins; otherwise live mode takes the
publisher's address (the module's URL) and demo mode the generated file listed in demo.json
(`labels:<source>`). The marché de l'inclusion needs a token: live without one, SIAE is left out
(with the reason) rather than failing every other source."""

from __future__ import annotations

import json

from firmo.settings import Settings
from sources.labels.catalog import SOURCES


def demo_files(settings: Settings) -> dict[str, str]:
    marker = settings.demo_dir / "demo.json"
    return json.loads(marker.read_text())["files"] if marker.is_file() else {}


def configured_sources(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """({source: path or URL}, {source left out: why})."""
    demo = {} if settings.live else demo_files(settings)
    chosen: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name, spec in SOURCES.items():
        explicit = getattr(settings, f"labels_{name}_source")
        value = explicit or (spec.url if settings.live else demo.get(f"labels:{name}", ""))
        if not value:
            skipped[name] = f"not configured: set FIRMO_LABELS_{name.upper()}_SOURCE (or run the demo)"
        elif name == "siae" and value.startswith(("http://", "https://")) and settings.marche_inclusion_token is None:
            skipped[name] = "the marché de l'inclusion API needs FIRMO_MARCHE_INCLUSION_TOKEN"
        else:
            chosen[name] = value
    return chosen, skipped
