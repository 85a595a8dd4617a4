"""The builder's save keeps what the file says beyond its values: comments inside the YAML,
quotes, flow or block style, key order; only the lines of what changed move. And its delete,
which moves the file aside instead of removing it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from firmo.icp.config import load_yaml_text
from firmo.workspace import builder
from pipelines.workspace_app import create_app
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "icps").glob("*.yaml"))

TECH = """# Tech PME
# owner: sales
criteria:
  # which trades
  naf:
    include: ['62', '63']  # software and data
    exclude: ['84']
  # size band
  headcount: {min: 10, max: 250}
  regions:
  - Bretagne  # home
  - Normandie
  # only employers
  employer_only: true
max_leads: 500  # CRM quota
"""


def _save(tmp_path: Path, data: dict, text: str = TECH) -> tuple[str, str]:
    (tmp_path / "tech.yaml").write_text(text, encoding="utf-8")
    _, new, diff = builder.proposed(tmp_path, "tech", data)
    assert builder.same(load_yaml_text(new), data)  # the text written is exactly the ICP
    return new, diff


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_saving_a_shipped_file_unchanged_changes_nothing(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    (tmp_path / path.name).write_text(text, encoding="utf-8")
    data = builder.from_form(builder.to_form(load_yaml_text(text)))
    assert builder.proposed(tmp_path, path.stem, data) == (text, text, "")


def test_one_value_changed_touches_only_its_line(tmp_path):
    data = load_yaml_text(TECH)
    data["criteria"]["headcount"]["max"] = 500
    new, diff = _save(tmp_path, data)
    assert new == TECH.replace("{min: 10, max: 250}", "{min: 10, max: 500}")
    assert diff == (
        "--- a/tech.yaml\n+++ b/tech.yaml\n@@ -6,7 +6,7 @@\n"
        "     include: ['62', '63']  # software and data\n"
        "     exclude: ['84']\n"
        "   # size band\n"
        "-  headcount: {min: 10, max: 250}\n"
        "+  headcount: {min: 10, max: 500}\n"
        "   regions:\n"
        "   - Bretagne  # home\n"
        "   - Normandie\n"
    )


def test_a_removed_key_takes_its_lines_and_the_comment_above_it_only(tmp_path):
    data = load_yaml_text(TECH)
    del data["criteria"]["regions"]
    new, _ = _save(tmp_path, data)
    # the comment below the list is about employer_only: it stays
    assert new == TECH.replace("  regions:\n  - Bretagne  # home\n  - Normandie\n", "")
    data = load_yaml_text(TECH)
    del data["criteria"]["headcount"]
    new, _ = _save(tmp_path, data)
    assert new == TECH.replace("  # size band\n  headcount: {min: 10, max: 250}\n", "")


def test_lists_keep_their_style_and_new_keys_come_last(tmp_path):
    data = load_yaml_text(TECH)
    data["criteria"]["naf"]["include"] = ["62", "63", "58"]
    data["criteria"]["regions"] = ["Bretagne"]
    data["scoring"] = {"fit_share": 0.5}
    new, _ = _save(tmp_path, data)
    assert new == (
        TECH.replace("['62', '63']  #", "['62', '63', '58']  #").replace("  - Normandie\n", "")
        + "scoring:\n  fit_share: 0.5\n"
    )


def test_the_file_s_own_name_line_stays_and_a_new_file_is_the_plain_dump(tmp_path):
    text = "name: tech  # as the file\ncriteria:\n  regions: [Bretagne]\n"
    (tmp_path / "tech.yaml").write_text(text, encoding="utf-8")
    assert builder.proposed(tmp_path, "tech", {"criteria": {"regions": ["Bretagne"]}}) == (text, text, "")
    data = {"criteria": {"regions": ["Bretagne", "Normandie"]}}
    assert builder.proposed(tmp_path, "tech", data)[1] == text.replace("[Bretagne]", "[Bretagne, Normandie]")
    _, new, _ = builder.proposed(tmp_path, "fresh", {"criteria": {"naf": {"include": ["62"]}}, "max_leads": 10})
    assert new == "criteria:\n  naf:\n    include: ['62']\nmax_leads: 10\n"


def test_what_yaml_1_1_reads_otherwise_falls_back_to_the_plain_dump(tmp_path):
    # ruamel writes the string `yes` bare (a string in YAML 1.2), PyYAML would read True: the
    # edit is refused and the whole file is written plainly, its leading comments kept
    data = load_yaml_text(TECH)
    data["description"] = "yes"
    new, _ = _save(tmp_path, data)
    assert new == builder.dump(builder._ordered(data), "# Tech PME\n# owner: sales\n")
    assert "description: 'yes'\n" in new


def test_delete_moves_the_file_under_deleted_with_its_utc_stamp(tmp_path):
    (tmp_path / "tech.yaml").write_text(TECH, encoding="utf-8")
    now = datetime(2026, 12, 1, 20, 5, 9, tzinfo=UTC)
    assert builder.delete_file(tmp_path, "tech", now) == tmp_path / ".deleted" / "tech.20261201T200509Z.yaml"
    assert not (tmp_path / "tech.yaml").exists()
    (tmp_path / "tech.yaml").write_text("criteria: {}\n", encoding="utf-8")
    assert builder.delete_file(tmp_path, "tech", now) == tmp_path / ".deleted" / "tech.20261201T200509Z.1.yaml"
    assert [(p.name, p.read_text()) for p in sorted((tmp_path / ".deleted").iterdir())] == [
        ("tech.20261201T200509Z.1.yaml", "criteria: {}\n"),
        ("tech.20261201T200509Z.yaml", TECH),
    ]
    with pytest.raises(FileNotFoundError, match="no ICP file tech.yaml in"):
        builder.delete_file(tmp_path, "tech", now)


def test_delete_from_the_page_asks_json_then_moves_the_file(warehouse):
    icps = warehouse / "icps"
    (icps / "to_delete.yaml").write_text(TECH, encoding="utf-8")
    try:
        with TestClient(create_app(settings_for(warehouse), as_of=AS_OF)) as c:
            assert 'id="delete" data-name="to_delete"' in c.get("/icp/to_delete").text
            assert 'id="delete"' not in c.get("/icp/new").text
            form_post = c.request("DELETE", "/api/icps/to_delete", content=b"x=1")
            assert (form_post.status_code, (icps / "to_delete.yaml").exists()) == (415, True)
            bad = c.request("DELETE", "/api/icps/Bad-Name", json={})
            assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "name")
            before = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            done = c.request("DELETE", "/api/icps/to_delete", json={})
            after = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            assert done.status_code == 200
            body = done.json()
            assert body in [
                {"file": "to_delete.yaml", "deleted": True, "moved_to": f".deleted/to_delete.{stamp}.yaml"}
                for stamp in (before, after)
            ]
            assert not (icps / "to_delete.yaml").exists()
            assert (icps / body["moved_to"]).read_text(encoding="utf-8") == TECH
            assert "to_delete" not in [i["name"] for i in c.get("/api/icps").json()["icps"]]
            again = c.request("DELETE", "/api/icps/to_delete", json={})
            assert (again.status_code, again.json()["error"]) == (404, f"no ICP file to_delete.yaml in {icps}")
    finally:
        shutil.rmtree(icps / ".deleted", ignore_errors=True)
        (icps / "to_delete.yaml").unlink(missing_ok=True)


def test_an_edited_line_keeps_the_gap_before_its_comment_and_a_hash_in_a_value_is_not_one(tmp_path):
    text = "criteria:\n  regions: [Bretagne]    # west\n  communes: ['a #b']  # odd name\n"
    data = load_yaml_text(text)
    data["criteria"]["regions"] = ["Bretagne", "Normandie"]
    new, _ = _save(tmp_path, data, text)
    assert new == text.replace("[Bretagne]    # west", "[Bretagne, Normandie]    # west")
    data = load_yaml_text(text)
    data["criteria"]["communes"] = ["a #b", "Nantes"]
    new, _ = _save(tmp_path, data, text)
    assert new == text.replace("['a #b']  # odd", "['a #b', Nantes]  # odd")
