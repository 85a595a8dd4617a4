"""Where the three IDCC files come from, and how each is made a local file (sources.download.fetch:
streamed, resumable, skipped when unchanged).

The DARES workbook has no stable address: its link is scraped from the DARES page, and a link
that answers 200 with an HTML page instead of the workbook is refused (zip signature checked).
"""

from __future__ import annotations

from pathlib import Path

from firmo.xlsx import is_xlsx, require_xlsx
from sources.download import fetch, local_path, redact_url
from sources.idcc.labels import dares_link

# data.gouv stable links (open_data.md §7; "resource <id>" = https://www.data.gouv.fr/datasets/r/<id>)
SIRET_IDCC_URL = "https://www.data.gouv.fr/datasets/r/a22e54f7-b937-4483-9a72-aad2ea1316f1"
KALI_URL = "https://www.data.gouv.fr/datasets/r/02b67492-5243-44e8-8dd1-0cb3f90f35ff"
DARES_PAGE_URL = "https://travail-emploi.gouv.fr/conventions-collectives-nomenclatures"
# Fixed local names: the monthly file replaces the last one instead of piling up beside it, and
# its "unchanged?" state is found again (the dated name changes every month).
SIRET_IDCC_FILE = "siret_idcc.csv"
KALI_FILE = "kali_conventions_idcc.xlsx"
DARES_PAGE_FILE = "dares_page.html"


def fetch_siret_idcc(source: str, dest_dir: Path) -> Path:
    return fetch(source, dest_dir, filename=None if local_path(source) else SIRET_IDCC_FILE).path


def fetch_kali(source: str, dest_dir: Path) -> Path:
    path = fetch(source, dest_dir, filename=None if local_path(source) else KALI_FILE).path
    require_xlsx(path, "the KALI agreements list")
    return path


def _names_xlsx(source: str) -> bool:
    return str(source).split("?")[0].lower().endswith(".xlsx")


def fetch_dares(source: str, dest_dir: Path) -> Path:
    """The DARES workbook from `source`: the workbook itself (path or URL), or the DARES page,
    whose latest `Dares_Suivi_Historique_convention_collective_*.xlsx` link is then followed."""
    first = fetch(source, dest_dir, filename=None if local_path(source) or _names_xlsx(source) else DARES_PAGE_FILE)
    if is_xlsx(first.path):
        return first.path
    if _names_xlsx(source) or local_path(source):
        require_xlsx(first.path, f"the DARES workbook ({redact_url(source)})")
    link = dares_link(first.path.read_text(encoding="utf-8", errors="replace"), str(source))
    workbook = fetch(link, dest_dir).path
    require_xlsx(workbook, f"the DARES workbook ({redact_url(link)})")
    return workbook
