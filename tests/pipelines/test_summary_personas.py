"""The run summary's persona hits per ICP (pipelines.summary.persona_lines), exact lines."""

import duckdb

from pipelines.summary import persona_lines


def test_persona_hits_per_icp():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA leads")
    con.execute("CREATE TABLE leads.pme_enriched (persona VARCHAR, persona_source VARCHAR)")
    con.execute("INSERT INTO leads.pme_enriched VALUES ('finance #1', 'hunter'), ('finance #1', 'apollo'), "
                "('finance #1', 'hunter'), ('hr #2', 'lusha'), (NULL, NULL)")  # fmt: skip
    con.execute("CREATE TABLE leads.btp_enriched (persona VARCHAR, persona_source VARCHAR)")  # no persona found
    con.execute("INSERT INTO leads.btp_enriched VALUES (NULL, NULL)")
    con.execute("CREATE TABLE leads.pme (persona VARCHAR)")  # a lead list, not an enriched one
    assert persona_lines(con) == [
        "",
        "persona hits per ICP (people search)",
        "  pme: persona found for 4 of 5 leads (finance #1 by hunter 2, finance #1 by apollo 1, hr #2 by lusha 1)",
    ]
    assert persona_lines(duckdb.connect()) == []
