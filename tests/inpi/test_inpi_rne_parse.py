"""RNE payload parsing on the real samples (both vintages, diff shape) and on the edge shapes."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from firmo.reference.roles import DECISION_RANK, ROLE_CODES_CSV, rank_codes, role_codes
from sources.inpi.rne_parse import RejectedPayload, iter_payloads, parse_company
from sources.inpi.roles import resolve_roles

TODAY = dt.date(2026, 11, 1)


def _names(parsed):
    return [(o["officer_kind"], o["family_name"], o["given_names"], o["company_officer_siren"],
             o["company_officer_name"], o["role_code"], o["role_label"], o["start_date"], o["active"])
            for o in parsed.officers]  # fmt: skip


def test_2023_payload_role_in_description_personne_and_entreprise(inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2023_shape.json").read_text())
    parsed = parse_company(payload, "s.json", TODAY)
    assert parsed.siren == "889924320"
    assert parsed.updated_at == dt.datetime(2023, 10, 31, 2, 52, 43)  # 03:52:43+01:00 in UTC
    assert _names(parsed) == [
        ("person", "ROBERT", "Emma Antoine Thomas", None, None, "73", "Président de SAS", None, True),
        ("person", "MARTIN", "Pierre Manon Manon", None, None, "53", "Directeur Général", None, True),
        ("company", None, None, "887722262", "TBLB", "70", "Directeur général délégué", None, True),
    ]
    assert parsed.company["denomination"] == "KANTA" and parsed.company["legal_form"] == "5710"
    assert parsed.company["diffusion_commerciale"] is True


def test_2024_payload_role_on_pouvoir_with_start_date(inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    parsed = parse_company(payload, "s.json", TODAY)
    assert parsed.siren == "980704894"
    assert parsed.updated_at == dt.datetime(2024, 7, 3, 4, 35, 7)
    assert _names(parsed) == [
        ("person", "LEFEBVRE", "Antoine", None, None, "73", "Président de SAS", dt.date(2023, 10, 15), True),
        ("person", "PETIT", "Pierre", None, None, "53", "Directeur Général", dt.date(2023, 10, 15), True),
    ]
    assert parsed.officers[0]["representant_id"] == "8f3fadbe-24b7-4c71-a27d-97914fc081d6"


def test_diff_response_items(inpi_samples):
    document = json.loads((inpi_samples / "rne_companies_diff.json").read_text())
    parsed = [parse_company(p, "d.json", TODAY) for p in iter_payloads(document)]
    assert [(p.siren, p.company["denomination"], len(p.officers)) for p in parsed] == [
        ("894419969", "GRINTO", 1), ("889924320", "KANTA", 3)]
    assert _names(parsed[0]) == [("person", "MICHEL", "Thomas Julien Emma", None, None, "73", "Président de SAS", None, True)]


def test_no_personal_data_beyond_names(inpi_samples):
    payload = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    officer = parse_company(payload, "s.json", TODAY).officers[0]
    assert not {k for k in officer if "naiss" in k or "birth" in k or "nationa" in k}
    assert "1978-08" not in json.dumps(officer, default=str)


@pytest.mark.parametrize(
    ("pouvoir", "expected"),
    [
        ({"roleEntreprise": "73", "individu": {"descriptionPersonne": {"role": "30"}}}, ("73", "Président de SAS")),
        ({"entreprise": {"roleEntreprise": "70"}}, ("70", "Directeur général délégué")),
        ({"individu": {"descriptionPersonne": {"role": "30"}}}, ("30", "Gérant")),
        ({"libelleRoleEntreprise": "directeur general"}, ("53", "Directeur Général")),
        ({"roleEntreprise": "99", "autreRoleEntreprise": "Membre du Conseil d'Administration"},
         ("99", "Membre du Conseil d'Administration")),
        ({"roleEntreprise": "99"}, ("99", "Autre")),
        ({"roleEntreprise": "073"}, ("73", "Président de SAS")),
        ({"roleEntreprise": "999", "libelleRoleEntreprise": "Nouveau rôle"}, ("999", "Nouveau rôle")),
        ({}, (None, None)),
    ],
)
def test_resolve_role_every_vintage(pouvoir, expected):
    codes, label = resolve_roles(pouvoir)
    assert ((codes[0] if codes else None), label) == expected  # role_code is the first (rne_parse)


def test_role_codes_csv_covers_the_84_codes(inpi_samples):
    reference = json.loads((inpi_samples / "rne_role_codes.json").read_text())
    codes = role_codes()
    assert len(codes) == 84 and set(codes) == set(reference)
    assert all(codes[k][0] == v.replace("\u2019", "'") for k, v in reference.items())
    assert ROLE_CODES_CSV.read_bytes() != (inpi_samples / "rne_role_codes.json").read_bytes()
    with ROLE_CODES_CSV.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["role_code", "role_label", "decision_maker"]
    assert codes["73"][1] is True and codes["71"][1] is False


def _payload(kind: str, body: dict, siren: str = "889924320") -> dict:
    return {"siren": siren, "updatedAt": "2025-02-01T10:00:00+01:00",
            "formality": {"siren": siren, "content": {kind: body}}}  # fmt: skip


def test_personne_physique_owner_is_an_officer():
    body = {"identite": {"entrepreneur": {"descriptionPersonne": {"nom": "DURAND", "prenoms": ["Julie", "Anne"]}}},
            "composition": {"pouvoirs": []}}  # fmt: skip
    parsed = parse_company(_payload("personnePhysique", body), "x", TODAY)
    assert parsed.company["denomination"] == "Julie Anne DURAND"
    assert _names(parsed) == [("person", "DURAND", "Julie Anne", None, None, "101", "Entrepreneur", None, True)]


def test_exploitation_payload_and_ended_pouvoir():
    body = {"identite": {"entreprise": {"denomination": "GAEC DU PRE"}},
            "composition": {"pouvoirs": [
                {"roleEntreprise": "90", "individu": {"descriptionPersonne": {"nom": "PETIT", "prenoms": "Marc"}},
                 "dateFin": "2024-05-01", "dateDebut": "2010-01-01T00:00:00+01:00"},
                {"roleEntreprise": "90", "actif": False, "individu": {"descriptionPersonne": {"nom": "ROUX"}}}]}}
    parsed = parse_company(_payload("exploitation", body), "x", TODAY)
    assert parsed.company["payload_kind"] == "exploitation"
    assert [(o["family_name"], o["given_names"], o["start_date"], o["active"]) for o in parsed.officers] == [
        ("PETIT", "Marc", dt.date(2010, 1, 1), False), ("ROUX", None, None, False)]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"formality": {"content": {}}}, "no siren in payload"),
        ({"siren": "889924321", "formality": {"content": {}}}, "invalid SIREN (length or checksum): '889924321'"),
        ({"siren": "12345", "formality": {}}, "invalid SIREN (length or checksum): '12345'"),
        ({"siren": "889924320"}, "no formality.content in payload"),
        ({"siren": "889924320", "formality": {"content": {"personneMorale": {}, "exploitation": {}}}},
         "not exactly one of personneMorale/personnePhysique/exploitation: ['personneMorale', 'exploitation']"),
        ([1, 2], "payload is not a JSON object: list"),
    ],
)
def test_unusable_payloads_are_rejected_with_reason(payload, reason):
    with pytest.raises(RejectedPayload) as info:
        parse_company(payload, "x", TODAY)
    assert str(info.value) == reason


def test_bad_pouvoir_is_set_aside_not_the_company():
    body = {"composition": {"pouvoirs": [{"roleEntreprise": "30", "representantId": "9"},
                                         {"roleEntreprise": "30", "individu": {"descriptionPersonne": {"nom": "A"}}}]}}
    parsed = parse_company(_payload("personneMorale", body), "x", TODAY)
    assert [o["family_name"] for o in parsed.officers] == ["A"]
    assert parsed.bad_pouvoirs[0][0] == "pouvoir names neither an individu nor an entreprise: representantId '9'"


# --- an officer holding several roles, the owner of an EI listed again (issue 12 item 5) ----------

TWO_ROLES = "Président du conseil d'administration,Directeur général"


def _roles(parsed):
    return [(o["family_name"], o["role_code"], o["role_codes"], o["role_label"]) for o in parsed.officers]


def test_2023_label_with_two_roles_keeps_the_officer_once_with_both_codes(inpi_samples):
    """The real 2023 shape (role only in descriptionPersonne.role / libelleRoleEntreprise), with
    ROBERT's pouvoir carrying a two-role label and no code, as SA boards file a PDG."""
    payload = json.loads((inpi_samples / "rne_company_2023_shape.json").read_text())
    pouvoir = payload["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"][0]
    del pouvoir["individu"]["descriptionPersonne"]["role"]
    pouvoir["libelleRoleEntreprise"] = TWO_ROLES
    parsed = parse_company(payload, "s.json", TODAY)
    assert _roles(parsed) == [
        ("ROBERT", "53", ["53", "51"], "Directeur Général, Président du conseil d'administration"),
        ("MARTIN", "53", ["53"], "Directeur Général"),
        (None, "70", ["70"], "Directeur général délégué"),
    ]


def test_2024_code_plus_two_role_label_and_second_role(inpi_samples):
    """2024 shape: roleEntreprise 51 with the two-role label; PETIT (53) gets a secondRoleEntreprise 65."""
    payload = json.loads((inpi_samples / "rne_company_2024_shape.json").read_text())
    first, second = payload["formality"]["content"]["personneMorale"]["composition"]["pouvoirs"][:2]
    first.update(roleEntreprise="51", libelleRoleEntreprise=TWO_ROLES)
    second.update(secondRoleEntreprise="65", libelleSecondRoleEntreprise="Administrateur", indicateurSecondRoleEntreprise=True)
    assert _roles(parse_company(payload, "s.json", TODAY)) == [
        ("LEFEBVRE", "53", ["53", "51"], "Directeur Général, Président du conseil d'administration"),
        ("PETIT", "53", ["53", "65"], "Directeur Général, Administrateur"),
    ]


@pytest.mark.parametrize(
    ("pouvoir", "codes", "label"),
    [
        ({"libelleRoleEntreprise": TWO_ROLES}, ["53", "51"], "Directeur Général, Président du conseil d'administration"),
        ({"libelleRoleEntreprise": "Directeur général , Président du conseil d'administration"}, ["53", "51"],
         "Directeur Général, Président du conseil d'administration"),
        # a label with a comma of its own is one role
        ({"libelleRoleEntreprise": "Personne physique, exploitant en commun"}, ["90"], "Personne physique, exploitant en commun"),
        ({"libelleRoleEntreprise": "Administrateur,Gérant"}, ["30", "65"], "Gérant, Administrateur"),
        # a part that is no known role maps to nothing; the known part stands, the label is kept whole
        ({"libelleRoleEntreprise": "Gérant,Chef de rayon"}, ["30"], "Gérant,Chef de rayon"),
        ({"libelleRoleEntreprise": "Chef de rayon,Caissier"}, [], "Chef de rayon,Caissier"),
        ({"roleEntreprise": "73", "secondRoleEntreprise": "73"}, ["73"], "Président de SAS"),
        ({"roleEntreprise": "73", "secondRoleEntreprise": "30", "indicateurSecondRoleEntreprise": False},
         ["73"], "Président de SAS"),
        ({"roleEntreprise": "99", "autreRoleEntreprise": "Censeur", "secondRoleEntreprise": "53"},
         ["53", "99"], "Directeur Général, Censeur"),
    ],
)
def test_resolve_roles_several_roles(pouvoir, codes, label):
    assert resolve_roles(pouvoir) == (codes, label)


def test_rank_puts_the_decision_maker_first_then_registry_order():
    assert rank_codes(["65", "51", "53", "51"]) == ["53", "51", "65"]
    assert rank_codes(["71", "65"]) == ["71", "65"]
    assert rank_codes(["30", "101"]) == ["101", "30"]
    # every decision maker of the shipped list has a rank
    assert {c for c, (_, dm) in role_codes().items() if dm} == set(DECISION_RANK)


def _ei_payload(pouvoirs: list[dict], owner: dict | None = None) -> dict:
    """A personnePhysique payload in the 2024 shape (typePersonne P, legal form 1000)."""
    owner = owner or {"nom": "DURAND", "prenoms": ["Julie", "Anne"], "dateDeNaissance": "1980-04",
                      "nationalite": "FRANÇAISE", "dateEffetRoleDeclarant": "2021-03-01"}
    return {
        "siren": "889924320", "updatedAt": "2025-02-01T10:00:00+01:00", "id": "65b0",
        "formality": {
            "siren": "889924320", "typePersonne": "P", "diffusionINSEE": "O", "diffusionCommerciale": True,
            "formeJuridique": "1000",
            "content": {"formeExerciceActivitePrincipale": "ARTISANALE_REGLEMENTEE",
                        "personnePhysique": {"identite": {"entrepreneur": {"descriptionPersonne": owner}},
                                             "composition": {"pouvoirs": pouvoirs}}}},
    }  # fmt: skip


def _pouvoir(nom: str, prenoms: list[str], **extra) -> dict:
    return {"typeDePersonne": "INDIVIDU", "representantId": f"id-{nom}", "actif": True,
            "individu": {"descriptionPersonne": {"nom": nom, "prenoms": prenoms, "dateDeNaissance": "1980-04"}},
            **extra}  # fmt: skip


def test_ei_owner_listed_again_without_a_role_keeps_role_101():
    parsed = parse_company(_ei_payload([_pouvoir("DURAND", ["Julie", "Anne"])]), "x", TODAY)
    assert [(o["family_name"], o["given_names"], o["role_code"], o["role_codes"], o["role_label"], o["start_date"],
             o["active"], o["representant_id"]) for o in parsed.officers] == [
        ("DURAND", "Julie Anne", "101", ["101"], "Entrepreneur", dt.date(2021, 3, 1), True, "id-DURAND")]
    assert parsed.company["officers"] == 1


def test_ei_owner_listed_again_with_first_name_only_and_another_role_keeps_both():
    parsed = parse_company(_ei_payload([
        _pouvoir("ROUX", ["Marc"], roleEntreprise="94", dateDebut="2022-01-10"),
        _pouvoir("Durand", ["Julie"], roleEntreprise="95", dateDebut="2021-05-01"),
    ]), "x", TODAY)  # fmt: skip
    assert [(o["family_name"], o["role_code"], o["role_codes"], o["role_label"], o["start_date"])
            for o in parsed.officers] == [
        ("Durand", "101", ["101", "95"], "Entrepreneur, Associé qui participe à la gestion", dt.date(2021, 5, 1)),
        ("ROUX", "94", ["94"], "Membre non salarié participant aux travaux", dt.date(2022, 1, 10)),
    ]


def test_ei_relative_with_the_same_family_name_is_not_the_owner():
    parsed = parse_company(_ei_payload([_pouvoir("DURAND", ["Marc"])]), "x", TODAY)
    assert [(o["given_names"], o["role_code"], o["role_codes"]) for o in parsed.officers] == [
        ("Julie Anne", "101", ["101"]), ("Marc", None, None)]
