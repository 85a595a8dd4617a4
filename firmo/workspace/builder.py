"""The ICP builder's form, as data: which control edits which key of an ICP file, how a file fills
the form, how the form turns back into the file, the NAF search, and the save with its diff.

The form is flat: one control per leaf key of the YAML, named by its dotted path
(`criteria.headcount.min`), of one of a few kinds (`text`, `number`, `list`, `bool`, `select`,
`roles`, `block`). The page's script (pipelines/static/builder.js) builds the ICP from the
controls by the same rules as `from_form` here, so what the preview and the save receive is the
ICP the form shows. What the form has no control for (the alert rules, a key a later version
adds) rides along unchanged in the `rest` field (JSON), so opening a file and saving it back
changes nothing it says: the round trip is lossless for every value (`from_form(to_form(d))`
parses to the same ICP as `d`).

The save keeps the file as the analyst wrote it, not only its values: an existing file is loaded
round-trip (ruamel.yaml) and edited in place (`_edited`), so only the lines of what changed move;
every comment, quote, flow or block style and key order of the rest stays, and a save that changes
no value changes no byte ("no change"). A new file, or an edit whose text would not read back
(PyYAML, as `firmo icp check` reads it) to exactly the ICP, is written by `dump`: plain block YAML
after the file's leading comment block.

A delete (`delete_file`) moves the file into `<icp dir>/.deleted/`, stamped, so it can be restored.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from firmo.files import fsync_dir
from firmo.icp.config import (
    DEFAULT_ROLES,
    DEFAULT_SIGNAL_WEIGHTS,
    NAME_RE,
    IcpError,
    load_yaml_text,
)
from firmo.reference import naf

NAF_HITS = 10


@dataclass(frozen=True)
class Control:
    """One form control: the key it edits, its kind, its label, the default shown as placeholder."""

    path: str
    kind: str
    label: str
    placeholder: str = ""
    options: tuple[str, ...] = ()
    group: str = ""
    data: dict[str, str] = field(default_factory=dict)


def _controls() -> list[Control]:
    c = Control
    out = [
        c("description", "text", "Description", group="List"),
        c("max_leads", "number", "Max leads", "5000", group="List"),
        c("criteria.naf.nomenclature", "select", "NAF nomenclature", options=("", "naf_rev2", "naf2025"), group="NAF"),
        c("criteria.naf.include", "list", "NAF include", "62, 62.01Z, J", group="NAF", data={"naf": "1"}),
        c("criteria.naf.exclude", "list", "NAF exclude", "84", group="NAF", data={"naf": "1"}),
        c("criteria.headcount.min", "number", "Headcount min", group="Size"),
        c("criteria.headcount.max", "number", "Headcount max", group="Size"),
        c("criteria.revenue.min", "number", "Revenue min (€)", group="Size"),
        c("criteria.revenue.max", "number", "Revenue max (€)", group="Size"),
        c(
            "criteria.revenue.unknown",
            "select",
            "Revenue unknown",
            options=("", "keep", "drop", "penalty"),
            group="Size",
        ),
        c("criteria.revenue.penalty", "number", "Revenue unknown penalty", "15", group="Size"),
        c("criteria.company_categories", "list", "Company categories", "PME, ETI, GE", group="Size"),
        c("criteria.employer_only", "bool", "Employers only", group="Size"),
        c("criteria.regions", "list", "Régions", "Bretagne, Pays de la Loire", group="Places"),
        c("criteria.departements", "list", "Départements", "44, 85", group="Places"),
        c("criteria.communes", "list", "Communes", "Nantes, 44000, 44109", group="Places"),
        c("criteria.epci", "list", "EPCI", "Nantes Métropole", group="Places"),
        c("criteria.near.commune", "text", "Near commune", "Nantes", group="Places"),
        c("criteria.near.lat", "number", "Near lat", group="Places"),
        c("criteria.near.lon", "number", "Near lon", group="Places"),
        c("criteria.near.radius_km", "number", "Radius (km)", "30", group="Places"),
        c("criteria.legal_forms", "list", "Legal forms", "5710, SAS", group="Company"),
        c("criteria.age_years.min", "number", "Age min (years)", group="Company"),
        c("criteria.age_years.max", "number", "Age max (years)", group="Company"),
        c("criteria.exclude_collective_proceedings", "bool", "Exclude collective proceedings", "true", group="Company"),
        c("criteria.exclude_closed", "bool", "Exclude closed", "true", group="Company"),
        c("criteria.labels.any", "list", "Labels (any)", "rge, qualiopi", group="Open data"),
        c("criteria.labels.all", "list", "Labels (all)", group="Open data"),
        c("criteria.labels.valid_on", "text", "Labels valid on", "YYYY-MM-DD", group="Open data"),
        c("criteria.idcc.codes", "list", "IDCC codes", "1486", group="Open data"),
        c("criteria.idcc.search", "text", "IDCC search", "syntec", group="Open data"),
        c("criteria.public_contracts", "block", "Won public contracts", group="Open data"),
        c("criteria.public_contracts.within_days", "number", "Contracts within days", "365", group="Open data"),
        c("criteria.public_contracts.min_contracts", "number", "Min contracts", "1", group="Open data"),
        c("criteria.public_contracts.min_amount", "number", "Min amount (€)", group="Open data"),
        c("criteria.public_contracts.cpv_prefixes", "list", "CPV prefixes", "45", group="Open data"),
        c("criteria.public_contracts.buyer_categories", "list", "Buyer categories", group="Open data"),
        c("criteria.hiring", "block", "Hiring", group="Open data"),
        c("criteria.hiring.within_days", "number", "Offers within days", "30", group="Open data"),
        c("criteria.hiring.min_offers", "number", "Min offers", "1", group="Open data"),
        c("criteria.hiring.rome_prefixes", "list", "ROME prefixes", "M18", group="Open data"),
        c(
            "criteria.decision_makers",
            "roles",
            "Decision makers (one a line; persona: function/seniority)",
            "\n".join(DEFAULT_ROLES),
            group="Decision makers",
        ),
        c("criteria.require_decision_maker", "bool", "Require a decision maker", group="Decision makers"),
        c("scoring.tiers.hot", "number", "Hot from", "70", group="Scoring"),
        c("scoring.tiers.warm", "number", "Warm from", "45", group="Scoring"),
        c("scoring.fit_share", "number", "Fit share", "0.6", group="Scoring"),
        c("scoring.half_life_days", "number", "Signal half-life (days)", "90", group="Scoring"),
    ]
    for key, default in (("naf", 40), ("headcount", 25), ("revenue", 20), ("authority", 15)):
        out.append(c(f"scoring.fit_weights.{key}", "number", f"Fit weight: {key}", str(default), group="Scoring"))
    for key, default in (("persona", 100), ("officer", 80), ("holding", 60), ("company", 20)):
        out.append(c(f"scoring.authority_weights.{key}", "number", f"Authority: {key}", str(default), group="Scoring"))
    for signal, weight in DEFAULT_SIGNAL_WEIGHTS.items():
        out.append(c(f"scoring.signal_weights.{signal}", "number", signal, f"{weight:g}", group="Signal weights"))
    return out


CONTROLS = _controls()
_KIND = {c.path: c.kind for c in CONTROLS}
BLOCKS = {c.path for c in CONTROLS if c.kind == "block"}


def _get(data: dict, path: str) -> tuple[bool, object]:
    node: object = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set(data: dict, path: str, value: object) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _role_line(value: object) -> str:
    if isinstance(value, dict):
        return f"{value.get('function', '')}/{value.get('seniority', 'head')}"
    return str(value)


def _rest(data: dict, prefix: str = "") -> dict:
    """What no control covers (a leaf, or a whole sub-tree no control reaches into)."""
    out: dict = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in _KIND and _KIND[path] != "block":
            continue
        inner = [p for p in _KIND if p.startswith(path + ".")]
        if inner and isinstance(value, dict):
            below = _rest(value, path + ".")
            if below:
                out[key] = below
        elif path in BLOCKS:
            continue
        elif key != "name":
            out[key] = value
    return out


def to_form(data: dict) -> dict[str, str]:
    """The form's values for a parsed ICP file: path -> text ('' when the file does not say)."""
    form: dict[str, str] = {}
    for control in CONTROLS:
        found, value = _get(data, control.path)
        if not found or value is None:
            form[control.path] = ""
        elif control.kind == "block":
            form[control.path] = "true"
        elif control.kind == "list":
            items = value if isinstance(value, list) else [value]
            form[control.path] = ", ".join(_text(v) for v in items)
        elif control.kind == "roles":
            form[control.path] = "\n".join(_role_line(v) for v in (value if isinstance(value, list) else [value]))
        else:
            form[control.path] = _text(value)
    rest = _rest(data)
    form["rest"] = json.dumps(rest, ensure_ascii=False, default=str) if rest else ""
    return form


def _number(text: str) -> int | float | str:
    try:
        number = float(text)
    except ValueError:
        return text  # the checks say what is wrong, beside the field
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _parse_role(line: str) -> object:
    if "/" in line:
        function, _, seniority = line.partition("/")
        return {"function": function.strip(), "seniority": seniority.strip() or "head"}
    return line


def from_form(form: dict[str, str]) -> dict:
    """The ICP the form says, as the nested mapping of its YAML file: a control left empty writes
    no key (the default applies); a block checkbox writes its mapping even when empty.
    `pipelines/static/builder.js` applies the same rules in the browser."""
    rest = form.get("rest", "").strip()
    data: dict = json.loads(rest) if rest else {}
    if not isinstance(data, dict):
        raise ValueError("rest: a JSON object")
    for control in CONTROLS:
        text = form.get(control.path, "").strip()
        if control.kind == "block":
            if text == "true":
                found, _ = _get(data, control.path)
                if not found:
                    _set(data, control.path, {})
            continue
        if not text:
            continue
        if control.kind == "number":
            _set(data, control.path, _number(text))
        elif control.kind == "bool":
            _set(data, control.path, text == "true")
        elif control.kind == "list":
            _set(data, control.path, [v.strip() for v in text.replace("\n", ",").split(",") if v.strip()])
        elif control.kind == "roles":
            _set(data, control.path, [_parse_role(v.strip()) for v in text.splitlines() if v.strip()])
        else:
            _set(data, control.path, text)
    data.setdefault("criteria", {})  # an ICP says what it selects; an empty form selects everyone
    return _ordered(data)


_ORDER = ["name", "description", "criteria", "max_leads", "scoring", "alerts"]


def _ordered(data: dict) -> dict:
    """Top-level keys in the order the shipped files use, so a saved file reads like one."""
    return {k: data[k] for k in sorted(data, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))}


def dump(data: dict, header: str = "") -> str:
    """The YAML text of an ICP mapping, after the file's leading comments (kept as they were)."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
    return header + body


def header_of(text: str) -> str:
    """The leading comment lines of a file (what an analyst wrote about the ICP)."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def icp_path(icp_dir: Path, name: str) -> Path:
    if not NAME_RE.match(name):
        raise ValueError(f"ICP name {name!r} must be lower-case letters, digits and '_', starting with a letter")
    return icp_dir / f"{name}.yaml"


def read_file(icp_dir: Path, name: str) -> tuple[str, dict]:
    """An ICP file's text and mapping ('' and {} when there is none yet); raises IcpError."""
    path = icp_path(icp_dir, name)
    if not path.exists():
        return "", {}
    text = path.read_text(encoding="utf-8")
    try:
        data = load_yaml_text(text)
    except Exception as exc:  # YAML errors and refused anchors alike: the form cannot open it
        raise IcpError(str(path), [f"not a plain YAML mapping: {exc}"]) from None
    if not isinstance(data, dict):
        raise IcpError(str(path), ["the file must be a mapping of keys (name, criteria, scoring, max_leads)"])
    return text, data


def proposed(icp_dir: Path, name: str, data: dict) -> tuple[str, str, str]:
    """(old text, new text, unified diff) of saving `data` as icps/<name>.yaml. The file's own
    `name:` is dropped when it equals the file name (the default), as in the shipped files; an
    existing file keeps its `name:` line when it says the file name, and everything else it says
    the way it says it (`_edited`)."""
    old, _ = read_file(icp_dir, name)
    data = _ordered({k: v for k, v in data.items() if not (k == "name" and v == name)})
    new = (_edited(old, name, data) if old else None) or dump(data, header_of(old))
    diff = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}.yaml", f"b/{name}.yaml"
        )
    )
    return old, new, diff


_SEQUENCE_INDENTS = ((2, 0), (4, 2))  # `key:\n- item` and `key:\n  - item`, the two layouts in use


def _roundtrip(sequence: int, offset: int) -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 110
    rt.indent(mapping=2, sequence=sequence, offset=offset)
    return rt


def _rt_dump(rt: YAML, node: object) -> str:
    out = io.StringIO()
    rt.dump(node, out)
    return out.getvalue()


def _moved(old: str, rt: YAML) -> int:
    """How many lines a load and dump with `rt`'s layout changes in a file that nothing edits."""
    again = _rt_dump(rt, rt.load(old))
    return sum(
        1 for line in difflib.unified_diff(old.splitlines(), again.splitlines(), lineterm="") if line[:1] in "+-"
    )


def _edited(old: str, name: str, data: dict) -> str | None:
    """The old file's text with only what changed rewritten: loaded round-trip (ruamel.yaml), its
    mapping updated in place to equal `data`, dumped again, so a key left alone keeps its comments,
    quotes, flow or block style and place. The sequence layout is the one that re-dumps the file
    closest to itself. None (write the plain dump) when the file cannot be loaded so, or when the
    text would not parse back (PyYAML, YAML 1.1, as `firmo icp check` reads it) to exactly `data`:
    ruamel reads YAML 1.2, where `yes` is a string."""
    target = dict(data)
    parsed = load_yaml_text(old)
    if "name" not in target and isinstance(parsed, dict) and parsed.get("name") == name:
        target["name"] = name  # the file says its own name: keep the line
    if same(parsed, target):
        return old  # nothing changed: not even the layout
    try:
        rt = min((_roundtrip(*indents) for indents in _SEQUENCE_INDENTS), key=lambda rt: _moved(old, rt))
        tree = rt.load(old)
    except Exception:  # noqa: BLE001 - what ruamel cannot round-trip gets the plain dump
        return None
    if not isinstance(tree, CommentedMap):
        return None
    _update(tree, target)
    text = _kept_comments(old, _rt_dump(rt, tree))
    try:
        parsed = load_yaml_text(text)
    except Exception:  # noqa: BLE001 - same as above
        return None
    return text if same(parsed, target) else None


def _kept_comments(old: str, new: str) -> str:
    """`new` with the full-line comments ruamel dropped along with a deleted key put back when
    they sat below it, above a key that stays: ruamel files the comment lines between two keys
    under the first one (under the last item of its value, when that is a list), but an analyst
    writes them about the second. The comments just above a deleted key go with it. An edited
    line keeps the gap before its end-of-line comment (`_comment_gap`)."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            out.extend(_comment_gap(o, n) for o, n in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True))
        else:
            out.extend(new_lines[j1:j2])
        if op in ("delete", "replace") and i2 < len(old_lines):
            gone = old_lines[i1:i2]
            tail = len(gone)
            while tail > 0 and gone[tail - 1].lstrip().startswith("#"):
                tail -= 1
            trailing = gone[tail:]
            if trailing and trailing != new_lines[j2 - len(trailing) : j2]:
                out.extend(trailing)
    return "".join(out)


def _comment_gap(old: str, new: str) -> str:
    """`new` (an edited line) with the gap before its end-of-line comment the old line had, when
    ruamel shrank it to one space because the longer value reached the comment's column. (A `#`
    inside a quoted value would change the value: the read-back check then refuses the edit.)"""
    for i, char in enumerate(old):
        if char == "#" and old[i - 1 : i] == " ":
            comment = old[i:]
            gap = len(old[:i]) - len(old[:i].rstrip(" "))
            if gap > 1 and new.endswith(" " + comment) and not new.endswith("  " + comment):
                return new[: -len(comment)].rstrip(" ") + " " * gap + comment
    return new


def same(a: object, b: object) -> bool:
    """Equal values of the same YAML kind: `True` is not `1`, `5` is not `5.0`, as a file says them."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return _kind(a) == _kind(b) and a == b


def _kind(value: object) -> type:
    for kind in (bool, int, float, str, dict, list):
        if isinstance(value, kind):
            return kind
    return type(value)


def _update(node: CommentedMap, data: dict) -> None:
    """Make `node` equal `data` in place: removed keys deleted, changed values set (mappings and
    sequences edited item by item, so their style stays), new keys appended."""
    for key in [k for k in node if k not in data]:
        del node[key]
    for key, value in data.items():
        if key in node:
            node[key] = _merged(node[key], value)
        else:
            node[key] = value


def _merged(old: object, new: object) -> object:
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        _update(old, new)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        del old[len(new) :]
        for i, value in enumerate(new):
            if i < len(old):
                old[i] = _merged(old[i], value)
            else:
                old.append(value)
        return old
    return old if same(old, new) else new


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename, so the
    sensor and `firmo icp build` never read half a file, and the file survives a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


DELETED = ".deleted"  # the sensor and `firmo icp build` read only the folder's own *.yaml, not below


def delete_file(icp_dir: Path, name: str, now: datetime | None = None) -> Path:
    """Move icps/<name>.yaml to icps/.deleted/<name>.<UTC stamp>.yaml (a rename, never an unlink),
    so a delete from the page can be undone by moving the file back. Returns where it went;
    raises FileNotFoundError when there is no such file."""
    path = icp_path(icp_dir, name)
    if not path.is_file():
        raise FileNotFoundError(f"no ICP file {path.name} in {icp_dir}")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = icp_dir / DELETED
    folder.mkdir(exist_ok=True)
    target = folder / f"{name}.{stamp}.yaml"
    n = 1
    while target.exists():  # two deletes of the same name within a second keep both files
        target = folder / f"{name}.{stamp}.{n}.yaml"
        n += 1
    os.rename(path, target)
    fsync_dir(folder)
    fsync_dir(icp_dir)
    return target


def naf_search(query: str, limit: int = NAF_HITS) -> list[dict[str, str]]:
    """Sous-classes, divisions and sections of both nomenclatures whose code starts with the query
    or whose label contains it (accents and case ignored): codes first, then labels, in code order."""
    from firmo.icp.config import fold

    q = fold(query)
    if not q:
        return []
    code_q = query.strip().upper()
    hits: list[tuple[int, str, dict[str, str]]] = []
    for name in naf.NOMENCLATURES:
        nom = naf.nomenclature(name)
        entries = [
            *(("section", code, label) for code, label in nom.sections.items()),
            *(("division", code, label) for code, (_, label) in nom.divisions.items()),
            *(("sous-classe", code, label) for code, label in nom.labels.items()),
        ]
        for level, code, label in entries:
            by_code = code.upper().startswith(code_q) and len(code_q) > 1 or code.upper() == code_q
            if by_code or q in fold(label):
                hits.append(
                    (
                        0 if by_code else 1,
                        code,
                        {
                            "code": code,
                            "label": label,
                            "level": level,
                            "nomenclature": name,
                            "value": code if level == "sous-classe" or name == naf.REV2 else f"{name}:{code}",
                        },
                    )
                )
    hits.sort(key=lambda h: (h[0], h[2]["level"] != "sous-classe", naf.NOMENCLATURES.index(h[2]["nomenclature"]), h[1]))
    return [h[2] for h in hits[:limit]]
