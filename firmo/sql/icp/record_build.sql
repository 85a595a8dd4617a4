-- One ICP's latest build (see create_builds.sql): replaced by every build, and by a CSV repair.
INSERT OR REPLACE INTO core.lead_list_builds (icp, build_id, rows, csv_path, csv_bytes, csv_sha256, built_at)
VALUES ($icp, $build_id, $rows, $csv_path, $csv_bytes, $csv_sha256, $built_at);
