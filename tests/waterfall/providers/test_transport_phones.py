from __future__ import annotations

import pytest

from waterfall.providers.phones import guess_type, phone_extra, to_e164
from waterfall.providers.transport import error_detail, parse_retry_after


def test_parse_retry_after():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_error_detail_dialects():
    assert error_detail({"errors": [{"id": "wrong_params", "code": 400, "details": "missing"}]}) == \
        "wrong_params; 400; missing"
    assert error_detail({"error": True, "error_code": "NO_MATCH"}) == "NO_MATCH"
    assert error_detail({"error": True, "reason": "Invalid token", "success": False}) == "Invalid token"
    assert error_detail({"detail": "Not Found"}) == "Not Found"
    assert error_detail("x" * 500) == "x" * 200


@pytest.mark.parametrize("raw,region,expected", [
    ("06 12 34 56 78", None, "+33612345678"),
    ("+33 6 12 34 56 78", None, "+33612345678"),
    ("0033612345678", None, "+33612345678"),
    ("01.23.45.67.89", "fr", "+33123456789"),
    ("+1-202-555-0116", None, "+12025550116"),
    ("(202) 555-0116", "US", "+12025550116"),
    ("12", None, None),
    ("not a phone", None, None),
    ("", None, None),
])
def test_to_e164(raw, region, expected):
    assert to_e164(raw, region) == expected


def test_phone_types():
    assert guess_type("+33612345678") == "mobile"
    assert guess_type("+33756345678") == "mobile"
    assert guess_type("+33702345678") is None  # unallocated range: the plan cannot tell
    assert guess_type("+33123456789") == "direct"
    assert phone_extra("+33123456789", "mobile") == {"phone_type": "mobile"}
    assert phone_extra("+33512345678") == {"phone_type": "direct"}
