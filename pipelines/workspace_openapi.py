"""The OpenAPI 3.1 schema of the workspace's JSON API (served at /openapi.json), written by hand
next to the routes of pipelines/workspace_app.py; tests/workspace/test_api.py checks that every
route is in it with its methods, so the two cannot drift apart."""

from __future__ import annotations

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_COUNTS = {
    "type": "array",
    "items": {"type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}},
}
_LEAD = {
    "type": "object",
    "description": "A lead (columns of leads.<icp>); email and phone masked (j***@acme.fr).",
    "additionalProperties": True,
    "properties": {
        "rank": {"type": "integer"},
        "siren": {"type": "string"},
        "company_name": {"type": "string"},
        "score": {"type": "integer"},
        "tier": {"type": "string", "enum": ["hot", "warm", "cold"]},
        "score_reasons": {"type": "array", "items": {"type": "string"}},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


SECURITY = {"bearer": {"type": "http", "scheme": "bearer", "description": "FIRMO_UI_TOKEN, when it is set"}}

SCHEMA: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "firmo workspace",
        "version": "1",
        "description": "The JSON API behind the sales workspace (firmo serve). Emails and phones are masked "
        "unless revealed on one company (?reveal=email|phone), and each reveal is logged.",
    },
    "components": {"securitySchemes": SECURITY},
    "security": [{}, {"bearer": []}],
    "paths": {
        "/api/naf": {
            "get": {
                "summary": "NAF search over both nomenclatures (code prefix or words of the label, accents ignored)",
                "parameters": [_query("q", {"type": "string"}, "'boulang', '62.01', 'informatique'")],
                "responses": {
                    "200": {
                        "description": "up to 10 codes: code, label, level, nomenclature, and the value an ICP writes",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "401": _error("token required"),
                },
            }
        },
        "/api/icps/{name}": {
            "post": {
                "summary": "Save icps/<name>.yaml from an ICP as JSON: the diff first; ?write=true writes it",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query("write", {"type": "boolean"}, "write the file (atomically); default: only the diff"),
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object", "description": "the ICP mapping"}}},
                },
                "responses": {
                    "200": {
                        "description": "file, changed, written, diff (unified), yaml (the text written or to write)",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "422": {"description": "the errors of `firmo icp check`, each with its field"},
                    "401": _error("token required"),
                },
            },
            "delete": {
                "summary": "Delete icps/<name>.yaml: moved to icps/.deleted/<name>.<UTC stamp>.yaml, to restore by hand",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {
                    "200": {
                        "description": "file, deleted (true), moved_to (the path under the ICP folder)",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _error("no such ICP file"),
                    "415": _error("not sent as JSON"),
                    "422": {"description": "a bad ICP name"},
                    "401": _error("token required"),
                },
            },
        },
        "/api/companies/{siren}/{action}": {
            "post": {
                "summary": "An action on one account, through the CLI's functions: suppress (firmo suppress siren), "
                "suppress_contact (firmo suppress email / phone of its enriched contact), "
                "customer (the existing-customers list), watch / unwatch (firmo watch add / remove)",
                "parameters": [
                    {"name": "siren", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "action",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "enum": ["suppress", "suppress_contact", "customer", "watch", "unwatch"],
                        },
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "reason": {"type": "string", "description": "kept on the suppression entry"}
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "action, siren, changed (false: it was already so), message",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _error("not a SIREN"),
                    "415": _error("the body is not JSON"),
                    "422": _error("unknown action"),
                    "503": _error("a run holds the warehouse: nothing written, retry after it"),
                    "401": _error("token required"),
                },
            }
        },
        "/api/leads/{icp}/export": {
            "post": {
                "summary": "Export one lead list to CRM import files: the incremental export of `firmo export "
                "--icp <icp>` (new or changed leads; suppression, customers, oppositions checked)",
                "parameters": [{"name": "icp", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "crm": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                        "description": "default: all",
                                    },
                                    "full": {"type": "boolean", "description": "every lead, not only new or changed"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "exported and unchanged per CRM, the files written, what was not exported",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _error("no such lead list"),
                    "415": _error("the body is not JSON"),
                    "422": _error("unknown CRM"),
                    "503": _error("a run holds the warehouse: nothing written, retry after it"),
                    "401": _error("token required"),
                },
            }
        },
        "/api/leads/{icp}/push": {
            "post": {
                "summary": "Push one lead list's new or changed leads through a CRM's API: `firmo export --icp <icp> "
                "--push <crm> [--dry-run]` without the files (same screening, suppression and exports.ledger)",
                "parameters": [{"name": "icp", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["crm"],
                                "properties": {
                                    "crm": {"type": "string", "enum": ["hubspot", "pipedrive", "salesforce"]},
                                    "dry_run": {"type": "boolean", "description": "what would change; no write call"},
                                    "full": {"type": "boolean", "description": "every lead, not only new or changed"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "the push report's counts (dry run: `planned`, emails masked, and `would`)",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _error("no such lead list"),
                    "415": _error("the body is not JSON"),
                    "422": _error("unknown CRM, or the CRM is not configured (the variable to set)"),
                    "502": _error("the CRM refused or the connection broke: the rest is sent by the next push"),
                    "503": _error("a run holds the warehouse: nothing written, retry after it"),
                    "401": _error("token required"),
                },
            }
        },
        "/api/icps": {
            "get": {
                "summary": "The ICP files of the ICP folder, with their errors, and the lead lists built",
                "responses": {"200": {"description": "ICP files and lead lists"}, "401": _error("token required")},
            }
        },
        "/api/icp/preview": {
            "post": {
                "summary": "Live preview of an ICP given as YAML or JSON (same checks as `firmo icp check`)",
                "parameters": [
                    _query("as_of", {"type": "string", "format": "date"}, "score as of this day (default today)"),
                    _query("name", {"type": "string"}, "name of the ICP when the body has no `name:`"),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/yaml": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}},
                    },
                },
                "responses": {
                    "200": {
                        "description": "counts and the top 50 leads",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "icp": {"type": "string"},
                                        "total": {"type": "integer"},
                                        "tiers": {"type": "object", "additionalProperties": {"type": "integer"}},
                                        "by_region": _COUNTS,
                                        "by_naf_division": _COUNTS,
                                        "by_headcount_band": _COUNTS,
                                        "top": {"type": "array", "items": _LEAD},
                                    },
                                }
                            }
                        },
                    },
                    "422": {
                        "description": "the ICP's errors, each with the field it names",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "errors": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "field": {"type": "string"},
                                                    "message": {"type": "string"},
                                                },
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "401": _error("token required"),
                    "503": _error("no warehouse yet, or a run is writing it and no snapshot is published"),
                },
            }
        },
        "/api/leads/{icp}": {
            "get": {
                "summary": "One page of an ICP's lead list, filtered and sorted",
                "parameters": [
                    {"name": "icp", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query("tier", {"type": "string", "enum": ["hot", "warm", "cold"]}, "only this tier"),
                    _query("min_score", {"type": "integer"}, "score at least"),
                    _query("signal_type", {"type": "string"}, "companies with a signal of this type"),
                    _query("region", {"type": "string"}, "région name"),
                    _query("has_email", {"type": "boolean"}, "with (true) or without (false) an email"),
                    _query(
                        "sort",
                        {"type": "string", "enum": ["rank", "score", "fit", "intent", "name"]},
                        "sort key; prefix - for descending (-score)",
                    ),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "page size (50)"),
                    _query("offset", {"type": "integer", "minimum": 0}, "rows skipped"),
                ],
                "responses": {
                    "200": {"description": "total (filtered) and the page of leads"},
                    "404": _error("no such lead list"),
                    "422": _error("a bad filter"),
                    "401": _error("token required"),
                    "503": _error("warehouse busy or missing"),
                },
            }
        },
        "/api/companies/{siren}": {
            "get": {
                "summary": "One company: registry facts, officers, signals with evidence, scores, enriched contacts",
                "parameters": [
                    {"name": "siren", "in": "path", "required": True, "schema": {"type": "string"}},
                    _query(
                        "reveal",
                        {"type": "string", "enum": ["email", "phone"]},
                        "show this field unmasked (repeatable); each reveal is logged for the GDPR register",
                    ),
                ],
                "responses": {
                    "200": {"description": "the company"},
                    "404": _error("no such company"),
                    "422": _error("a bad reveal"),
                    "401": _error("token required"),
                    "503": _error("warehouse busy or missing"),
                },
            }
        },
        "/openapi.json": {"get": {"summary": "This schema", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
    },
}
