"""`firmo icp translate`: the NAF values of an ICP file rewritten in the other nomenclature,
everything else of the file (comments, layout, other keys) left as it was."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from firmo.icp import IcpError, load_icp
from firmo.icp.translate import translate_icp
from pipelines.cli_icp import icp_app

ICP = """\
# Software shops of the two big hubs.
description: test
criteria:
  naf:
    include:
      - "62"        # IT services
      - 58.29C      # software publishing
      - '77.39Z'
    exclude: ["62.09Z", "62.02B"]   # one-person shops
  regions: ["Île-de-France"]
max_leads: 100
"""


def test_translate_to_naf2025_edits_only_the_naf_values(tmp_path):
    path = tmp_path / "soft.yaml"
    path.write_text(ICP, encoding="utf-8")
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf2025"])
    assert out.exit_code == 0, out.output
    assert path.read_text(encoding="utf-8") == """\
# Software shops of the two big hubs.
description: test
criteria:
  naf:
    include:
      - "naf2025:62"        # IT services
      - 58.29Y      # software publishing
      - 'naf2025:77.1'
      - '77.39Y'
    exclude: ["62.90Y", "62.20H"]   # one-person shops
  regions: ["Île-de-France"]
max_leads: 100
"""
    assert out.stdout.splitlines() == [
        "criteria.naf.include: NAF rév. 2 division 62 → naf2025:62",
        "criteria.naf.include: 58.29C → 58.29Y",
        "    merge: 58.29Y also receives 58.29A, 58.29B, not in the list: the translated file selects companies coded "
        "58.29Y that were 58.29A, 58.29B too",
        "criteria.naf.include: 77.39Z → naf2025:77.1, 77.39Y",
        "    split: 77.39Z → 77.11Y, 77.12Y, 77.39Y",
        "    merge: 77.11Y also receives 77.11A, 77.11B, 77.12Z, not in the list: the translated file selects companies "
        "coded 77.11Y that were 77.11A, 77.11B, 77.12Z too",
        "    merge: 77.12Y also receives 77.12Z, not in the list: the translated file selects companies coded 77.12Y "
        "that were 77.12Z too",
        "criteria.naf.exclude: 62.09Z → 62.90Y",
        "criteria.naf.exclude: 62.02B → 62.20H",
        "    merge: 62.20H also receives 62.03Z, not in the list: the translated file excludes companies coded 62.20H "
        "that were 62.03Z too",
        "note: a translated pattern's fit grade follows its new level (section 70, division 80, group 90, class or "
        "code 100)",
        f"{path}: NAF criteria written in naf2025",
    ]
    icp = load_icp(path)
    assert icp.naf_include == ["naf2025:62", "58.29Y", "naf2025:77.1", "77.39Y"]
    assert icp.naf_exclude == ["62.90Y", "62.20H"]
    assert list(tmp_path.iterdir()) == [path]   # no temporary file left behind

    # and back: the correspondence widens each value, duplicates are not repeated
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf_rev2"])
    assert out.exit_code == 0, out.output
    assert "criteria.naf.include: 77.39Z already listed, not repeated" in out.stdout
    assert load_icp(path).naf_include == ["62", "58.29", "77.1", "77.39Z"]
    assert load_icp(path).naf_exclude == ["62.09Z", "62.02B", "62.03Z"]


def test_nomenclature_key_is_switched_and_bare_prefixes_follow(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("criteria:\n  naf: {nomenclature: naf2025, include: [K, 62.01Z, naf2025:58], exclude: [64.19Y]}\n",
                    encoding="utf-8")
    result = translate_icp(path, "naf_rev2")
    # under the switched key the rév. 2 prefixes are written bare, quoted where YAML would read a number
    assert result.text == ("criteria:\n  naf: {nomenclature: naf_rev2, include: [52.10B, \"61\", \"62\", \"63.1\", 63.99Z, "
                           "82.99Z, 62.01Z, \"58\"], exclude: [64.19Z]}\n")
    assert result.lines[0] == "criteria.naf.nomenclature: naf2025 → naf_rev2"
    assert path.read_text(encoding="utf-8").startswith("criteria:\n  naf: {nomenclature: naf2025")  # not written


def test_nothing_to_translate_and_dry_run_write_nothing(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(ICP, encoding="utf-8")
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf_rev2"])
    assert out.exit_code == 0 and out.stdout == f"{path}: its NAF criteria are already in naf_rev2; nothing written\n"
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf2025", "--dry-run"])
    assert out.exit_code == 0 and out.stdout.endswith(f"{path}: not written (--dry-run)\n")
    assert path.read_text(encoding="utf-8") == ICP
    copy = tmp_path / "copy.yaml"
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf2025", "-o", str(copy)])
    assert out.exit_code == 0 and path.read_text(encoding="utf-8") == ICP
    assert load_icp(copy).naf_exclude == ["62.90Y", "62.20H"]


def test_refused_files_are_left_as_they_are(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("criteria:\n  naf:\n    include: [62.10Z]\n", encoding="utf-8")
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "naf2025"])
    assert out.exit_code == 2
    assert out.output == (f"firmo: {path}: criteria.naf.include: unknown NAF rév. 2 code '62.10Z' "
                          "(did you mean '62.09Z'?)\n")
    path.write_text("criteria:\n  naf:\n    include: [46.89Y, 62.10Y]\n", encoding="utf-8")
    with pytest.raises(IcpError) as exc:
        translate_icp(path, "naf_rev2")
    assert exc.value.errors == ["criteria.naf.include: 46.89Y has no NAF rév. 2 counterpart; remove it or replace "
                                "it by hand"]
    assert path.read_text(encoding="utf-8") == "criteria:\n  naf:\n    include: [46.89Y, 62.10Y]\n"
    out = CliRunner().invoke(icp_app, ["translate", str(path), "--to", "nace"])
    assert out.exit_code == 2 and "--to must be one of naf2025, naf_rev2, not 'nace'" in out.output


def test_shipped_icps_translate_and_stay_valid(tmp_path):
    from pathlib import Path

    for source in sorted((Path(__file__).resolve().parents[2] / "icps").glob("*.yaml")):
        path = tmp_path / source.name
        path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        result = translate_icp(path, "naf2025")
        assert result.changed
        before, after = source.read_text(encoding="utf-8").splitlines(), result.text.splitlines()
        assert len(before) == len(after)   # flow lists: one line each, every comment kept
        assert [b for b, a in zip(before, after, strict=True) if b != a] == [
            b for b in before if b.lstrip().startswith(("include:", "exclude:"))]
