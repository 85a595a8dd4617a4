"""French personal names to the ASCII tokens mail systems use ("Éloïse" → "eloise",
"de La Fontaine" → particles + "fontaine", "Jean-Pierre" → "jean", "pierre")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARTICLES = frozenset(
    {
        "de",
        "du",
        "des",
        "d",
        "la",
        "le",
        "les",
        "l",
        "van",
        "von",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "ten",
        "ter",
        "y",
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O"})
_TOKEN = re.compile(r"[a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII: accents stripped, ligatures spelled out."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slug(text: str) -> str:
    """'Boulangerie Lefèvre & Fils' → 'boulangerie-lefevre-fils' (the fake's company domains)."""
    return "-".join(_TOKEN.findall(ascii_fold(text)))


@dataclass(frozen=True)
class NameParts:
    """One name as mail systems write it, in the forms address patterns are built from."""

    tokens: tuple[str, ...]  # every word, particles included: ("de", "la", "fontaine")
    hyphenated: bool  # the original joined words with hyphens ("Dupont-Aignan")

    @classmethod
    def parse(cls, text: str) -> NameParts:
        folded = ascii_fold(text)
        words = folded.replace("'", " ").replace("’", " ").split()
        return cls(tuple(_TOKEN.findall(folded)), any("-" in w for w in words))

    @property
    def joined(self) -> str:
        """Primary form: hyphens kept between the words of a hyphenated name, spaces squeezed."""
        if not self.hyphenated:
            return "".join(self.tokens)
        return "-".join(self.tokens)

    @property
    def compact(self) -> str:
        return "".join(self.tokens)

    @property
    def core(self) -> str:
        """Without particles: 'de La Fontaine' → 'fontaine' (the whole name if it is all particles)."""
        core = [t for t in self.tokens if t not in PARTICLES]
        return ("-" if self.hyphenated else "").join(core) if core else self.compact

    @property
    def first(self) -> str:
        return self.tokens[0] if self.tokens else ""

    @property
    def initials(self) -> str:
        return "".join(t[0] for t in self.tokens if t not in PARTICLES) or self.compact[:1]
