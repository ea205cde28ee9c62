"""Recorded qualifications: what ``held``/``holds`` count on a day (the case table of expiry at the moment of the
check), the checks at recording (expiry required, not before the issue date, not past; evidence by its bytes),
supersession by a newer record of the kind, the administrator's review. Services on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import pytest
from asyncpg import UniqueViolationError

from finance.desk.reasons import Reason
from finance.qualifications import service as qualifications
from market.audit.tables import AuditEvent
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import Backend
from tests.finance.qualification_support import EVIDENCE, PNG, recorded, reviewed
from tests.finance.support import admin, firm
from tests.support.typed_records import assert_typed

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
    assert [Reason.of(f).code for f in check.findings()] == ["qualification.missing"] * len(check.missing)
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


async def test_evidence_is_checked_by_its_bytes_and_stored_with_its_hash() -> None:
    sme = await firm()
    for content, code in ((b"", "required"), (b"GIF89a not a pdf", "type_not_accepted")):
        with pytest.raises(ValidationFailed) as refused:
            await recorded(sme, "tech_sme", content=content)
        assert [(e.field, e.code) for e in refused.value.errors] == [("file", code)]
    with pytest.raises(ValidationFailed) as too_big:
        await recorded(sme, "tech_sme", content=EVIDENCE + b"0" * qualifications.MAX_BYTES)
    assert [(e.field, e.code) for e in too_big.value.errors] == [("file", "too_large")]
    row = await recorded(sme, "tech_sme", content=PNG)  # a PNG named .pdf is stored as what it is
    assert_typed(row)
    assert (row.content_type, row.sha256) == ("image/png", hashlib.sha256(PNG).hexdigest())
    found = await qualifications.evidence(principal=sme, qualification_id=row.id)
    assert_typed(found)
    assert found.content == PNG
    with pytest.raises(NotFound):  # another firm's evidence is not found
        await qualifications.evidence(principal=await firm("另一家企业"), qualification_id=row.id)


async def test_a_newer_record_of_the_kind_supersedes_the_live_one_and_both_are_audited() -> None:
    sme, operator = await firm(), await admin()
    first = await reviewed(operator, await recorded(sme, "high_tech", number="GR202633000001"))
    second = await recorded(sme, "high_tech", number="GR202633000999")
    rows = {r.id: r for r in await qualifications.of_org(principal=sme)}
    for one in rows.values():
        assert_typed(one)
    assert (rows[first.id].status, rows[first.id].superseded_by, rows[first.id].ended_at is not None) == (
        "superseded",
        second.id,
        True,
    )
    today = qualifications.today()
    check = await qualifications.holds(sme.org_id, ["high_tech"], on=today)
    assert [r.certificate_number for r in check.records] == ["GR202633000999"]
    assert check.verified == ()  # the newer one is not verified yet: verification is per record
    with pytest.raises(Conflict):  # a superseded record cannot be verified any more
        await reviewed(operator, rows[first.id])
    events = await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_type == "qualification").order_by(
        AuditEvent.id
    )  # fmt: skip
    actions = [e["action"] for e in events]
    assert actions == [
        "finance.qualification_recorded",
        "finance.qualification_verified",
        "finance.qualification_recorded",
    ]


async def test_only_an_administrator_reviews_with_a_reason_on_the_version_read() -> None:
    sme, operator = await firm(), await admin()
    row = await recorded(sme, "little_giant")
    with pytest.raises(Forbidden):
        await reviewed(sme, row)
    with pytest.raises(ValidationFailed) as no_reason:
        await reviewed(operator, row, "reject", "")
    assert [(e.field, e.code) for e in no_reason.value.errors] == [("reason_code", "reason_required")]
    with pytest.raises(ValidationFailed):  # a revocation reason is not a rejection reason
        await reviewed(operator, row, "reject", "qualification.revoke.withdrawn")
    verified = await reviewed(operator, row)
    with pytest.raises(Conflict):  # the page showed version 1: stale
        await reviewed(operator, row, "revoke", "qualification.revoke.withdrawn")
    revoked = await reviewed(operator, verified, "revoke", "qualification.revoke.withdrawn")
    assert (revoked.status, revoked.reason_code, revoked.reviewed_by) == (
        "revoked",
        "qualification.revoke.withdrawn",
        operator.user_id,
    )
    assert await qualifications.held(sme.org_id, on=qualifications.today()) == []
    with pytest.raises(ValueError, match="unknown qualification kinds"):
        await qualifications.holds(sme.org_id, ["iso9001"], on=qualifications.today())


async def test_parallel_records_of_one_kind_leave_one_live(backend: Backend) -> None:
    """PostgreSQL: 10 owners' requests at once recording the same kind leave exactly one live record (the others
    a 409, or superseded); ``held`` never counts two."""
    if backend.name != "postgres":
        pytest.skip("the race is about PostgreSQL's concurrent transactions")
    sme = await firm()

    async def one(n: int) -> str:
        try:
            await recorded(sme, "specialised", number=f"ZJ-{n}")
        except (Conflict, UniqueViolationError):
            return "conflict"
        return "ok"

    outcomes = await asyncio.gather(*(one(n) for n in range(10)))
    assert "ok" in outcomes
    live = [r for r in await qualifications.of_org(principal=sme) if r.live]
    assert len(live) == 1
    assert len(await qualifications.held(sme.org_id, on=qualifications.today())) == 1


async def test_members_are_told_once_before_and_once_after_expiry() -> None:
    sme = await firm()
    today = qualifications.today()
    row = await recorded(sme, "tech_sme", issued_on=today - timedelta(days=100), expires_on=today + timedelta(days=40))

    async def notices() -> list[str]:
        rows = await Notification.select(Notification.code).where(Notification.user == sme.user_id)
        return sorted(r["code"] for r in rows)

    async with unit_of_work():
        await qualifications.remind_expiring(on=today)  # 40 days before: not yet
    assert await notices() == []
    for day in (row.expires_on - timedelta(days=30), row.expires_on - timedelta(days=1)):
        async with unit_of_work():
            await qualifications.remind_expiring(on=day)
    assert await notices() == ["notification.qualification_expiring"]  # once
    for day in (row.expires_on + timedelta(days=1), row.expires_on + timedelta(days=2)):
        async with unit_of_work():
            await qualifications.remind_expiring(on=day)
    assert await notices() == ["notification.qualification_expired", "notification.qualification_expiring"]
