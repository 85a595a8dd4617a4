"""firmo.personas: real French and English job titles (as vendors and company pages write them)
to exact functions and seniority, and persona matching."""

import pytest

from firmo.personas import FUNCTIONS, Persona, classify, fold, search_titles

TITLES = [
    # title, functions (in title order), seniority
    ("DRH", ("hr",), "head"),
    ("RRH", ("hr",), "manager"),
    ("Responsable RH", ("hr",), "manager"),
    ("Responsable des Ressources Humaines", ("hr",), "manager"),
    ("Directrice des ressources humaines", ("hr",), "head"),
    ("Head of People", ("hr",), "head"),
    ("Chief People Officer", ("hr",), "head"),
    ("Responsable paie", ("hr",), "manager"),
    ("Gestionnaire de paie", ("hr",), "staff"),
    ("Chargé de recrutement", ("hr",), "staff"),
    ("Chargée RH", ("hr",), "staff"),
    ("Talent Acquisition Manager", ("hr",), "manager"),
    ("HR Business Partner", ("hr",), "manager"),
    ("DAF", ("finance",), "head"),
    ("Directrice administrative et financière", ("finance",), "head"),
    ("Directeur financier", ("finance",), "head"),
    ("CFO", ("finance",), "head"),
    ("Chief Financial Officer", ("finance",), "head"),
    ("RAF", ("finance",), "manager"),
    ("Responsable administratif et financier", ("finance",), "manager"),
    ("Chef comptable", ("finance",), "manager"),
    ("Comptable fournisseurs", ("finance",), "staff"),
    ("Contrôleur de gestion", ("finance",), "staff"),
    ("DSI", ("it",), "head"),
    ("Directeur des systèmes d'information", ("it",), "head"),
    ("CTO", ("it",), "head"),
    ("CIO", ("it",), "head"),
    ("Directeur technique", ("it",), "head"),
    ("Head of IT", ("it",), "head"),
    ("VP Engineering", ("it",), "head"),
    ("RSI", ("it",), "manager"),
    ("Responsable informatique", ("it",), "manager"),
    ("Développeur Full Stack", ("it",), "staff"),
    ("Directeur commercial", ("sales",), "head"),
    ("Directrice commerciale", ("sales",), "head"),
    ("Directeur des ventes", ("sales",), "head"),
    ("VP Sales", ("sales",), "head"),
    ("Vice President Sales", ("sales",), "head"),
    ("Chief Revenue Officer", ("sales",), "head"),
    ("Responsable commercial", ("sales",), "manager"),
    ("Sales Manager", ("sales",), "manager"),
    ("Ingénieur commercial", ("sales",), "staff"),
    ("Business Developer", ("sales",), "staff"),
    ("Account Executive", ("sales",), "staff"),
    ("Key Account Manager", ("sales",), "staff"),
    ("Chief Marketing Officer", ("marketing",), "head"),
    ("Directrice marketing", ("marketing",), "head"),
    ("Directeur de la communication", ("marketing",), "head"),
    ("Responsable marketing digital", ("marketing",), "manager"),
    ("Chargée de communication", ("marketing",), "staff"),
    ("Directeur des achats", ("purchasing",), "head"),
    ("Responsable des achats", ("purchasing",), "manager"),
    ("Acheteuse", ("purchasing",), "staff"),
    ("Head of Procurement", ("purchasing",), "head"),
    ("Directeur des opérations", ("operations",), "head"),
    ("Directeur d'usine", ("operations",), "head"),
    ("Responsable d'exploitation", ("operations",), "manager"),
    ("Office manager", ("operations",), "manager"),
    ("Supply Chain Manager", ("operations",), "manager"),
    ("Conducteur de travaux", ("operations",), "staff"),
    ("Président", ("general_management",), "head"),
    ("Présidente", ("general_management",), "head"),
    ("PDG", ("general_management",), "head"),
    ("Directeur général", ("general_management",), "head"),
    ("Directrice Générale", ("general_management",), "head"),
    ("Gérant", ("general_management",), "head"),
    ("Gérante", ("general_management",), "head"),
    ("CEO", ("general_management",), "head"),
    ("Co-fondatrice", ("general_management",), "head"),
    ("Managing Director", ("general_management",), "head"),
    ("Directeur Général Adjoint", ("general_management",), "manager"),
    ("Assistante de direction", ("general_management",), "staff"),
    # combined SME titles count for each function, in title order
    ("DAF & DRH", ("finance", "hr"), "head"),
    ("Directeur général délégué en charge des finances", ("general_management", "finance"), "head"),
    ("Sales Operations Manager", ("sales", "operations"), "manager"),
    # no function, or nothing at all
    ("Directeur", (), "head"),
    ("Consultant", (), "staff"),
    ("", (), "unknown"),
    (None, (), "unknown"),
]


def test_the_title_table_has_enough_real_titles():
    assert len(TITLES) >= 40
    assert {f for _, functions, _ in TITLES for f in functions} == set(FUNCTIONS)


@pytest.mark.parametrize(("title", "functions", "seniority"), TITLES)
def test_title_to_function_and_seniority(title, functions, seniority):
    got = classify(title)
    assert (got.functions, got.seniority) == (functions, seniority)
    assert got.function == (functions[0] if functions else None)


def test_whole_words_and_folding():
    assert fold("Directrice Générale (DG)") == "directrice generale dg"
    # 'daf' or 'rh' inside another word, 'it' inside a word: no function
    assert classify("Dafna Rhodes").functions == ()
    assert classify("Digital transformation").functions == ("marketing",)
    assert classify("Visiteur médical").functions == ()
    # a vice president is not a Président
    assert classify("Vice-président marketing").functions == ("marketing",)
    assert classify("DIRECTEUR DES RESSOURCES HUMAINES") == classify("directeur des ressources humaines").__class__(
        "DIRECTEUR DES RESSOURCES HUMAINES", ("hr",), "head"
    )


def test_persona_matching():
    finance_head = Persona("finance", "head")
    assert finance_head.matches("DAF") and finance_head.matches("DAF & DRH")
    assert not finance_head.matches("RAF") and not finance_head.matches("Comptable")
    assert Persona("hr", "head").matches("DAF & DRH")
    assert Persona("finance", "manager").matches("RAF")
    assert Persona("hr", "any").matches("Chargé de recrutement")
    assert not Persona("hr", "any").matches("Directeur commercial")
    assert finance_head.label == "finance head"
    with pytest.raises(ValueError, match="unknown function 'fiance'"):
        Persona("fiance", "head")
    with pytest.raises(ValueError, match="unknown seniority 'staff'"):
        Persona("hr", "staff")


def test_search_titles_hold_french_and_english_forms():
    assert search_titles(Persona("finance", "head"))[:2] == ("DAF", "Directeur administratif et financier")
    assert "CFO" in search_titles(Persona("finance", "head"))
    assert len(search_titles(Persona("hr", "any"))) == 13
    # every search title classifies back to its own function and seniority
    for function in FUNCTIONS:
        for seniority in ("head", "manager"):
            for title in search_titles(Persona(function, seniority)):
                assert function in classify(title).functions, title
