"""Identifier and date cleaning shared by every label source (open_data.md "Common conventions").

Why one function for all: the publishers mangle SIREN/SIRET in the same few ways (spaces, dots,
numbers saved by a spreadsheet that dropped the leading zeros or wrote `1.23E+13`), and
annuaire-entreprises' `clean_sirent_column` is the reference every reuser compares with. The
rule: strip every non-digit, refuse scientific notation, left-pad with zeros only where the
source is known to lose them and only up to 3 zeros ("No Siren has more than 3 leading zeros"),
keep only 9 (SIREN) or 14 (SIRET) digits; then firmo's own check (Luhn, La Poste's exception,
`firmo.identifiers`). A refused value comes back with the reason its row is quarantined under.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from firmo.identifiers import is_valid_siren, is_valid_siret

_SCIENTIFIC = re.compile(r"[0-9][.,]?[0-9]*\s*[eE]\s*[+-]?\s*[0-9]+")
_NON_DIGIT = re.compile(r"[^0-9]")
MAX_LEADING_ZEROS = 3


def clean_identifier(value: object, *, pad: bool = False, accept: str = "either") -> tuple[str | None, str | None]:
    """(identifier, None) or (None, reason). `accept`: "siren", "siret" or "either" (a column the
    publisher fills with one or the other); `pad`: restore up to 3 lost leading zeros."""
    if value is None:
        return None, "identifier missing"
    text = str(value).strip()
    if not text:
        return None, "identifier missing"
    if _SCIENTIFIC.fullmatch(text):
        return None, "identifier in scientific notation (digits lost)"
    digits = _NON_DIGIT.sub("", text)
    if pad:
        for width in (9, 14):
            if width - MAX_LEADING_ZEROS <= len(digits) < width:
                digits = digits.zfill(width)
                break
    wanted = {"siren": (9,), "siret": (14,), "either": (9, 14)}[accept]
    if len(digits) not in wanted:
        what = " or ".join(str(w) for w in wanted)
        return None, f"identifier not {what} digits"
    if len(digits) == 9 and not is_valid_siren(digits):
        return None, "SIREN fails its checksum"
    if len(digits) == 14 and not is_valid_siret(digits):
        return None, "SIRET fails its checksum"
    return digits, None


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_date(value: object) -> date | None:
    """ISO or French dates, as one record of the DGEFP list mixes them ("01/01/2023" beside
    "2023-12-31"); a timestamp keeps its day; anything else is None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
