"""Imports run downwards only: firmo <- sources, waterfall <- assets <- pipelines.

Why: the folder a module sits in must say what it may depend on, so a newcomer knows where a change
goes and the ground floor (firmo/) can be used, tested and shipped without the Dagster wiring above
it. This test parses every module with ``ast`` (module-level and function-level imports alike, so a
lazy import inside a function is no way round the rule) and fails with the list of offending
``file:line: import`` lines. tests/ and bench/ may import anything. One downward import is refused
too: waterfall/ never imports firmo.crm.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The floor of each top-level package: a module may import its own package and any package on a
# lower floor, never one on its own floor (other than itself) or above.
FLOORS = {"firmo": 0, "sources": 1, "waterfall": 1, "assets": 2, "pipelines": 3}

# The one sideways import allowed: the demo generator writes every registry's own file format, so
# it takes the column lists from each registry's package (sources.demo -> sources.<registry>), as
# waterfall/fake speaks every vendor's protocol. No registry package imports another.
SIDEWAYS_ALLOWED = {("sources.demo", "sources")}
# Modules directly in sources/ are shared by every registry package (the HTTP fetch, the load
# report, the table file's format, zip member and header), so any of them may import these.
SOURCES_SHARED = {"sources.download", "sources.report", "sources.table_file"}
# Downward but still refused: enrichment does not depend on the export package (suppression,
# forget and the like are firmo.compliance, which enrichment and export both use).
FORBIDDEN = {("waterfall", "firmo.crm")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The absolute dotted names an import statement brings in (relative ones resolved); for
    `from a import b`, both `a` and `a.b`, since `b` may be a module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level == 0:
            source = node.module or ""
        else:
            base = module.split(".")
            if not is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        return [source] + [f"{source}.{alias.name}" for alias in node.names if alias.name != "*"]
    return []


def _subpackage(name: str) -> str:
    """'sources.sirene.schema' -> 'sources.sirene': the unit kept apart inside sources/."""
    return ".".join(name.split(".")[:2])


def _violation(module: str, target: str) -> bool:
    own_top, target_top = module.split(".")[0], target.split(".")[0]
    if target_top not in FLOORS:
        return False
    if any(own_top == mine and (target == theirs or target.startswith(theirs + ".")) for mine, theirs in FORBIDDEN):
        return True
    if target_top == own_top:
        # Inside sources/, each registry package is a unit of its own: none imports another.
        if own_top == "sources" and module.count(".") >= 1 and target.count(".") >= 1:
            mine, theirs = _subpackage(module), _subpackage(target)
            if mine != theirs and theirs not in SOURCES_SHARED:
                return (mine, own_top) not in SIDEWAYS_ALLOWED
        return False
    return FLOORS[target_top] >= FLOORS[own_top]


def upward_imports() -> list[str]:
    found = []
    for top in FLOORS:
        for path in sorted((REPO / top).rglob("*.py")):
            module, text = _module_name(path), path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(text, filename=str(path))):
                if any(_violation(module, t) for t in _imported(node, module, path.name == "__init__.py")):
                    line = " ".join((ast.get_source_segment(text, node) or "").split())
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {line}")
    return found


def test_no_import_runs_upwards():
    found = upward_imports()
    assert not found, f"{len(found)} import(s) break the layers (upwards, sideways or refused):\n" + "\n".join(found)


def test_the_rule_sees_what_it_must():
    """The checker itself: an upward, a sideways and a lazy import are caught; downward ones are not."""
    assert _violation("firmo.runner", "pipelines.definitions")
    assert _violation("firmo.icp.validate", "sources.inpi.roles")
    assert _violation("assets.sirene", "pipelines.resources")
    assert _violation("sources.inpi.rne_load", "waterfall.engine")
    assert _violation("waterfall.enrich", "sources.sirene.schema")
    assert _violation("sources.bodacc.load", "sources.inpi.report")
    assert _violation("waterfall.enrich", "firmo.crm.tables")
    assert not _violation("waterfall.enrich", "firmo.compliance.suppression")
    assert not _violation("waterfall.enrich", "firmo.crmx")
    assert not _violation("sources.demo.sirene", "sources.sirene.schema")
    assert not _violation("sources.sirene.ingest", "sources.download")
    assert not _violation("sources.bodacc.load", "sources.report")
    assert not _violation("sources.sirene.ingest", "sources.sirene.schema")
    assert not _violation("pipelines.cli", "assets.partitions")
    assert not _violation("assets.sirene", "firmo.db")
    assert not _violation("pipelines.cli_icp", "firmo.db")
    tree = ast.parse("def f():\n    from ..definitions import build\n")
    node = tree.body[0].body[0]
    assert _imported(node, "firmo.icp.cli", False) == ["firmo.definitions", "firmo.definitions.build"]
    node = ast.parse("from firmo import crm").body[0]
    assert any(_violation("waterfall.enrich", name) for name in _imported(node, "waterfall.enrich", False))
