"""Read connections for the workspace that never block a run.

DuckDB lets one process write a file and excludes readers in other processes while it does, and a
reader in another process makes a writer's `connect` fail. So the workspace never keeps the
working file open: each request opens a read-only connection and closes it at once, on

1. the published snapshot `<db dir>/firmo_read.duckdb` when it exists (firmo.analytics copies the
   warehouse there at the end of each run; a run never writes it, so reading it never meets a
   writer, and a request that opened the previous copy keeps reading it after the link moves);
2. else the working file itself, read-only, for the few milliseconds of the request;
3. and when a run holds the working file (DuckDB's lock error), the newest complete copy in
   `<data dir>/snapshots/`. With none, `WarehouseBusy`: the page says a run is writing.

The published snapshot is the one file a request may find already open: no run ever writes it, so
the Reader keeps one read-only connection on it (`_Warm`) and each request opens its own beside
it. DuckDB shares one database, and its buffer pool, between the connections of a process to one
file, so a request reads the blocks the previous ones read from memory: a 16M-company preview
opened cold re-reads ~300 MB of column blocks (1.1-1.3 CPU s for pme_croissance, 0.7 kept warm).
The held connection follows the link: when a run publishes a new copy, the next request opens it
and lets the old one go. The working file is never held.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from firmo import db
from firmo.settings import Settings

READ_LINK = "firmo_read.duckdb"  # firmo.analytics.READ_LINK (analytics imports compliance: kept apart)


class WarehouseBusy(RuntimeError):
    """A run holds the working file and no snapshot has been published yet."""


class WarehouseMissing(RuntimeError):
    """No warehouse file at all (nothing loaded yet)."""


def _locked(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


class _Warm:
    """The read-only connection held on the published snapshot (see the module's docstring): the
    file it is on, identified by path, inode, size and modification time, and the connection."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[str, int, int, int] | None = None
        self.con: duckdb.DuckDBPyConnection | None = None

    def hold(self, snapshot: Path, settings: Settings) -> None:
        """Keep a connection open on `snapshot` (a copy no run writes), closing the one on the
        copy published before it; requests still reading that one keep their own connections."""
        stat = snapshot.stat()
        key = (str(snapshot), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self.lock:
            if key == self.key:
                return
            con = db.connect(snapshot, read_only=True, settings=settings)
            old, self.key, self.con = self.con, key, con
        if old is not None:
            old.close()


@dataclass(frozen=True)
class Reader:
    """Where the workspace reads: the working file `db_path`, its read link beside it and the
    snapshots folder, with the settings' DuckDB memory and threads."""

    db_path: Path
    snapshots: Path
    settings: Settings
    warm: _Warm = field(default_factory=_Warm, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, db_path: Path | None = None) -> Reader:
        return cls(Path(db_path or settings.db_path), settings.data_dir / "snapshots", settings)

    def candidates(self) -> list[Path]:
        """The files to try, in order (see the module's docstring)."""
        link = self.db_path.parent / READ_LINK
        out = [link] if link.exists() else []
        out.append(self.db_path)
        out.extend(sorted(self.snapshots.glob("firmo-*.duckdb"), reverse=True))
        return out

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection on the first file that opens, closed when the block ends."""
        busy = False
        for path in self.candidates():
            if not path.exists():
                continue
            try:
                if path.name == READ_LINK:  # the published snapshot: read beside the connection held on it
                    path = path.resolve()
                    self.warm.hold(path, self.settings)
                con = db.connect(path, read_only=True, settings=self.settings)
            except duckdb.Error as exc:
                if not _locked(exc):
                    raise
                busy = True
                continue
            try:
                yield con
            finally:
                con.close()
            return
        if busy:
            raise WarehouseBusy("a run is writing the warehouse and no snapshot is published yet; retry after it")
        raise WarehouseMissing(f"no warehouse at {self.db_path}: run `make run` or `firmo run` first")
