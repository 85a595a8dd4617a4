"""Read BODACC notices from every published shape, yielding raw notice dicts for `build_notice`.

- Opendatasoft `annonces-commerciales`: the JSON export (a list of records), JSON Lines, the v1
  search answer (`{"records": [{"fields": ...}]}`), the v2.1 records answer (`{"results": [...]}`)
  and the `;` CSV export with field names (`use_labels=false`).
- DILA bulk files: `.taz` (gzip tar holding one XML) or plain `.xml`, for RCS-A, RCS-B, PCL and
  BILAN, streamed with `iterparse` and each notice cleared once read, so a year never sits in
  memory. Older XML may be windows-1252 without saying so: decoding falls back to it.
Each reader yields `(line_or_index, raw_dict)`; the CSV gives physical line numbers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from firmo.errors import InputError

# DILA root element -> (publication letter, family when the notice itself does not say)
DILA_ROOTS = {
    "RCS-A_IMMAT": ("A", None),
    "PCL_REDIFF": ("A", "collective"),
    "RCS-B_REDIFF": ("B", None),
    "BILAN_REDIFF": ("C", "dpc"),
    "DIV_REDIFF": ("A", "divers"),
}
NOTICE_PARENTS = {"listeAvis", "annonces"}
# DILA camelCase element -> ODS field name
DILA_FIELDS = {
    "numeroAnnonce": "numeroannonce",
    "numeroDepartement": "numerodepartement",
    "tribunal": "tribunal",
    "acte": "acte",
    "jugement": "jugement",
    "depot": "depot",
    "modificationsGenerales": "modificationsgenerales",
    "radiationAuRCS": "radiationaurcs",
    "parutionAvisPrecedent": "parutionavisprecedent",
    "etablissement": "listeetablissements",
}


class BodaccFormatError(InputError):
    """A file that is none of the BODACC shapes firmo reads."""


def iter_raw_notices(path: Path) -> Iterator[tuple[int | None, dict[str, Any]]]:
    """Every notice of one file, whatever its shape, as (line or ordinal, raw dict)."""
    name = path.name.lower()
    if name.endswith((".taz", ".tar.gz", ".tgz", ".tar")):
        yield from _iter_tar(path)
    elif name.endswith(".xml"):
        with path.open("rb") as fh:
            yield from _iter_xml(fh)
    elif name.endswith((".csv", ".csv.gz")):
        yield from _iter_csv(path)
    elif name.endswith((".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz")):
        yield from _iter_json(path)
    else:
        raise BodaccFormatError(f"{path}: unknown BODACC file type (expected .json, .jsonl, .csv, .taz or .xml)")


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open("r", encoding="utf-8-sig", newline="")


def _iter_json(path: Path) -> Iterator[tuple[int | None, dict]]:
    with _open_text(path) as fh:
        head = fh.read(1)
        while head and head.isspace():
            head = fh.read(1)
        if head == "{" and ".json" in path.name and not path.name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            document = json.loads(head + fh.read())
            records = document.get("records") or document.get("results") or []
            if not records and not ("records" in document or "results" in document):
                raise BodaccFormatError(f"{path}: JSON object without 'records' or 'results'")
            for i, rec in enumerate(records, start=1):
                yield i, rec.get("fields", rec) if isinstance(rec, dict) else rec
        elif head == "[":
            for i, rec in enumerate(json.loads(head + fh.read()), start=1):
                yield i, rec.get("fields", rec) if isinstance(rec, dict) else rec
        else:  # JSON Lines: one record per line
            rest = head + fh.read()
            for i, line in enumerate(rest.splitlines(), start=1):
                if line.strip():
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield i, {"__error__": f"unparsable JSON line: {exc.msg}", "__raw__": line[:2000]}
                        continue
                    yield i, rec.get("fields", rec) if isinstance(rec, dict) else rec


def _iter_csv(path: Path) -> Iterator[tuple[int | None, dict]]:
    with _open_text(path) as fh:
        sample = fh.readline()
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
        header = next(csv.reader([sample], delimiter=delimiter))
        if "id" not in header or "dateparution" not in header:
            raise BodaccFormatError(
                f"{path}: CSV header lacks 'id'/'dateparution' (export with use_labels=false); found {header[:5]}"
            )
        reader = csv.reader(fh, delimiter=delimiter)
        line = 1
        for row in reader:
            line = reader.line_num + 1
            if len(row) != len(header):
                yield (
                    line,
                    {
                        "__error__": f"wrong column count: expected {len(header)}, found {len(row)}",
                        "__raw__": ";".join(row)[:2000],
                    },
                )
                continue
            yield line, {k: (v if v != "" else None) for k, v in zip(header, row, strict=True)}


def _iter_tar(path: Path) -> Iterator[tuple[int | None, dict]]:
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if member.isfile() and member.name.lower().endswith(".xml"):
                fh = tar.extractfile(member)
                if fh is not None:
                    yield from _iter_xml(fh)


def _iter_xml(fh: IO[bytes]) -> Iterator[tuple[int | None, dict]]:
    data = fh.read()
    try:
        yield from _parse_xml(io.BytesIO(data))
    except (ET.ParseError, UnicodeDecodeError):
        # windows-1252 files that do not declare it (inpi_bodacc.md §5.3)
        text = data.decode("cp1252")
        text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
        yield from _parse_xml(io.BytesIO(text.encode("utf-8")))


def _parse_xml(stream: IO[bytes]) -> Iterator[tuple[int | None, dict]]:
    letter, family = "A", None
    parution = date_parution = None
    stack: list[str] = []
    ordinal = 0
    for event, elem in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if not stack:
                letter, family = DILA_ROOTS.get(elem.tag, ("A", None))
            stack.append(elem.tag)
            continue
        stack.pop()
        if len(stack) == 1 and elem.tag == "parution":
            parution = (elem.text or "").strip()
        elif len(stack) == 1 and elem.tag == "dateParution":
            date_parution = (elem.text or "").strip()
        elif stack and stack[-1] in NOTICE_PARENTS:
            ordinal += 1
            yield ordinal, _dila_notice(elem, letter, family, parution, date_parution)
            elem.clear()


def _to_obj(elem: ET.Element) -> Any:
    children = list(elem)
    if not children:
        return (elem.text or "").strip() or None
    out: dict[str, Any] = {}
    for child in children:
        value = _to_obj(child)
        if child.tag in out:
            out[child.tag] = out[child.tag] if isinstance(out[child.tag], list) else [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def _dila_notice(
    elem: ET.Element, letter: str, family: str | None, parution: str | None, date_parution: str | None
) -> dict:
    obj = _to_obj(elem)
    obj = obj if isinstance(obj, dict) else {}
    raw: dict[str, Any] = {"publicationavis": letter, "parution": parution, "dateparution": date_parution}
    type_annonce = obj.get("typeAnnonce")
    raw["typeavis"] = next(iter(type_annonce), "annonce") if isinstance(type_annonce, dict) else "annonce"
    for dila, ods in DILA_FIELDS.items():
        if dila in obj:
            raw[ods] = obj[dila]
    personnes = obj.get("personnes")
    if isinstance(personnes, dict):
        raw["listepersonnes"] = {"personne": personnes.get("personne")}
    previous = [
        obj[k]
        for k in (
            "precedentProprietairePM",
            "precedentProprietairePP",
            "precedentExploitantPM",
            "precedentExploitantPP",
        )
        if k in obj
    ]
    if previous:
        raw["listeprecedentproprietaire"] = {
            "personne": [p for p in previous for p in (p if isinstance(p, list) else [p])]
        }
        raw["listeprecedentproprietaire"]["personne"] = [
            p if "numeroImmatriculation" not in p else {"personneMorale": p}
            for p in raw["listeprecedentproprietaire"]["personne"]
        ]
    acte = obj.get("acte")
    raw["familleavis"] = family or (
        next((k for k in ("creation", "immatriculation", "vente") if isinstance(acte, dict) and k in acte), None)
        or ("modification" if "modificationsGenerales" in obj else None)
        or ("radiation" if "radiationAuRCS" in obj else None)
        or ("dpc" if "depot" in obj else None)
        or ("collective" if "jugement" in obj else None)
    )
    return raw
