"""Data quality: the engine, the row-count guard and the export gate; the rules live beside the
tables they guard.

- `model`: what a check declares (`QualityCheck`, `Rule`, `Thresholds`) and what it gives
  (`QualityResult`, `Outcome`); `rules`: the rule builders several tables share;
- `engine`: runs a check's Great Expectations suite and records the result in quality.check_results;
- `guard`: the row-count guard, for the asset checks and inside `firmo load`'s build-then-swap;
- `gate`: a CRM export refuses to run while a blocking check upstream of it last failed.

The rule lists: sources/{sirene,inpi,bodacc}/quality.py, firmo/icp/quality.py (lead lists),
waterfall/quality.py (enriched contacts), firmo/crm/quality.py (exports); assets/checks.py
assembles them into the Dagster asset checks and the export's gates.
"""
