"""`firmo icp translate`: rewrite an ICP file's NAF criteria into the other nomenclature.

An ICP written in NAF rév. 2 keeps working after the switch to NAF 2025 (a pattern selects
companies coded in either, firmo.icp.validate), so translating is a choice, not a chore: it makes
the file read in the codes the registry will use. Each pattern becomes the sous-classes INSEE's
correspondence gives for its own sous-classes (every target of a split), written as the fewest
sections, divisions, groupes, classes and codes of the target nomenclature that cover exactly
them (firmo.reference.naf.cover). What the correspondence widens is printed: splits, and target
codes that also receive codes outside the pattern (a merge), since the translated file selects
those too.

Only the NAF values are edited, in place in the text (their positions come from the YAML
parser): comments, key order, quoting and layout of everything else stay as they were. A value
that a translation makes a duplicate of an earlier one in the same list is removed (a block list
item goes with its line, comment included: the printout says so). The result is checked like
any ICP file before it replaces the original, atomically (temporary file, then rename).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from firmo.icp.config import IcpError, load_yaml_text, parse_icp, read_icp
from firmo.icp.validate import NAF_LEVEL_WORDS, NAF_MARKER, NafTerm, naf_term, resolve
from firmo.reference import naf as nafref

TARGETS = {"naf2025": nafref.NAF2025, "naf_rev2": nafref.REV2}


@dataclass
class Translation:
    """What `translate_icp` did: the new text and one readable line per change."""

    path: Path
    to: str
    text: str
    changed: bool
    lines: list[str] = field(default_factory=list)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


_PLAIN_SAFE = re.compile(r"^(?:\d{2}\.\d{2}[A-Z]|[A-V])$")  # YAML reads these unquoted as text


def _quoted(value: str, style: str | None) -> str:
    """The value written as the original was: plain when YAML would still read it as this text
    (not `62` nor `77.1`, numbers), else in the original's quotes (double for a plain one)."""
    if style is None and _PLAIN_SAFE.match(value):
        return value
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _describe(term: NafTerm) -> str:
    level = nafref.level(term.value)
    return (
        term.value
        if level == "sous-classe"
        else f"{nafref.LABELS[term.nomenclature]} {NAF_LEVEL_WORDS[level]} {term.value}"
    )


def _widening(term: NafTerm, listed: set[str], verb: str) -> list[str]:
    """Splits among the pattern's sous-classes, and target codes shared with codes the list does
    not name (`listed`: every sous-classe of the list's patterns in this nomenclature)."""
    source = term.nomenclature
    members = nafref.nomenclature(source).members(term.value)
    out = []
    splits = [(c, nafref.counterparts(c, source)) for c in members if len(nafref.counterparts(c, source)) > 1]
    for code, targets in splits[:20]:
        out.append(f"    split: {code} → {', '.join(targets)}")
    if len(splits) > 20:
        out.append(f"    … and {len(splits) - 20} more splits")
    merges = [
        (t, [s for s in nafref.counterparts(t, nafref.other(source)) if s not in listed]) for t in term.translation
    ]
    merges = [(t, outside) for t, outside in merges if outside]
    for target, outside in merges[:20]:
        out.append(
            f"    merge: {target} also receives {', '.join(outside)}, not in the list: the translated file "
            f"{verb} companies coded {target} that were {', '.join(outside)} too"
        )
    if len(merges) > 20:
        out.append(f"    … and {len(merges) - 20} more merges")
    return out


def translate_icp(path: str | Path, to: str) -> Translation:
    """The file's text with its NAF criteria in nomenclature `to` ('naf2025' or 'naf_rev2').
    Raises IcpError for a file that is not a valid ICP, or a pattern with no counterpart."""
    path = Path(path)
    if to not in TARGETS:
        raise IcpError(str(path), [f"--to must be one of {', '.join(TARGETS)}, not {to!r}"])
    target = TARGETS[to]
    config = read_icp(path)  # every problem of the file, before anything is rewritten
    resolve(config, source=str(path))
    text = path.read_text(encoding="utf-8")
    naf_node = _child(_child(yaml.compose(text, Loader=yaml.SafeLoader), "criteria"), "naf")
    default = config.criteria.naf.nomenclature
    nomenclature_node = _child(naf_node, "nomenclature")
    # with a `nomenclature:` key the file reads bare prefixes in it: it is switched to the target
    after = target if nomenclature_node is not None else nafref.REV2
    edits: list[tuple[int, int, str]] = []
    lines: list[str] = []
    if nomenclature_node is not None and default != target:
        edits.append((nomenclature_node.start_mark.index, nomenclature_node.end_mark.index, to))
        lines.append(f"criteria.naf.nomenclature: {default} → {to}")
    errors: list[str] = []
    regraded = False
    for key in ("include", "exclude"):
        seq = _child(naf_node, key)
        if not isinstance(seq, yaml.SequenceNode):
            continue
        where = f"criteria.naf.{key}"
        verb = "selects" if key == "include" else "excludes"
        seen: set[str] = set()  # NafTerm.text of what the list already holds
        listed: dict[str, set[str]] = {nafref.REV2: set(), nafref.NAF2025: set()}
        for item in seq.value:
            found = naf_term(item.value, default)[0] if isinstance(item, yaml.ScalarNode) else None
            if found is not None:
                listed[found.nomenclature].update(nafref.nomenclature(found.nomenclature).members(found.value))
        for item in seq.value:
            if not isinstance(item, yaml.ScalarNode):
                continue
            term, error = naf_term(item.value, default)
            if term is None:  # resolve() above accepted the file, so this does not happen: never guess
                errors.append(f"{where}: {error}")
                continue
            if term.nomenclature == target:  # already there: left as written
                seen.add(term.text)
                continue
            if not term.translation:
                errors.append(
                    f"{where}: {term.text} has no {nafref.LABELS[target]} counterpart; remove it or replace it by hand"
                )
                continue
            patterns = nafref.cover(term.translation, target)
            regraded |= {nafref.level(p) for p in patterns} != {term.level}
            canonical = [p if len(p) == 6 or target == nafref.REV2 else NAF_MARKER[target] + p for p in patterns]
            written = [p if len(p) == 6 or target == after else NAF_MARKER[target] + p for p in patterns]
            fresh = [w for w, c in zip(written, canonical, strict=True) if c not in seen]
            seen.update(canonical)
            lines.append(f"{where}: {_describe(term)} → {', '.join(written)}")
            lines.extend(_widening(term, listed[term.nomenclature], verb))
            if len(fresh) < len(written):
                lines.append(f"{where}: {', '.join(w for w in written if w not in fresh)} already listed, not repeated")
            edits.extend(_replacement(text, item, seq.flow_style, fresh, where, lines))
    if errors:
        raise IcpError(str(path), errors)
    new_text = _apply(text, edits)
    if new_text != text:
        if regraded:
            lines.append(
                "note: a translated pattern's fit grade follows its new level (section 70, division 80, "
                "group 90, class or code 100)"
            )
        try:
            translated = parse_icp(load_yaml_text(new_text), default_name=path.stem, source=str(path))
            resolve(translated, source=str(path))
        except (IcpError, yaml.YAMLError) as exc:  # a bug here must never reach the file
            raise IcpError(str(path), [f"the translated file would not be valid: {exc}"]) from None
    return Translation(path=path, to=to, text=new_text, changed=new_text != text, lines=lines)


def _replacement(
    text: str, item: yaml.ScalarNode, flow: bool, values: list[str], where: str, lines: list[str]
) -> list[tuple[int, int, str]]:
    """Edits putting `values` where `item` is (several values: more items; none: item removed)."""
    start, end = item.start_mark.index, item.end_mark.index
    quoted = [_quoted(v, item.style) for v in values]
    if flow:
        if quoted:
            return [(start, end, ", ".join(quoted))]
        before = text.rfind(",", 0, start)
        after = text.find(",", end)
        closing = min(i for i in (text.find("]", end), len(text)) if i >= 0)
        if after != -1 and after < closing:  # 'x, ' -> ''
            stop = after + 1
            while stop < len(text) and text[stop] == " ":
                stop += 1
            return [(start, stop, "")]
        return [(before if before != -1 else start, end, "")]  # ', x' -> ''
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    indicator = text[line_start:start]  # '    - '
    if not quoted:
        comment = text[end:line_end].strip()
        if comment:
            lines.append(f"{where}: removed the line {text[line_start:line_end].strip()!r} (its comment with it)")
        return [(line_start, min(line_end + 1, len(text)), "")]
    edits = [(start, end, quoted[0])]
    if len(quoted) > 1:
        prefix = indicator if indicator.strip() == "-" else " " * (len(indicator) - len(indicator.lstrip())) + "- "
        edits.append((line_end, line_end, "".join("\n" + prefix + q for q in quoted[1:])))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one rename: a crash leaves the old file or the new one, never half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
