-- The last published build of each ICP's lead list: which CSV copy belongs to leads.<icp>.
-- Written in the transaction that swaps the table in; the CSV is renamed into place after that
-- commit, so a crash in between leaves a CSV whose sha256 differs from this row, and the next
-- build (or `firmo icp build`) rewrites it from the table. Idempotent: run before every build.
CREATE TABLE IF NOT EXISTS core.lead_list_builds (
    icp        VARCHAR   PRIMARY KEY,   -- ICP name: the table is leads.<icp>
    build_id   VARCHAR   NOT NULL,      -- random id of the build, also in the temporary CSV's name
    rows       BIGINT    NOT NULL,      -- rows of leads.<icp> (= data lines of the CSV)
    csv_path   VARCHAR   NOT NULL,      -- absolute path of the CSV copy
    csv_bytes  BIGINT    NOT NULL,      -- its size ...
    csv_sha256 VARCHAR   NOT NULL,      -- ... and its sha256, as written for this build
    built_at   TIMESTAMP NOT NULL       -- naive UTC
);
