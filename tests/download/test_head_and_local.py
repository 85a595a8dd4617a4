"""head() stamps, local sources, and the small parsing helpers of sources.download."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from sources.download import (
    FetchError, RemoteStamp, fetch, filename_from, head, local_path, parse_retry_after, redact_url,
)

LAST_MODIFIED = "Wed, 01 Jul 2026 06:00:00 GMT"


def test_head_stamp_from_head_request(server, policy):
    server.serve("/f.zip", b"x" * 1234)

    assert head(server.url("/f.zip"), policy=policy) == RemoteStamp('"v1"', LAST_MODIFIED, 1234)
    assert [r[0] for r in server.state.requests] == ["HEAD"]


def test_head_refused_falls_back_to_ranged_get(server, policy):
    server.serve("/f.zip", b"x" * 1234, etag='"v9"')
    server.state.refuse_head = True

    assert head(server.url("/f.zip"), policy=policy) == RemoteStamp('"v9"', LAST_MODIFIED, 1234)
    method, _, headers = server.state.requests[-1]
    assert (method, headers["Range"]) == ("GET", "bytes=0-0")


def test_head_follows_redirects_and_404_raises(server, policy):
    server.serve("/f.zip", b"abc")
    server.state.redirects["/r/1"] = "/f.zip"

    assert head(server.url("/r/1"), policy=policy).size == 3
    with pytest.raises(FetchError, match="HTTP 404"):
        head(server.url("/nope"), policy=policy)


def test_local_source_returned_in_place_with_change_tracking(tmp_path):
    src = tmp_path / "in" / "StockUniteLegale.csv"
    src.parent.mkdir()
    src.write_text("siren\n000325175\n")
    state_dir = tmp_path / "state"

    first = fetch(str(src), state_dir)
    second = fetch(f"file://{src}", state_dir)
    src.write_text("siren\n000325175\n016750697\n")
    os.utime(src, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    third = fetch(src, state_dir)

    assert (first.path, first.changed, first.bytes_downloaded) == (src, True, 0)
    assert (second.path, second.changed) == (src, False)
    assert third.changed is True
    assert third.etag == f'"{1_800_000_000_000_000_000:x}-{src.stat().st_size:x}"'
    assert sorted(p.name for p in state_dir.iterdir()) == ["StockUniteLegale.csv.meta.json"]
    assert head(src) == RemoteStamp(third.etag, "Fri, 15 Jan 2027 08:00:00 GMT", 26)


def test_missing_local_source_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="source file not found"):
        fetch(tmp_path / "absent.zip", tmp_path)


def test_local_path_parsing():
    assert local_path("file:///data/a%20b.zip") == local_path("/data/a b.zip")
    assert local_path("https://x.fr/a.zip") is None
    with pytest.raises(ValueError, match="ftp"):
        local_path("ftp://x.fr/a.zip?token=1")


def test_redact_url_drops_query_userinfo_fragment():
    assert redact_url("https://user:pw@host.fr:8443/p/a.zip?token=T#frag") == "https://host.fr:8443/p/a.zip"


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2026, 7, 1, 6, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 01 Jul 2026 06:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jul 2026 05:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_filename_from_disposition_and_url():
    assert filename_from('attachment; filename="../../etc/passwd"', "https://x/y") == "passwd"
    assert filename_from("attachment; filename=Stock.zip", "https://x/y") == "Stock.zip"
    assert filename_from(None, "https://x/dir/StockEtablissement_utf8.parquet?x=1") == "StockEtablissement_utf8.parquet"
    assert filename_from(None, "https://x/") is None


def test_stamp_comparison_rules():
    base = RemoteStamp('"a"', LAST_MODIFIED, 10)
    assert base.same_version(RemoteStamp('W/"a"', None, 10))
    assert not base.same_version(RemoteStamp('"a"', LAST_MODIFIED, 11))
    assert not base.same_version(RemoteStamp('"b"', LAST_MODIFIED, 10))
    assert RemoteStamp(None, LAST_MODIFIED, None).same_version(RemoteStamp(None, LAST_MODIFIED, 10))
    assert not RemoteStamp(None, None, 10).same_version(RemoteStamp(None, None, 10))
    assert not base.same_version(None)
