"""RNE payload parsing on the real samples (both vintages, diff shape) and on the edge shapes."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from sources.inpi.rne_parse import RejectedPayload, iter_payloads, parse_company
from sources.inpi.roles import ROLE_CODES_CSV, resolve_role, role_codes

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
    assert resolve_role(pouvoir) == expected


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
