"""Job titles in, personas out: the one mapping from a free-text title (French or English, as a
vendor or a web page writes it) to a function and a seniority.

Why one mapping: an ICP asks for a persona (`{function: finance, seniority: head}`), vendors
answer with titles ("DAF", "Directrice administrative et financière", "CFO", "Head of Finance"),
and the same rules must decide everywhere (the people search re-checks every vendor's answer with
them, the scoring reads their result), so a title cannot count as finance in one place and not in
another. Vendors' own function fields (Hunter `department`, PDL `job_title_role`...) differ and are
sometimes empty; the title is what they all return.

How a title is read (`classify`):
1. folded: accents stripped, lower case, punctuation as spaces ("Directrice Générale" ->
   "directrice generale"); every rule matches whole words only, so "daf" never matches inside
   another word and "it" only as the word IT;
2. functions: every rule of `FUNCTION_RULES` that matches, ordered by where it matches in the
   title, so "DAF & DRH" is finance then hr (a combined SME title counts for both personas) and
   "Directeur général délégué en charge des finances" is general_management first. "Vice
   president" does not make a Président;
3. seniority: `head` (directeur/directrice, head of, chief, VP, C-level and the head
   abbreviations DAF, DRH, DSI, DG, PDG, Président, Gérant, founder...), `manager` (responsable,
   manager, chef de/du, lead, the manager abbreviations RRH, RAF, RSI; "adjoint"/"deputy" lowers a
   head to manager), `staff` (chargé(e), assistant(e), gestionnaire, comptable, acheteur,
   commercial(e), account executive/manager, recruiter...), else `unknown`. The first rule family
   that matches wins in the order staff phrases > adjoint > head > manager > staff words.

The table is documented with its tests (tests/icp/test_personas.py, 60 real titles) and in the README.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FUNCTIONS = ("hr", "finance", "sales", "marketing", "it", "purchasing", "operations", "general_management")
SENIORITIES = ("head", "manager", "staff", "unknown")
TARGET_SENIORITIES = ("head", "manager", "any")  # what an ICP persona may ask for


def fold(text: str | None) -> str:
    """'Directrice Générale (DG)' -> 'directrice generale dg'."""
    ascii_text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


def _rx(*phrases: str) -> re.Pattern[str]:
    """Whole-word alternatives on folded text; a phrase may hold regex (e.g. `commerciale?s?`)."""
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


# function -> words and phrases of a folded title (French, English, abbreviations)
FUNCTION_RULES: dict[str, re.Pattern[str]] = {
    "hr": _rx(
        "drh",
        "rrh",
        "rh",
        "hr",
        "hrbp",
        "chro",
        "ressources humaines",
        "human resources?",
        "people",
        "talents?",
        "recrutements?",
        "recruteu(?:r|se)",
        "recruiters?",
        "recruiting",
        "paie",
        "payroll",
        "relations (?:sociales|humaines)",
        "personnel",
        "capital humain",
    ),
    "finance": _rx(
        "daf",
        "raf",
        "cfo",
        "finances?",
        "financiere?s?",
        "financial",
        "comptables?",
        "comptabilite",
        "accounting",
        "accountants?",
        "controle(?:ur|use)? de gestion",
        "controller",
        "tresor(?:ier|iere|erie)",
        "treasurer",
        "administratif et financier",
        "administrative et financiere",
        "fiscal(?:e|ite)?",
    ),
    "it": _rx(
        "dsi",
        "rsi",
        "rssi",
        "cto",
        "cio",
        "ciso",
        "it",
        "informatiques?",
        "systemes? d information",
        "information systems?",
        "information technology",
        "technique",
        "technical",
        "technology",
        "developpeu(?:r|se)(?! (?:commercial|d affaires))",
        "(?<!business )developers?",
        "engineering",
        "devops",
        "infrastructures?",
        "reseaux",
        "cyber ?securite",
        "data",
    ),
    "sales": _rx(
        "commerciale?s?",
        "commerciaux",
        "ventes?",
        "sales",
        "business developer",
        "business development",
        "developpement commercial",
        "account executive",
        "account manager",
        "key account",
        "grands comptes",
        "cso",
        "cro",
        "revenue",
        "ingenieur d affaires",
        "adv",
    ),
    "marketing": _rx(
        "marketing",
        "cmo",
        "communication",
        "brand",
        "marque",
        "growth",
        "digital",
        "chef de produit",
        "product marketing",
        "seo",
        "contenus?",
        "content",
    ),
    "purchasing": _rx(
        "achats?",
        "acheteu(?:r|se)s?",
        "purchasing",
        "procurement",
        "buyers?",
        "approvisionnements?",
        "cpo",
    ),
    "operations": _rx(
        "operations?",
        "operationnel(?:le)?",
        "coo",
        "operating",
        "production",
        "logistiques?",
        "logistics",
        "supply chain",
        "usine",
        "plant",
        "qualite",
        "quality",
        "maintenance",
        "exploitation",
        "office manager",
        "services generaux",
        "travaux",
        "atelier",
    ),
    "general_management": _rx(
        r"(?<!vice )president(?:e)?",
        "pdg",
        "ceo",
        "dg",
        "dga",
        "direct(?:eur|rice) generale?",
        "direct(?:eur|rice) generale? delegue(?:e)?",
        "gerante?",
        "co ?gerante?",
        "managing director",
        "general manager",
        "chief executive officer",
        "co ?fondat(?:eur|rice)",
        "fondat(?:eur|rice)",
        "co ?founder",
        "founder",
        "owner",
        "proprietaire",
        "chef d entreprise",
        "dirigeante?",
        "secretaire generale?",
        "assistante? de direction",
        "executive assistant",
        "mandataire social",
    ),
}

# Seniority, checked in this order; the first family that matches decides.
_STAFF_PHRASES = _rx(
    "account executive",
    "account manager",
    "key account manager",
    "executive assistant",
    "assistante? de direction",
    "office assistant",
)
_DEPUTY = _rx("adjointe?", "deputy", "assistant director", "vice direct(?:eur|rice)")
_HEAD = _rx(
    "direct(?:eur|rice)s?",
    "director",
    "head",
    "chief",
    "vp",
    "vice president",
    "svp",
    "evp",
    "cxo",
    "ceo",
    "cfo",
    "cto",
    "cio",
    "cmo",
    "coo",
    "cpo",
    "chro",
    "cso",
    "cro",
    "ciso",
    "daf",
    "drh",
    "dsi",
    "dg",
    "dga",
    "pdg",
    r"(?<!vice )president(?:e)?",
    "gerante?",
    "co ?gerante?",
    "fondat(?:eur|rice)",
    "co ?fondat(?:eur|rice)",
    "founder",
    "co ?founder",
    "owner",
    "proprietaire",
    "dirigeante?",
    "managing director",
    "general manager",
    "chef d entreprise",
    "secretaire generale?",
)
_MANAGER = _rx(
    "responsable",
    "managers?",
    "manageu(?:r|se)",
    "chef de",
    "chef du",
    "chef des",
    "chef comptable",
    "lead",
    "team lead",
    "leader",
    "superviseu(?:r|se)",
    "supervisor",
    "rrh",
    "raf",
    "rsi",
    "rssi",
    "encadrant(?:e)?",
    "business partner",
)
_STAFF = _rx(
    "chargee?",
    "assistante?s?",
    "assistant",
    "gestionnaire",
    "comptable",
    "acheteu(?:r|se)",
    "commerciale?",
    "technicien(?:ne)?",
    "developpeu(?:r|se)",
    "developer",
    "ingenieure?",
    "engineer",
    "analyste?",
    "specialist",
    "specialiste",
    "coordinat(?:eur|rice|or)",
    "consultante?",
    "stagiaire",
    "intern",
    "alternante?",
    "apprentie?",
    "employee?",
    "officer",
    "recruteu(?:r|se)",
    "recruiter",
    "business developer",
    "ingenieur d affaires",
    "secretaire",
    "agent",
    "operat(?:eur|rice)",
    "conseill(?:er|ere)",
    "juriste",
    "conducteur",
    "controle(?:ur|use)",
    "associate",
    "executive",
)


@dataclass(frozen=True)
class TitleClass:
    """What a title says: its functions (first = where the title starts), and its seniority."""

    title: str
    functions: tuple[str, ...]
    seniority: str  # head | manager | staff | unknown

    @property
    def function(self) -> str | None:
        return self.functions[0] if self.functions else None


def _seniority(text: str) -> str:
    if _STAFF_PHRASES.search(text):
        return "staff"
    head = _HEAD.search(text)
    if head and _DEPUTY.search(text):
        return "manager"
    if head:
        return "head"
    if _MANAGER.search(text):
        return "manager"
    if _STAFF.search(text):
        return "staff"
    return "unknown"


def classify(title: str | None) -> TitleClass:
    """The function(s) and seniority of a free-text job title (see the module docstring)."""
    text = fold(title)
    found: list[tuple[int, str]] = []
    for function, rule in FUNCTION_RULES.items():
        match = rule.search(text)
        if match:
            found.append((match.start(), function))
    functions = tuple(f for _, f in sorted(found, key=lambda p: p[0]))
    return TitleClass(str(title or ""), functions, _seniority(text) if text else "unknown")


@dataclass(frozen=True)
class Persona:
    """A person an ICP targets: a function and the seniority wanted (head, manager or any)."""

    function: str
    seniority: str = "head"

    def __post_init__(self) -> None:
        if self.function not in FUNCTIONS:
            raise ValueError(f"unknown function {self.function!r}; known: {', '.join(FUNCTIONS)}")
        if self.seniority not in TARGET_SENIORITIES:
            raise ValueError(f"unknown seniority {self.seniority!r}; known: {', '.join(TARGET_SENIORITIES)}")

    @property
    def label(self) -> str:
        """'finance head', 'hr any'."""
        return f"{self.function} {self.seniority}"

    def matches(self, title: str | TitleClass | None) -> bool:
        """Whether a title holds this persona: the function among the title's functions, and the
        seniority wanted (`any`: whatever it is, `unknown` included)."""
        got = title if isinstance(title, TitleClass) else classify(title)
        if self.function not in got.functions:
            return False
        return self.seniority == "any" or got.seniority == self.seniority


# Titles to send to the vendors that filter on title words (Apollo person_titles[], Lusha
# jobTitles[]): French abbreviations and long forms, feminine forms, English equivalents (§8.9:
# "DRH" does not match "Head of People").
SEARCH_TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "hr": {
        "head": (
            "DRH",
            "Directeur des ressources humaines",
            "Directrice des ressources humaines",
            "HR Director",
            "Head of People",
            "Chief People Officer",
            "CHRO",
            "VP People",
        ),
        "manager": ("RRH", "Responsable RH", "Responsable ressources humaines", "HR Manager", "People Manager"),
    },
    "finance": {
        "head": (
            "DAF",
            "Directeur administratif et financier",
            "Directrice administrative et financière",
            "Directeur financier",
            "Directrice financière",
            "CFO",
            "Finance Director",
            "Head of Finance",
        ),
        "manager": (
            "RAF",
            "Responsable administratif et financier",
            "Responsable financier",
            "Chef comptable",
            "Finance Manager",
        ),
    },
    "it": {
        "head": (
            "DSI",
            "Directeur des systèmes d'information",
            "Directeur informatique",
            "Directeur technique",
            "CTO",
            "CIO",
            "IT Director",
            "Head of IT",
        ),
        "manager": ("RSI", "Responsable informatique", "Responsable des systèmes d'information", "IT Manager"),
    },
    "sales": {
        "head": (
            "Directeur commercial",
            "Directrice commerciale",
            "Directeur des ventes",
            "Head of Sales",
            "Sales Director",
            "VP Sales",
            "Chief Revenue Officer",
        ),
        "manager": ("Responsable commercial", "Responsable commerciale", "Sales Manager", "Chef des ventes"),
    },
    "marketing": {
        "head": (
            "Directeur marketing",
            "Directrice marketing",
            "Directeur communication et marketing",
            "CMO",
            "Marketing Director",
            "Head of Marketing",
            "VP Marketing",
        ),
        "manager": ("Responsable marketing", "Responsable communication", "Marketing Manager"),
    },
    "purchasing": {
        "head": (
            "Directeur des achats",
            "Directrice des achats",
            "Chief Procurement Officer",
            "Purchasing Director",
            "Head of Procurement",
        ),
        "manager": (
            "Responsable achats",
            "Responsable des achats",
            "Responsable approvisionnement",
            "Purchasing Manager",
        ),
    },
    "operations": {
        "head": (
            "Directeur des opérations",
            "Directeur d'exploitation",
            "Directeur de production",
            "COO",
            "Operations Director",
            "Head of Operations",
        ),
        "manager": (
            "Responsable d'exploitation",
            "Responsable de production",
            "Responsable logistique",
            "Operations Manager",
            "Office Manager",
        ),
    },
    "general_management": {
        "head": (
            "Gérant",
            "Gérante",
            "Président",
            "Présidente",
            "PDG",
            "Directeur général",
            "Directrice générale",
            "CEO",
            "Managing Director",
            "Founder",
        ),
        "manager": ("Directeur général adjoint", "Secrétaire général", "General Manager"),
    },
}


def search_titles(persona: Persona) -> tuple[str, ...]:
    """Title words for a persona (head, manager, or both for `any`)."""
    table = SEARCH_TITLES[persona.function]
    if persona.seniority == "any":
        return table["head"] + table["manager"]
    return table[persona.seniority]
