"""What the loader needs to know about one label source, declared once in its module.

Why declarations: the nine sources differ only in format (CSV with its delimiter and encoding,
XLSX, saved API pages), in which columns carry the identifier and how the publisher spoils it, in
the key that must be unique, and in how many rows may be refused before the file is suspect
(`max_removal_pct`, search-infra's `max_removal_percentage`). One loader (`load.py`) reads them
all the same way: by header name, every value as text, the identifier columns cleaned in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["csv", "xlsx", "pages"]


@dataclass(frozen=True)
class IdColumn:
    """A column holding a SIREN or SIRET. `required`: a row whose value is refused is quarantined
    (and counts towards the removal share); otherwise the value is blanked (NULL) and kept."""

    column: str
    accept: Literal["siren", "siret", "either"] = "either"
    pad: bool = False
    required: bool = True


@dataclass(frozen=True)
class Source:
    name: str  # also the raw table's name: labels.<name>
    title: str
    url: str  # the real address (a file, or the first page of an API)
    fmt: Format
    ids: tuple[IdColumn, ...]
    required_columns: tuple[str, ...]  # must be in the header (a renamed column is a refused file)
    max_removal_pct: float
    columns: tuple[str, ...] = ()  # pages: the item fields kept (a CSV/XLSX keeps its whole header)
    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    items_key: str | None = None  # pages: where the items are ("results", "items"; None = a bare list)
    unique: tuple[str, ...] = ()  # a repeated key is quarantined as a duplicate (first kept)
    licence: str = "Licence Ouverte / Etalab 2.0"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def table(self) -> str:
        return f"labels.{self.name}"
