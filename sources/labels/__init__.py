"""Labels and registers keyed by SIREN/SIRET (open_data.md §2-6, §10): one module per source
declaring its format, one loader for all of them, `core.labels` built from every raw table and
the SIRENE flags (entreprise à mission, ESS)."""
