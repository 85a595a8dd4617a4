"""Every label source by name, in load order: the one list the loader, the CLI (`--source`), the
settings, the demo and the assets iterate."""

from __future__ import annotations

from sources.labels import (
    achats_responsables,
    agence_bio,
    egapro,
    ess,
    patrimoine_vivant,
    qualiopi,
    rge,
    siae,
    spectacle,
)
from sources.labels.spec import Source

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        rge.SOURCE,
        qualiopi.SOURCE,
        ess.SOURCE,
        egapro.SOURCE,
        agence_bio.SOURCE,
        siae.SOURCE,
        patrimoine_vivant.SOURCE,
        achats_responsables.SOURCE,
        spectacle.SOURCE,
    )
}
API_SOURCES = frozenset(name for name, s in SOURCES.items() if s.fmt == "pages")
