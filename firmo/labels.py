"""The label vocabulary of `core.labels`: one lower-snake code per label or register a company
can hold, with what it means.

It lives on the ground floor, not in the labels source package, because two floors read it: the
loaders write these codes into `core.labels.label`, and an ICP file's `criteria.labels` is
checked against them (firmo.icp.validate: an unknown code is an error with the closest code
suggested), as are the label signals' reasons (firmo/sql/signals/from_labels.sql).
"""

from __future__ import annotations

# code -> what it means (French name, English gloss)
LABELS: dict[str, str] = {
    "rge": "RGE, Reconnu Garant de l'Environnement (ADEME): energy-renovation qualification",
    "qualiopi": "Qualiopi: quality certification of a training organisation (DGEFP)",
    "organisme_formation": "Organisme de formation: declared training organisation (DGEFP list)",
    "ess": "ESS, économie sociale et solidaire (SIRENE flag or ESS France list)",
    "egapro": "Index EGAPRO: published gender-equality index (Ministère du Travail)",
    "bio": "Agence Bio: certified organic operator",
    "siae": "SIAE: structure d'insertion par l'activité économique (Le marché de l'inclusion)",
    "entreprise_a_mission": "Entreprise à mission (SIRENE: société à mission)",
    "patrimoine_vivant": "EPV, Entreprise du Patrimoine Vivant",
    "achats_responsables": "Label Relations fournisseurs et achats responsables (Médiateur des entreprises)",
    "spectacle": "Entrepreneur de spectacles vivants: valid declaration (Ministère de la Culture)",
}

# code -> the short name score reasons use ("RGE qualification expires in 40 days")
NAMES: dict[str, str] = {
    "rge": "RGE qualification",
    "qualiopi": "Qualiopi certification",
    "organisme_formation": "training organisation declaration",
    "ess": "ESS status",
    "egapro": "EGAPRO index",
    "bio": "organic certification",
    "siae": "SIAE approval",
    "entreprise_a_mission": "société à mission status",
    "patrimoine_vivant": "EPV label",
    "achats_responsables": "responsible purchasing label",
    "spectacle": "live-entertainment licence",
}

# Labels whose validity dates do not say when a company obtained or will lose something: the
# DGEFP list dates a training organisation by its latest yearly declaration, and an EGAPRO
# index is a yearly publication, "valid" for the next year only. Neither gives a label_obtained
# or label_expiring signal (a new declaration every year is not news, nor is the end of the year);
# both stay criteria.
UNDATED_EVENTS: frozenset[str] = frozenset({"organisme_formation", "egapro"})


def name(code: str) -> str:
    """Short name of a label for a reason; an unlisted code is shown as itself."""
    return NAMES.get(code, code.replace("_", " "))
