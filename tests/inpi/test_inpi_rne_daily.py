"""The nightly RNE refresh: windows that follow each other, dumps kept, officers replaced."""

from __future__ import annotations

import json
from datetime import date

from sources.inpi.rne_daily import dumps, refresh_rne
from sources.inpi.rne_load import load_rne


class FakeRne:
    """Stands for RneClient.iter_diff: serves the real diff sample, records the windows asked."""

    def __init__(self, items):
        self.items, self.asked = items, []

    def iter_diff(self, date_from, date_to):
        self.asked.append((date_from, date_to))
        return iter(self.items)


def officers(con):
    return con.execute("SELECT siren, family_name, role_code FROM inpi.officers ORDER BY ALL").fetchall()


def test_windows_follow_each_other_and_the_dump_survives_a_full_reload(con, tmp_path, inpi_samples):
    diff = json.loads((inpi_samples / "rne_companies_diff.json").read_text())
    api = FakeRne(diff)
    first = refresh_rne(con, api, dump_dir=tmp_path / "diff", today=date(2026, 11, 26))
    assert first.window == (date(2026, 11, 25), date(2026, 11, 26)) and first.items == 2
    assert first.changed and first.report.loaded == {"inpi.officers": 4, "inpi.companies": 2}
    after_first = officers(con)
    assert len(after_first) == 4

    again = refresh_rne(con, api, dump_dir=tmp_path / "diff", today=date(2026, 11, 26))
    assert (again.window, again.changed, api.asked) == (None, False, [(date(2026, 11, 25), date(2026, 11, 26))])

    api.items = []  # a missed night is caught up from where the last window ended
    late = refresh_rne(con, api, dump_dir=tmp_path / "diff", today=date(2026, 11, 28))
    assert late.window == (date(2026, 11, 26), date(2026, 11, 28)) and (late.items, late.changed) == (0, False)
    assert con.execute("SELECT window_from, window_to, companies, applied FROM inpi.diff_windows ORDER BY 1").fetchall() == [
        (date(2026, 11, 25), date(2026, 11, 26), 2, 2), (date(2026, 11, 26), date(2026, 11, 28), 0, 0)]

    kept = dumps(tmp_path / "diff")
    assert [p.name for p in kept] == ["rne_diff_20261125_20261126.ndjson",
                                      "rne_diff_20261126_20261128.ndjson"]
    load_rne(con, kept)  # the monthly full reload reads the dumps: nothing learnt at night is lost
    assert officers(con) == after_first
