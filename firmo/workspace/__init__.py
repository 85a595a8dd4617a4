"""The sales workspace's plain functions (`firmo serve`, pipelines/workspace_app.py is the web app).

- `snapshot.Reader`: read connections on the warehouse that never hold a run up;
- `queries`: the ICP preview, a lead list page, a company's page, the ICP files, as plain data;
- `privacy`: masking of emails and phones, and the reveal log (the GDPR register).

No Dagster and no web framework here: the pages, the JSON API and the tests call the same functions,
and the preview calls `firmo.icp.preview`, as `firmo icp preview` does.
"""
