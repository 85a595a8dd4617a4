"""fetch() against a real loopback HTTP server: resume, retries, 304, atomic rename, names."""

from __future__ import annotations

import json
import logging

import pytest

from sources.download import FetchError, RetryPolicy, fetch

BODY = bytes(range(256)) * 4096  # 1 MiB, every byte position distinguishable
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 01 Jul 2026 06:00:00 GMT"


@pytest.fixture()
def served(server):
    server.serve("/files/stock.parquet", BODY)
    return server


def test_fresh_download_writes_file_sidecar_and_no_part(served, tmp_path, policy):
    result = fetch(served.url("/files/stock.parquet"), tmp_path, policy=policy)

    assert result.path == tmp_path / "stock.parquet"
    assert result.path.read_bytes() == BODY
    assert (result.changed, result.bytes_downloaded, result.resumed) == (True, len(BODY), False)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stock.parquet", "stock.parquet.meta.json"]
    meta = json.loads((tmp_path / "stock.parquet.meta.json").read_text())
    assert {k: meta[k] for k in ("etag", "last_modified", "size", "url")} == {
        "etag": ETAG, "last_modified": LAST_MODIFIED, "size": len(BODY), "url": served.url("/files/stock.parquet"),
    }
    # the name came from a HEAD probe, then one GET without conditional headers
    assert [r[0] for r in served.state.requests] == ["HEAD", "GET"]
    assert served.gets()[0][2]["Accept-Encoding"] == "identity"


def test_second_call_sends_validators_and_304_keeps_file(served, tmp_path, policy):
    fetch(served.url("/files/stock.parquet"), tmp_path, filename="ul.parquet", policy=policy)
    mtime = (tmp_path / "ul.parquet").stat().st_mtime_ns

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="ul.parquet", policy=policy)

    assert (result.changed, result.bytes_downloaded, result.path) == (False, 0, tmp_path / "ul.parquet")
    headers = served.gets()[1][2]
    assert (headers["If-None-Match"], headers["If-Modified-Since"]) == (ETAG, LAST_MODIFIED)
    assert (tmp_path / "ul.parquet").stat().st_mtime_ns == mtime


def test_unchanged_detected_from_head_without_any_get(served, tmp_path, policy):
    fetch(served.url("/files/stock.parquet"), tmp_path, policy=policy)
    served.state.requests.clear()

    result = fetch(served.url("/files/stock.parquet"), tmp_path, policy=policy)

    assert result.changed is False
    assert [r[0] for r in served.state.requests] == ["HEAD"]


def test_server_ignoring_conditionals_still_unchanged_by_identical_etag(served, tmp_path, policy):
    served.state.honour_conditional = False
    fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert (result.changed, result.bytes_downloaded) == (False, 0)


def test_new_version_is_downloaded_again(served, tmp_path, policy):
    fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)
    served.serve("/files/stock.parquet", BODY[::-1], etag='"v2"')

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert (result.changed, result.etag) == (True, '"v2"')
    assert result.path.read_bytes() == BODY[::-1]


def test_resume_after_cut_fetches_only_the_rest(served, tmp_path, sleeps):
    served.state.failures = [("drop", 300_000)]
    one_shot = RetryPolicy(attempts=1, sleep=sleeps.append)

    with pytest.raises(FetchError):
        fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=one_shot)

    part = tmp_path / "x.bin.part"
    held = part.stat().st_size
    assert 0 < held <= 300_000
    assert not (tmp_path / "x.bin").exists()  # atomic: nothing under the final name while failing

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=one_shot)

    assert result.path.read_bytes() == BODY
    assert (result.resumed, result.bytes_downloaded) == (True, len(BODY) - held)
    last = served.gets()[-1][2]
    assert (last["Range"], last["If-Range"]) == (f"bytes={held}-", ETAG)
    assert not part.exists()


def test_cut_then_retry_resumes_within_one_call(served, tmp_path, policy, sleeps):
    served.state.failures = [("drop", 200_000)]

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert result.path.read_bytes() == BODY
    assert result.resumed is True
    assert result.bytes_downloaded == len(BODY)  # 200 000 + the rest, nothing twice
    assert sleeps == [2.0]


def test_retry_on_500_and_429_honours_retry_after(served, tmp_path, policy, sleeps):
    served.state.failures = [("status", 500, None), ("status", 429, "1"), ("status", 503, "0")]

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert result.path.read_bytes() == BODY
    assert sleeps == [2.0, 1.0, 0.0]  # backoff, then the server's Retry-After
    assert len(served.gets()) == 4


def test_retry_after_is_capped(served, tmp_path, sleeps):
    served.state.failures = [("status", 429, "86400")]
    capped = RetryPolicy(attempts=2, retry_after_cap_s=30.0, sleep=sleeps.append)

    fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=capped)

    assert sleeps == [30.0]


def test_retries_exhausted_raise_and_leave_no_final_file(served, tmp_path, policy, sleeps):
    served.state.failures = [("status", 500, None)] * 4

    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert len(served.gets()) == 4
    assert sleeps == [2.0, 4.0, 8.0]
    assert not (tmp_path / "x.bin").exists()


def test_client_error_is_not_retried(served, tmp_path, policy):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(served.url("/files/missing.zip"), tmp_path, filename="x.bin", policy=policy)
    assert len(served.gets()) == 1


def test_server_ignoring_range_restarts_from_zero(served, tmp_path, policy):
    served.state.ignore_range = True
    (tmp_path / "x.bin.part").write_bytes(b"stale bytes of another version")

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert result.path.read_bytes() == BODY
    assert (result.resumed, result.bytes_downloaded) == (False, len(BODY))


def test_changed_remote_during_resume_restarts_via_if_range(served, tmp_path, policy):
    (tmp_path / "x.bin.part").write_bytes(BODY[:1000])
    (tmp_path / "x.bin.part.meta.json").write_text(json.dumps({"etag": '"old"', "size": len(BODY)}))

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert served.gets()[0][2]["If-Range"] == '"old"'
    assert result.path.read_bytes() == BODY
    assert result.resumed is False


def test_416_means_part_already_complete(served, tmp_path, policy):
    (tmp_path / "x.bin.part").write_bytes(BODY)
    (tmp_path / "x.bin.part.meta.json").write_text(json.dumps({"etag": ETAG, "size": len(BODY)}))

    result = fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=policy)

    assert (result.changed, result.bytes_downloaded, result.etag) == (True, 0, ETAG)
    assert result.path.read_bytes() == BODY
    assert not (tmp_path / "x.bin.part").exists()


def test_redirect_followed_and_name_from_final_url(served, tmp_path, policy):
    served.state.redirects["/api/1/datasets/r/abc"] = "/files/stock.parquet"

    result = fetch(served.url("/api/1/datasets/r/abc"), tmp_path, policy=policy)

    assert result.path == tmp_path / "stock.parquet"
    assert result.path.read_bytes() == BODY


def test_name_from_content_disposition(served, tmp_path, policy):
    served.serve("/dl", b"abc", disposition="attachment; filename*=UTF-8''Stock%C3%A9.zip")

    result = fetch(served.url("/dl"), tmp_path, policy=policy)

    assert result.path == tmp_path / "Stocké.zip"
    assert result.path.read_bytes() == b"abc"


def test_logs_progress_and_never_the_query_string(served, tmp_path, policy, caplog):
    served.state.failures = [("status", 500, None)]
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="httpx")  # httpx's own request log included, whatever the CLI set

    result = fetch(served.url("/files/stock.parquet?token=S3CRET"), tmp_path, policy=policy)

    assert "S3CRET" not in caplog.text
    assert any(r.name == "httpx" for r in caplog.records)
    assert "S3CRET" not in result.source
    percents = [int(r.getMessage().split("(")[1].split("%")[0]) for r in caplog.records if "MB/s" in r.getMessage()]
    assert [p // 10 for p in percents] == list(range(1, 11))  # one line per decile, whatever the chunking
    assert percents[-1] == 100
    assert any("retrying in 2.0s" in r.getMessage() for r in caplog.records)


def test_failed_update_leaves_previous_version_untouched(served, tmp_path, sleeps):
    one_shot = RetryPolicy(attempts=1, sleep=sleeps.append)
    fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=one_shot)
    served.serve("/files/stock.parquet", BODY[::-1], etag='"v2"')
    served.state.failures = [("drop", 400_000)]

    with pytest.raises(FetchError):
        fetch(served.url("/files/stock.parquet"), tmp_path, filename="x.bin", policy=one_shot)

    assert (tmp_path / "x.bin").read_bytes() == BODY  # old version still whole under the final name
    assert (tmp_path / "x.bin.part").read_bytes() == BODY[::-1][: (tmp_path / "x.bin.part").stat().st_size]
    assert json.loads((tmp_path / "x.bin.meta.json").read_text())["etag"] == ETAG
