"""One BODACC notice, whatever it came from (Opendatasoft export or DILA XML), as one flat record.

Both sources describe the same notice with different spellings (ODS lowercase JSON-in-string
fields, DILA camelCase XML); the readers turn each into plain dicts with the DILA/ODS inner
keys, and `build_notice` maps those onto the columns of `bodacc.notices`. Quirks handled here
(inpi_bodacc.md §3, §5.3):
- SIRENs come from `registre` (string with two spellings, or array) *and* from the persons'
  `numeroImmatriculation` / `inscriptionRM` (RM SIRENs can be missing from `registre`);
  normalised to 9 digits and checksum-validated; an invalid one is dropped with a repair note.
- Mojibake (`clÃ´ture`) is repaired by the latin-1 → UTF-8 round trip only when the result is
  cleaner, and the repair is recorded.
- Absurd dates (`0009-12-02`, `5025-05-27`) become NULL with a repair note; dates also come as
  `JJ/MM/AAAA` and "1er janvier 2020".
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

from firmo.identifiers import is_valid_siren

MIN_YEAR, MAX_YEAR = 1900, 2100
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        start=1,
    )
}
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12})
_NON_DIGITS = re.compile(r"\D")
_FR_DATE = re.compile(r"^(\d{1,2})(?:er)?\s+([a-zéûè]+)\s+(\d{4})$", re.I)
# UTF-8 read as latin-1 / cp1252: 'Ã' or 'Â' followed by a continuation byte's character.
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf\u2013-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u20ac\u2122]|â€"
)
EDITION_LETTER = {"BODACC A": "A", "BODACC B": "B", "BODACC C": "C", "A": "A", "B": "B", "C": "C"}
PROCEEDING_KINDS = (("liquidation", "liquidation"), ("redressement", "redressement"), ("sauvegarde", "sauvegarde"))


class NoticeError(ValueError):
    """A notice that cannot be stored (no id, no publication date): quarantined with this reason."""


def repair_text(value: Any, field: str, repairs: list[str]) -> str | None:
    """Strip, and undo latin-1/UTF-8 mojibake when the round trip gives cleaner text."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _MOJIBAKE.search(text):
        for codec in ("latin-1", "cp1252"):
            try:
                fixed = text.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(_MOJIBAKE.findall(fixed)) < len(_MOJIBAKE.findall(text)):
                repairs.append(f"mojibake repaired in {field}")
                return fixed
    return text


def parse_date(value: Any, field: str, repairs: list[str]) -> date | None:
    """ISO, JJ/MM/AAAA or French text dates; out-of-range years become NULL with a note."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    parsed: date | None = None
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            parsed = date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        elif re.match(r"^\d{2}/\d{2}/\d{4}$", text):
            parsed = date(int(text[6:10]), int(text[3:5]), int(text[:2]))
        elif m := _FR_DATE.match(text):
            month = MONTHS.get(m.group(2).lower())
            parsed = date(int(m.group(3)), month, int(m.group(1))) if month else None
    except ValueError:
        parsed = None
    if parsed is None:
        repairs.append(f"unreadable date in {field}: {text[:30]}")
        return None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        repairs.append(f"absurd date in {field}: {text[:30]}")
        return None
    return parsed


def load_json_field(value: Any) -> Any:
    """ODS keeps structured fields as JSON inside strings; DILA gives them already parsed."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "{[":
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return None
        return None
    return value


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=1 << 20)
def _valid_siren(digits: str) -> bool:
    """Checksum validation, cached: the same SIREN is spelled two or three times per notice and
    a company reappears all year (halves the cost of a year's load)."""
    return is_valid_siren(digits)


def normalise_sirens(candidates: list[Any], repairs: list[str]) -> list[str]:
    """Distinct valid SIRENs, in order of appearance, from any spelling ('833 310 592')."""
    out: list[str] = []
    for raw in candidates:
        for part in str(raw).split(","):
            digits = _NON_DIGITS.sub("", part)
            if not digits or digits in out:
                continue
            if _valid_siren(digits):
                out.append(digits)
            else:
                repairs.append(f"invalid SIREN dropped: {part.strip()[:20]}")
    return out


def person_sirens(personnes: Any) -> list[str]:
    """numeroImmatriculation / inscriptionRM numbers of every person of a notice."""
    found = []
    for person in as_list(personnes):
        if not isinstance(person, dict):
            continue
        for holder in (person, person.get("personneMorale"), person.get("personnePhysique")):
            if not isinstance(holder, dict):
                continue
            imm = holder.get("numeroImmatriculation")
            if isinstance(imm, dict) and imm.get("numeroIdentification"):
                found.append(imm["numeroIdentification"])
            rm = holder.get("inscriptionRM")
            if isinstance(rm, dict) and rm.get("numeroIdentificationRM"):
                found.append(rm["numeroIdentificationRM"])
    return found


def _first(person: dict, *keys: str) -> Any:
    for holder in (person, person.get("personneMorale"), person.get("personnePhysique")):
        if isinstance(holder, dict):
            for key in keys:
                if holder.get(key) not in (None, ""):
                    return holder[key]
    return None


def _name(person: dict) -> str | None:
    denomination = _first(person, "denomination")
    if denomination:
        return str(denomination)
    parts = [_first(person, "prenom"), _first(person, "nom")]
    return " ".join(str(p) for p in parts if p) or None


def _city(person: dict) -> str | None:
    address = person.get("adresse") or person.get("adresseSiegeSocial") if person else None
    if isinstance(address, dict):
        inner = france if isinstance(france := address.get("france"), dict) else address
        return inner.get("ville")
    return None


def _capital(person: dict) -> float | None:
    cap = person.get("capital") or (person.get("personneMorale") or {}).get("capital")
    if isinstance(cap, dict):
        cap = cap.get("montantCapital")
    try:
        return float(str(cap).replace(" ", "").replace(",", ".")) if cap not in (None, "") else None
    except ValueError:
        return None


def previous_notice_id(prev: Any) -> str | None:
    """`parutionavisprecedent` → the id of the notice it corrects or cancels (A + parution + n°)."""
    prev = load_json_field(prev) if isinstance(prev, str) else prev
    if isinstance(prev, list):
        prev = prev[0] if prev else None
    if not isinstance(prev, dict):
        return None
    letter = EDITION_LETTER.get(str(prev.get("nomPublication", "")).strip().upper())
    number, notice = prev.get("numeroParution"), prev.get("numeroAnnonce")
    if not (letter and number and notice):
        return None
    return f"{letter}{str(number).strip()}{int(str(notice).strip())}"


def proceeding_kind(*texts: str | None) -> str | None:
    blob = " ".join(t for t in texts if t).lower()
    for needle, kind in PROCEEDING_KINDS:
        if needle in blob:
            return kind
    return None


def build_notice(raw: dict[str, Any], *, source: str, source_file: str) -> dict[str, Any]:
    """Map one notice (inner keys as in ODS/DILA) onto the `bodacc.notices` columns."""
    repairs: list[str] = []
    edition = EDITION_LETTER.get(str(raw.get("publicationavis") or "").strip().upper())
    parution = str(raw.get("parution") or "").strip() or None
    number = raw.get("numeroannonce")
    notice_id = str(raw.get("id") or "").strip() or (
        f"{edition}{parution}{int(number)}" if edition and parution and number not in (None, "") else None
    )
    if not notice_id:
        raise NoticeError("no notice id (publication letter, parution and notice number all needed)")
    published = parse_date(raw.get("dateparution"), "dateparution", repairs)
    if published is None:
        raise NoticeError(f"no usable publication date ({'; '.join(repairs) or 'missing'})")

    personnes = [p for p in _unwrap(load_json_field(raw.get("listepersonnes")), "personne") if isinstance(p, dict)]
    registre = raw.get("registre")
    sirens = normalise_sirens(as_list(registre) + person_sirens(personnes), repairs)
    previous = load_json_field(raw.get("listeprecedentproprietaire")) or load_json_field(
        raw.get("listeprecedentexploitant")
    )
    seller_sirens = normalise_sirens(person_sirens(_unwrap(previous, "personne")), repairs)
    sirens = [s for s in sirens if s not in seller_sirens] or sirens

    jugement = load_json_field(raw.get("jugement")) or {}
    jugement = jugement if isinstance(jugement, dict) else {}
    acte = load_json_field(raw.get("acte")) or {}
    acte = acte if isinstance(acte, dict) else {}
    modifs = load_json_field(raw.get("modificationsgenerales")) or {}
    modifs = modifs if isinstance(modifs, dict) else {}
    radiation = load_json_field(raw.get("radiationaurcs")) or {}
    radiation = radiation if isinstance(radiation, dict) else {}
    depot = load_json_field(raw.get("depot")) or {}
    depot = depot if isinstance(depot, dict) else {}

    first = personnes[0] if personnes else {}
    acte_kind = next((k for k in ("creation", "immatriculation", "vente") if isinstance(acte.get(k), dict)), None)
    acte_detail = acte.get(acte_kind, {}) if acte_kind else {}
    description = (
        " ".join(
            t
            for t in (
                modifs.get("descriptif"),
                acte_detail.get("categorieCreation")
                or acte_detail.get("categorieImmatriculation")
                or acte_detail.get("categorieVente"),
                acte_detail.get("descriptif"),
                radiation.get("commentaire"),
                depot.get("typeDepot"),
            )
            if t
        )
        or None
    )
    judgment_nature = repair_text(jugement.get("nature"), "jugement.nature", repairs)
    judgment_family = repair_text(jugement.get("famille"), "jugement.famille", repairs)
    family = str(raw.get("familleavis") or "").strip().lower() or None
    return {
        "id": notice_id,
        "publication_date": published,
        "edition": edition,
        "parution": parution,
        "notice_number": int(number) if number not in (None, "") else None,
        "notice_type": str(raw.get("typeavis") or "annonce").strip().lower(),
        "family": family,
        "sirens": sirens,
        "seller_sirens": seller_sirens,
        "company_name": repair_text(raw.get("commercant") or _name(first), "commercant", repairs),
        "tribunal": repair_text(raw.get("tribunal"), "tribunal", repairs),
        "departement": str(raw.get("numerodepartement")).strip()
        if raw.get("numerodepartement") not in (None, "")
        else None,
        "city": repair_text(raw.get("ville") or _city(first), "ville", repairs),
        "judgment_family": judgment_family,
        "judgment_nature": judgment_nature,
        "judgment_date": parse_date(jugement.get("date"), "jugement.date", repairs),
        "proceeding_kind": proceeding_kind(judgment_nature, judgment_family) if family == "collective" else None,
        "capital_amount": _capital(first) if first else None,
        "officers_text": repair_text(_first(first, "administration") if first else None, "administration", repairs),
        "description": repair_text(description, "description", repairs),
        "previous_notice_id": previous_notice_id(raw.get("parutionavisprecedent")),
        "repairs": repairs,
        "source": source,
        "source_file": source_file,
    }


def _unwrap(value: Any, key: str) -> list:
    """`{"personne": x}` or `[{"personne": x}, ...]` or x → list of x."""
    out = []
    for item in as_list(value):
        if isinstance(item, dict) and key in item:
            out += as_list(item[key])
        elif isinstance(item, dict):
            out.append(item)
    return out
