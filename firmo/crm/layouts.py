"""Column layouts of the three CRM import files, built from one enriched lead (a dict).

Each layout uses the CRM's own field names (doc §3): HubSpot property internal names,
Salesforce Lead API names, Pipedrive "Entity - Field" import labels. Custom fields carry what the
standard objects lack: SIREN/SIRET/NAF, score, tier, reasons, and the GDPR provenance of every
contact field (provider + retrieval date, doc §5 checklist item 4: needed for art. 14 notices and
"where did you get my data?" requests).

Two documented derivations:
  * industry = the NAF division label (`naf_division_label`, e.g. "Programmation, conseil et
    autres activités informatiques"), the level a salesperson reads; the exact NAF code travels
    in its own field.
  * employee count = the LOWER bound of the INSEE headcount band (`employees_min`, else looked
    up from `headcount_band`). The lower bound never overstates a company, is defined for the
    open-ended band 53 (10,000+) where a midpoint is not, and keeps "≥ N employees" CRM filters
    exact. Band 'NN' (unknown) gives an empty cell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from firmo.crm.csvfile import Limits
from firmo.crm.ledger import contact_email

Lead = Mapping[str, Any]

# INSEE "tranche d'effectif salarié" code -> lower bound of the band.
BAND_MIN = {
    "00": 0,
    "01": 1,
    "02": 3,
    "03": 6,
    "11": 10,
    "12": 20,
    "21": 50,
    "22": 100,
    "31": 200,
    "32": 250,
    "41": 500,
    "42": 1000,
    "51": 2000,
    "52": 5000,
    "53": 10000,
}
RATING = {"hot": "Hot", "warm": "Warm", "cold": "Cold"}

# Importer limits from doc §3 (max_rows counts data rows; the header is one more line).
HUBSPOT_LIMITS = Limits(max_rows=1_048_575, max_bytes=20 * 1024 * 1024)  # free-tier 20 MB works everywhere
SALESFORCE_LIMITS = Limits(max_rows=50_000, max_bytes=100 * 1024 * 1024)  # Data Import Wizard
PIPEDRIVE_LIMITS = Limits(max_rows=49_999, max_bytes=50 * 1024 * 1024)  # 50,000 rows incl. header


def employee_count(lead: Lead) -> int | None:
    """The registry's band first (doc §7.10: prefer SIRENE's tranche), else the lower bound of the
    headcount a vendor gave (`company_headcount`: '42', '51-200', '10001+', waterfall.company)."""
    if lead.get("employees_min") is not None:
        return int(lead["employees_min"])
    band = BAND_MIN.get(str(lead.get("headcount_band") or ""))
    if band is not None:
        return band
    vendor = str(lead.get("company_headcount") or "").split("-")[0].rstrip("+")
    return int(vendor) if vendor.isdigit() else None


def email_of(lead: Lead) -> str | None:
    """Normalised (lower-case) email so CRM dedup by email sees one address; raw if malformed,
    so the importer's error file shows it rather than the value vanishing."""
    return contact_email(lead) or lead.get("email")


def split_phone(lead: Lead) -> tuple[str | None, str | None]:
    """(direct/landline, mobile): only `phone_type == 'mobile'` goes to the mobile field."""
    phone = lead.get("phone")
    if phone and lead.get("phone_type") == "mobile":
        return None, phone
    return phone, None


def reasons_text(lead: Lead) -> str | None:
    reasons = lead.get("score_reasons")
    return "; ".join(str(r) for r in reasons) if reasons else None


def full_name(lead: Lead) -> str:
    return " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)


def postal_address(lead: Lead) -> str | None:
    """One-line address for CRMs with a single address field."""
    town = " ".join(p for p in (lead.get("postal_code"), lead.get("city")) if p)
    parts = [p for p in (lead.get("street"), town, lead.get("country")) if p]
    return ", ".join(parts) or None


def provenance_note(lead: Lead) -> str | None:
    """'Email: hunter (2026-01-15); Phone: lusha (2026-01-10)' for free-text note fields."""
    notes = []
    for label, key in (("Email", "email"), ("Phone", "phone")):
        if lead.get(key):
            notes.append(f"{label}: {lead.get(f'{key}_source') or 'unknown'} ({lead.get(f'{key}_found_at') or 'n.d.'})")
    return "; ".join(notes) or None


@dataclass(frozen=True)
class Layout:
    """One CRM import file: ordered columns, which of them hold phones, how to fill a row."""

    crm: str
    columns: tuple[str, ...]
    phone_columns: frozenset[str]
    limits: Limits
    build: Callable[[Lead], dict[str, Any]] = field(repr=False)

    def row(self, lead: Lead) -> dict[str, Any]:
        values = self.build(lead)
        missing = set(self.columns) ^ set(values)
        if missing:  # a layout bug, caught by the golden tests
            raise KeyError(f"{self.crm} layout columns and values differ: {sorted(missing)}")
        return values


def _hubspot(lead: Lead) -> dict[str, Any]:
    phone, mobile = split_phone(lead)
    return {
        # contact (object 0-1)
        "email": email_of(lead),
        "firstname": lead.get("first_name"),
        "lastname": lead.get("last_name"),
        "jobtitle": lead.get("job_title"),
        "phone": phone,
        "mobilephone": mobile,
        "company": lead.get("company_name"),
        "lifecyclestage": "lead",
        "hs_lead_status": "NEW",
        "firmo_icp": lead.get("icp"),
        "firmo_score": lead.get("score"),
        "firmo_tier": lead.get("tier"),
        "linkedin_url": lead.get("linkedin_url"),  # the person's profile (waterfall.providers.linkedin form)
        "firmo_score_reasons": reasons_text(lead),
        "firmo_email_source": lead.get("email_source"),
        "firmo_email_found_at": lead.get("email_found_at"),
        "firmo_phone_source": lead.get("phone_source"),
        "firmo_phone_found_at": lead.get("phone_found_at"),
        # company (object 0-2), same row so HubSpot associates it with the contact
        "name": lead.get("company_name"),
        "domain": lead.get("website_domain"),
        "linkedin_company_page": lead.get("company_linkedin_url"),
        "address": lead.get("street"),
        "city": lead.get("city"),
        "zip": lead.get("postal_code"),
        "country": lead.get("country"),
        "industry": lead.get("naf_division_label"),
        "numberofemployees": employee_count(lead),
        "annualrevenue": lead.get("annual_revenue"),
        "siren": lead.get("siren"),
        "siret": lead.get("siret"),
        "naf_code": lead.get("naf_code"),
        "company_phone": lead.get("company_phone"),  # the switchboard, never the contact's line
    }


HUBSPOT_CONTACT_COLUMNS = (
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "phone",
    "mobilephone",
    "company",
    "lifecyclestage",
    "hs_lead_status",
    "firmo_icp",
    "firmo_score",
    "firmo_tier",
    "firmo_score_reasons",
    "firmo_email_source",
    "firmo_email_found_at",
    "firmo_phone_source",
    "firmo_phone_found_at",
)
# Contact columns of the import file that are custom properties the portal must have first: the
# API push sends them only once `GET /crm/v3/properties/contacts/<name>` finds them (push.py).
# The person's LinkedIn profile URL (doc §7.1); doc §3 names no standard LinkedIn contact property, so `linkedin_url` is one to create, as `siren` is for companies.
HUBSPOT_CONTACT_FILE_ONLY = ("linkedin_url",)
HUBSPOT_COMPANY_COLUMNS = (
    "name",
    "domain",
    "linkedin_company_page",
    "address",
    "city",
    "zip",
    "country",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "siren",
    "siret",
    "naf_code",
)
# Company columns whose HubSpot property has another name: the company's `phone` would clash with
# the contact's `phone` column of the same row (the import maps it; the API push does not send it).
HUBSPOT_COMPANY_RENAMED = {"company_phone": "phone"}


def hubspot_column_mappings() -> list[dict[str, str]]:
    """`fileImportPage.columnMappings` for `POST /crm/v3/imports` (doc §3.1): contacts are 0-1,
    companies 0-2; email and siren are the keys the two objects are matched on."""
    out = []
    contacts = HUBSPOT_CONTACT_COLUMNS + HUBSPOT_CONTACT_FILE_ONLY
    for object_type, columns in (("0-1", contacts), ("0-2", HUBSPOT_COMPANY_COLUMNS)):
        for col in columns:
            mapping = {"columnName": col, "propertyName": col, "columnObjectTypeId": object_type}
            if col in ("email", "siren"):
                mapping["idColumnType"] = "HUBSPOT_ALTERNATE_ID"
            out.append(mapping)
    for col, prop in HUBSPOT_COMPANY_RENAMED.items():
        out.append({"columnName": col, "propertyName": prop, "columnObjectTypeId": "0-2"})
    return out


def _salesforce(lead: Lead) -> dict[str, Any]:
    phone, mobile = split_phone(lead)
    return {
        "FirstName": lead.get("first_name"),
        "LastName": lead.get("last_name"),
        "Company": lead.get("company_name"),
        "Title": lead.get("job_title"),
        "Email": email_of(lead),
        "Phone": phone,
        "MobilePhone": mobile,
        "Street": lead.get("street"),
        "City": lead.get("city"),
        "PostalCode": lead.get("postal_code"),
        "Country": lead.get("country"),
        "Website": lead.get("website_domain"),
        "Industry": lead.get("naf_division_label"),
        "NumberOfEmployees": employee_count(lead),
        "AnnualRevenue": lead.get("annual_revenue"),
        "LeadSource": "Other",
        "Status": "Open - Not Contacted",
        "Rating": RATING.get(str(lead.get("tier"))),
        "SIREN__c": lead.get("siren"),
        "SIRET__c": lead.get("siret"),
        "NAF_Code__c": lead.get("naf_code"),
        "ICP__c": lead.get("icp"),
        "Score__c": lead.get("score"),
        "Score_Reasons__c": reasons_text(lead),
        "Email_Source__c": lead.get("email_source"),
        "Email_Found_At__c": lead.get("email_found_at"),
        "Phone_Source__c": lead.get("phone_source"),
        "Phone_Found_At__c": lead.get("phone_found_at"),
        "LinkedIn_URL__c": lead.get("linkedin_url"),  # a custom field, as SIREN__c (doc §3.2 names none)
    }


def _pipedrive(lead: Lead) -> dict[str, Any]:
    name = full_name(lead)
    return {
        "Organization - Name": lead.get("company_name"),
        "Organization - Address": postal_address(lead),
        "Organization - SIREN": lead.get("siren"),
        "Organization - NAF code": lead.get("naf_code"),
        "Organization - Industry": lead.get("naf_division_label"),
        "Organization - Employees": employee_count(lead),
        "Organization - Website": lead.get("website_domain"),
        "Person - Name": name or None,
        "Person - First name": lead.get("first_name"),
        "Person - Last name": lead.get("last_name"),
        "Person - Email": email_of(lead),
        "Person - Phone": lead.get("phone"),
        "Person - Job title": lead.get("job_title"),
        "Person - LinkedIn": lead.get("linkedin_url"),  # a custom person field (doc §3.3 names none)
        "Lead - Title": f"{lead.get('company_name')} - {name}" if name else lead.get("company_name"),
        "Lead - Labels": RATING.get(str(lead.get("tier"))),
        "Lead - Score": lead.get("score"),
        "Note - Content": "; ".join(p for p in (reasons_text(lead), provenance_note(lead)) if p) or None,
    }


HUBSPOT = Layout(
    "hubspot",
    HUBSPOT_CONTACT_COLUMNS + HUBSPOT_CONTACT_FILE_ONLY + HUBSPOT_COMPANY_COLUMNS + tuple(HUBSPOT_COMPANY_RENAMED),
    frozenset({"phone", "mobilephone"}),
    HUBSPOT_LIMITS,
    _hubspot,
)
SALESFORCE = Layout(
    "salesforce",
    (
        "FirstName",
        "LastName",
        "Company",
        "Title",
        "Email",
        "Phone",
        "MobilePhone",
        "Street",
        "City",
        "PostalCode",
        "Country",
        "Website",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "LeadSource",
        "Status",
        "Rating",
        "SIREN__c",
        "SIRET__c",
        "NAF_Code__c",
        "ICP__c",
        "Score__c",
        "Score_Reasons__c",
        "Email_Source__c",
        "Email_Found_At__c",
        "Phone_Source__c",
        "Phone_Found_At__c",
        "LinkedIn_URL__c",
    ),
    frozenset({"Phone", "MobilePhone"}),
    SALESFORCE_LIMITS,
    _salesforce,
)
PIPEDRIVE = Layout(
    "pipedrive",
    (
        "Organization - Name",
        "Organization - Address",
        "Organization - SIREN",
        "Organization - NAF code",
        "Organization - Industry",
        "Organization - Employees",
        "Organization - Website",
        "Person - Name",
        "Person - First name",
        "Person - Last name",
        "Person - Email",
        "Person - Phone",
        "Person - Job title",
        "Person - LinkedIn",
        "Lead - Title",
        "Lead - Labels",
        "Lead - Score",
        "Note - Content",
    ),
    frozenset({"Person - Phone"}),
    PIPEDRIVE_LIMITS,
    _pipedrive,
)
LAYOUTS: dict[str, Layout] = {layout.crm: layout for layout in (HUBSPOT, SALESFORCE, PIPEDRIVE)}
CRMS: tuple[str, ...] = tuple(LAYOUTS)  # the CRMs an export writes files for, in this order
