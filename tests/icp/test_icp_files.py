"""Reading ICP files: hostile YAML (aliases, size, nesting, bytes) and files that select nothing
by accident are refused with one readable error, before any expansion or query."""

from __future__ import annotations

import pytest

from firmo.icp import IcpError, read_icp
from firmo.icp.config import MAX_FILE_BYTES

ANCHOR_ERROR = ("line 1: YAML anchor &a0 is not allowed in an ICP file (anchors and aliases can blow a small "
                "file up to gigabytes); write the values out")
NO_CRITERIA = "criteria: missing; an ICP file says what it selects (write `criteria: {}` to select every company)"


def billion_laughs() -> str:
    """Nine levels of nine aliases: 457 bytes that `yaml.safe_load` expands to 9^9 strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join([*lines, "criteria: {regions: *a8}"]) + "\n"


def errors(tmp_path, text: str | bytes, name: str = "t.yaml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(IcpError) as exc:
        read_icp(path)
    assert str(exc.value).startswith(f"{path}: {len(exc.value.errors)} error(s) in ICP file")
    return exc.value.errors


def test_billion_laughs_file_is_refused_at_its_first_anchor(tmp_path):
    text = billion_laughs()
    assert len(text.encode()) == 457
    assert errors(tmp_path, text) == [ANCHOR_ERROR]


def test_a_lone_alias_or_anchor_is_refused_with_its_line(tmp_path):
    assert errors(tmp_path, "criteria:\n  regions: *idf\n") == [
        "line 2: YAML alias *idf is not allowed in an ICP file (anchors and aliases can blow a small file up to "
        "gigabytes); write the values out"]
    assert errors(tmp_path, "criteria:\n  naf: &naf {include: [J]}\n")[0].startswith("line 2: YAML anchor &naf ")


def test_size_limit(tmp_path):
    head = "criteria: {}\n"
    at_limit = head + "#" * (MAX_FILE_BYTES - len(head) - 1) + "\n"
    assert len(at_limit) == MAX_FILE_BYTES == 262_144
    (tmp_path / "big.yaml").write_text(at_limit)
    assert read_icp(tmp_path / "big.yaml").name == "big"
    assert errors(tmp_path, at_limit + "#") == ["file is over 256 KiB: not an ICP file"]


def test_deep_nesting_and_binary_files(tmp_path):
    assert errors(tmp_path, "criteria: {regions: " + "[" * 5000 + "]" * 5000 + "}\n") == ["YAML nested too deeply"]
    assert errors(tmp_path, b"criteria: {}\n\xff\xfe") == ["not UTF-8 text (byte 13)"]
    assert errors(tmp_path, "criteria: !!python/object:os.system {}\n")[0].startswith("not valid YAML: could not "
                                                                                      "determine a constructor")


def test_a_file_must_say_what_it_selects(tmp_path):
    assert errors(tmp_path, "") == [
        "the file is empty; an ICP file says what it selects (write `criteria: {}` to select every company)"]
    assert errors(tmp_path, "# only a comment\n") == errors(tmp_path, "")
    assert errors(tmp_path, "max_leads: 5000\n") == [NO_CRITERIA]
    assert errors(tmp_path, "max_leads: 0\n") == [NO_CRITERIA, "max_leads: Input should be greater than or equal "
                                                                "to 1 (got 0)"]
    assert errors(tmp_path, "criteria:\n") == [
        "criteria: Input should be a valid dictionary or instance of Criteria (got None)"]
    (tmp_path / "everything.yaml").write_text("criteria: {}\n")
    icp = read_icp(tmp_path / "everything.yaml")
    assert (icp.name, icp.criteria.naf.include, icp.max_leads) == ("everything", [], 5000)
