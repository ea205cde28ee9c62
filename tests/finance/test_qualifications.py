"""Recorded qualifications: what ``held``/``holds`` count on a day (the case table of expiry at the moment of the
check), the checks at recording (expiry required, not before the issue date, not past; evidence by its bytes),
supersession by a newer record of the kind, the administrator's review. Services on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from finance.qualifications import service as qualifications
from market.errors import ValidationFailed
from tests.finance.qualification_support import recorded, reviewed
from tests.finance.support import admin, firm

pytestmark = pytest.mark.usefixtures("backend")

# (status after review, day asked relative to the record's dates, held?)
EXPIRY_CASES = [
    ("recorded", "issued_on", True),
    ("recorded", "expires_on", True),  # the expiry date is the last valid day
    ("recorded", "day_after_expiry", False),
    ("recorded", "day_before_issue", False),
    ("verified", "expires_on", True),
    ("verified", "day_after_expiry", False),
    ("rejected", "issued_on", False),
    ("revoked", "issued_on", False),
]


@pytest.mark.parametrize(("status", "asked", "held"), EXPIRY_CASES)
async def test_held_on_the_day_of_the_check(status: str, asked: str, held: bool) -> None:
    sme, operator = await firm(), await admin()
    today = qualifications.today()
    row = await recorded(sme, "specialised", issued_on=today - timedelta(days=10), expires_on=today + timedelta(days=5))
    if status == "verified":
        await reviewed(operator, row)
    elif status == "rejected":
        await reviewed(operator, row, "reject", "qualification.reject.not_in_register")
    elif status == "revoked":
        await reviewed(operator, row, "revoke", "qualification.revoke.withdrawn")
    day = {
        "issued_on": row.issued_on,
        "expires_on": row.expires_on,
        "day_after_expiry": row.expires_on + timedelta(days=1),
        "day_before_issue": row.issued_on - timedelta(days=1),
    }[asked]
    check = await qualifications.holds(sme.org_id, ["specialised", "tech_sme"], on=day)
    assert check.held == (("specialised",) if held else ())
    assert check.missing == (("tech_sme",) if held else ("specialised", "tech_sme"))
    assert check.verified == (("specialised",) if held and status == "verified" else ())
    assert [f.code for f in check.findings()] == ["qualification.missing"] * len(check.missing)
    assert [r.kind for r in await qualifications.held(sme.org_id, on=day)] == (["specialised"] if held else [])
    snapshot = check.snapshot()
    assert snapshot["on"] == day.isoformat()
    assert [r["sha256"] for r in snapshot["records"]] == ([row.sha256] if held else [])


async def test_expiry_is_checked_at_recording() -> None:
    sme = await firm()
    today = qualifications.today()
    cases = {
        "before_issued": (today - timedelta(days=5), today - timedelta(days=6)),
        "expired": (today - timedelta(days=400), today - timedelta(days=1)),
        "validity_too_long": (today - timedelta(days=1), today + timedelta(days=3 * 366 + 1)),
    }
    for code, (issued, expires) in cases.items():
        with pytest.raises(ValidationFailed) as refused:
            await recorded(sme, "high_tech", issued_on=issued, expires_on=expires)
        assert [(e.field, e.code) for e in refused.value.errors] == [("expires_on", code)]
    assert await qualifications.held(sme.org_id, on=today) == []
