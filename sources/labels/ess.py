"""Liste des entreprises de l'ESS (ESS France, open_data.md §4.2): 8 columns, about a million rows,
one per SIREN. The SIREN lost its leading zeros on the publisher's side (search-infra pads it with
zfill(9)); it is read as text and padded here. The SIRENE flag (economieSocialeSolidaireUniteLegale)
is the other half of `ess` and is read from sirene.unites_legales by the core build."""

from __future__ import annotations

from sources.labels.spec import IdColumn, Source

URL = "https://www.data.gouv.fr/datasets/r/57bc99ca-0432-4b46-8fcc-e76a35c9efaf"
HEADER = (
    "SIREN", "Nom ou raison sociale de l'entreprise", "Famille juridique de l'entreprise", "Code postal",
    "Libellé de la commune de l'établissement", "Code du département de l'établissement",
    "Département de l'établissement", "Région de l'établissement",
)  # fmt: skip

SOURCE = Source(
    name="ess_france",
    title="Liste des entreprises de l'ESS (ESS France)",
    url=URL,
    fmt="csv",
    delimiter=",",
    ids=(IdColumn("SIREN", accept="siren", pad=True),),
    required_columns=("SIREN", "Famille juridique de l'entreprise"),
    unique=("SIREN",),
    max_removal_pct=1.0,
)
