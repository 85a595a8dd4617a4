"""SIAE and adapted companies (Le marché de l'inclusion, open_data.md §10): `api/siae` with a
Bearer token (a secret), about 11,000 structures, asked in one page (`limit=20000`, more when
`count` says so) and followed by `next` when the server pages anyway. The kind (EI, ACI, ETTI,
AI, EA, ESAT...) is the label's detail."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://lemarche.inclusion.beta.gouv.fr/api/siae/"
PAGE_SIZE = 20_000
COLUMNS = (
    "id", "name", "brand", "slug", "siret", "nature", "kind", "kind_parent", "presta_type", "contact_website",
    "address", "city", "post_code", "department", "region", "is_active", "created_at", "updated_at",
)  # fmt: skip

SOURCE = Source(
    name="siae",
    title="Structures inclusives (Le marché de l'inclusion)",
    url=URL,
    fmt="pages",
    ids=(IdColumn("siret", accept="siret"),),
    required_columns=("siret", "kind"),
    columns=COLUMNS,
    items_key="results",
    max_removal_pct=2.0,
)
