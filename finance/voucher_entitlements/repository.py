"""Every query on voucher applications, entitlements, holds, the voucher ledger and the entitlement caps.

Every write that moves money on an entitlement first moves its guard (``available_minor``) with a conditional
update on the entitlement's row, then writes the ledger entry: the row lock orders writers on PostgreSQL (SQLite has
one writer), so an entitlement's row is always taken before any of its holds' rows (no deadlock between a capture
and a revocation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from finance.voucher_entitlements.records import (
    ApplicationRecord,
    CapNeed,
    CapRecord,
    EntitlementRecord,
    EntryRecord,
    GrantedTotal,
    HoldRecord,
)
from finance.voucher_entitlements.tables import (
    VoucherApplication,
    VoucherCap,
    VoucherEntitlement,
    VoucherEntry,
    VoucherHold,
)

# ------------------------------------------------------------------------------------------- entitlements


def _entitlement(row: Mapping[str, Any]) -> EntitlementRecord:
    return EntitlementRecord(
        id=int(row["id"]),
        application=row["application"],
        programme=int(row["programme"]),
        programme_version=int(row["programme_version"]),
        holder=int(row["holder"]),
        issuer=int(row["issuer"]),
        currency=str(row["currency"]),
        granted_minor=int(row["granted_minor"]),
        vouchers=row["vouchers"],
        face_value_minor=None if row["face_value_minor"] is None else int(row["face_value_minor"]),
        available_minor=int(row["available_minor"]),
        issued_on=row["issued_on"],
        expires_at=row["expires_at"],
        status=str(row["status"]),
        revoked_at=row["revoked_at"],
        revoked_reason=str(row["revoked_reason"]),
        revoked_by=row["revoked_by"],
        created_by=row["created_by"],
        created_at=row["created_at"],
    )


async def entitlement(entitlement_id: int) -> EntitlementRecord | None:
    row = await VoucherEntitlement.select().where(VoucherEntitlement.id == entitlement_id).first()
    return _entitlement(row) if row else None


async def entitlements(
    *, holder: int | None = None, issuer: int | None = None, programme: int | None = None,
    ids: Sequence[int] | None = None, status: str | None = None,
) -> list[EntitlementRecord]:
    query = VoucherEntitlement.select().order_by(VoucherEntitlement.id, ascending=False)
    if holder is not None:
        query = query.where(VoucherEntitlement.holder == holder)
    if issuer is not None:
        query = query.where(VoucherEntitlement.issuer == issuer)
    if programme is not None:
        query = query.where(VoucherEntitlement.programme == programme)
    if status is not None:
        query = query.where(VoucherEntitlement.status == status)
    if ids is not None:
        if not ids:
            return []
        query = query.where(VoucherEntitlement.id.is_in(list(ids)))
    return [_entitlement(r) for r in await query]


async def granted_by_holder(programme: int) -> list[GrantedTotal]:
    """What the programme granted, per holder: one GROUP BY on the programme's index (the issuer's report)."""
    rows = await VoucherEntitlement.raw(
        "SELECT holder, COUNT(*) AS n, COALESCE(SUM(granted_minor), 0) AS granted FROM finance_voucher_entitlement "
        "WHERE programme = {} GROUP BY holder",
        programme,
    )
    return [
        GrantedTotal(holder=int(r["holder"]), entitlements=int(r["n"]), granted_minor=int(r["granted"])) for r in rows
    ]


async def insert_entitlement(values: Mapping[str, Any]) -> int:
    """The entitlement with its guard at what is granted (the caller writes the ``grant`` entry with it)."""
    rows = await VoucherEntitlement.insert(
        VoucherEntitlement(available_minor=values["granted_minor"], status="active", **values)
    ).returning(VoucherEntitlement.id)
    return int(rows[0]["id"])


async def lock(entitlement_id: int) -> bool:
    """Take the entitlement's row for the rest of the transaction (a no-op update: SQLite has no FOR UPDATE)."""
    rows = await VoucherEntitlement.raw(
        "UPDATE finance_voucher_entitlement SET available_minor = available_minor WHERE id = {} RETURNING id",
        entitlement_id,
    )
    return bool(rows)


async def take(entitlement_id: int, *, holder: int, amount_minor: int) -> bool:
    """available -= amount if the entitlement is the holder's, active, and has that much available: the database
    decides (the row lock on PostgreSQL, the single writer on SQLite), so holds placed at once never take more than
    there is."""
    rows = await VoucherEntitlement.raw(
        "UPDATE finance_voucher_entitlement SET available_minor = available_minor - {} "
        "WHERE id = {} AND holder = {} AND status = 'active' AND available_minor >= {} RETURNING id",
        amount_minor, entitlement_id, holder, amount_minor,
    )  # fmt: skip
    return bool(rows)


async def give_back(entitlement_id: int, *, amount_minor: int) -> None:
    """available += amount (a release)."""
    await VoucherEntitlement.raw(
        "UPDATE finance_voucher_entitlement SET available_minor = available_minor + {} WHERE id = {}",
        amount_minor, entitlement_id,
    )  # fmt: skip


async def write_off(entitlement_id: int, *, amount_minor: int) -> bool:
    """available -= amount, if there is that much (an expiry or a revocation of what is available)."""
    rows = await VoucherEntitlement.raw(
        "UPDATE finance_voucher_entitlement SET available_minor = available_minor - {} "
        "WHERE id = {} AND available_minor >= {} RETURNING id",
        amount_minor, entitlement_id, amount_minor,
    )  # fmt: skip
    return bool(rows)


async def set_revoked(entitlement_id: int, *, reason: str, by: int | None, at: datetime) -> bool:
    """active → revoked, once."""
    rows = (
        await VoucherEntitlement.update(
            {VoucherEntitlement.status: "revoked", VoucherEntitlement.revoked_at: at,
             VoucherEntitlement.revoked_reason: reason, VoucherEntitlement.revoked_by: by}
        )
        .where((VoucherEntitlement.id == entitlement_id) & (VoucherEntitlement.status == "active"))
        .returning(VoucherEntitlement.id)
    )  # fmt: skip
    return bool(rows)


async def expired_with_balance(*, at: datetime, limit: int = 500) -> list[EntitlementRecord]:
    """Active entitlements past their expiry at ``at`` with something still available (the nightly job's work)."""
    rows = (
        await VoucherEntitlement.select()
        .where(
            (VoucherEntitlement.status == "active")
            & (VoucherEntitlement.expires_at <= at)
            & (VoucherEntitlement.available_minor > 0)
        )
        .order_by(VoucherEntitlement.id)
        .limit(limit)
    )
    return [_entitlement(r) for r in rows]


# -------------------------------------------------------------------------------------------------- holds


def _hold(row: Mapping[str, Any], currency: str) -> HoldRecord:
    return HoldRecord(
        id=int(row["id"]),
        entitlement=int(row["entitlement"]),
        ref=str(row["reference"]),
        amount_minor=int(row["amount_minor"]),
        captured_minor=int(row["captured_minor"]),
        paid_minor=int(row["paid_minor"]),
        currency=currency,
        status=str(row["status"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        settled_at=row["settled_at"],
    )


async def _currency_of(entitlement_id: int) -> str:
    row = await VoucherEntitlement.select(VoucherEntitlement.currency).where(
        VoucherEntitlement.id == entitlement_id
    ).first()
    return str(row["currency"]) if row else "CNY"


async def hold(hold_id: int) -> HoldRecord | None:
    row = await VoucherHold.select().where(VoucherHold.id == hold_id).first()
    return _hold(row, await _currency_of(int(row["entitlement"]))) if row else None


async def hold_by_ref(ref: str) -> HoldRecord | None:
    row = await VoucherHold.select().where(VoucherHold.reference == ref).first()
    return _hold(row, await _currency_of(int(row["entitlement"]))) if row else None


async def holds_of(entitlement_id: int, *, status: str | None = None) -> list[HoldRecord]:
    query = VoucherHold.select().where(VoucherHold.entitlement == entitlement_id).order_by(VoucherHold.id)
    if status is not None:
        query = query.where(VoucherHold.status == status)
    currency = await _currency_of(entitlement_id)
    return [_hold(r, currency) for r in await query]


async def insert_hold(*, entitlement_id: int, ref: str, amount_minor: int, by: int | None, at: datetime) -> int:
    """A hold (a second with the same ref is a unique violation: 409)."""
    rows = await VoucherHold.insert(
        VoucherHold(entitlement=entitlement_id, reference=ref, amount_minor=amount_minor, captured_minor=0,
                    status="held", created_by=by, created_at=at)
    ).returning(VoucherHold.id)  # fmt: skip
    return int(rows[0]["id"])


async def settle_hold(hold_id: int, *, to: str, captured_minor: int, at: datetime) -> bool:
    """held → captured | released, once (of two at once, one)."""
    rows = (
        await VoucherHold.update(
            {VoucherHold.status: to, VoucherHold.captured_minor: captured_minor, VoucherHold.settled_at: at}
        )
        .where((VoucherHold.id == hold_id) & (VoucherHold.status == "held"))
        .returning(VoucherHold.id)
    )
    return bool(rows)


async def pay_out(hold_id: int, *, amount_minor: int) -> bool:
    """paid += amount, never above what was captured (of two payouts at once, only what fits)."""
    rows = await VoucherHold.raw(
        "UPDATE finance_voucher_hold SET paid_minor = paid_minor + {} "
        "WHERE id = {} AND status = 'captured' AND paid_minor + {} <= captured_minor RETURNING id",
        amount_minor, hold_id, amount_minor,
    )  # fmt: skip
    return bool(rows)


# ------------------------------------------------------------------------------------------------- ledger


def _entry(row: Mapping[str, Any]) -> EntryRecord:
    return EntryRecord(
        id=int(row["id"]),
        entitlement=int(row["entitlement"]),
        kind=str(row["kind"]),
        amount_minor=int(row["amount_minor"]),
        currency=str(row["currency"]),
        hold=row["hold"],
        ref=str(row["reference"]),
        at=row["at"],
        by_user=row["by_user"],
    )


async def insert_entry(
    *, entitlement_id: int, kind: str, amount_minor: int, currency: str, hold: int | None, ref: str,
    by: int | None, at: datetime,
) -> int:
    rows = await VoucherEntry.insert(
        VoucherEntry(entitlement=entitlement_id, kind=kind, amount_minor=amount_minor, currency=currency, hold=hold,
                     reference=ref, by_user=by, at=at)
    ).returning(VoucherEntry.id)  # fmt: skip
    return int(rows[0]["id"])


async def entries(entitlement_id: int) -> list[EntryRecord]:
    rows = await VoucherEntry.select().where(VoucherEntry.entitlement == entitlement_id).order_by(VoucherEntry.id)
    return [_entry(r) for r in rows]


async def sums(entitlement_id: int) -> dict[str, int]:
    """The entitlement's entries summed by kind (one aggregate query)."""
    rows = await VoucherEntry.raw(
        "SELECT kind, SUM(amount_minor) AS total FROM finance_voucher_entry WHERE entitlement = {} GROUP BY kind",
        entitlement_id,
    )
    return {str(r["kind"]): int(r["total"] or 0) for r in rows}


async def sums_by_entitlement(entitlement_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Several entitlements' entries summed by kind (one aggregate query)."""
    if not entitlement_ids:
        return {}
    rows = (
        await VoucherEntry.select(VoucherEntry.entitlement, VoucherEntry.kind, VoucherEntry.amount_minor)
        .where(VoucherEntry.entitlement.is_in(list(entitlement_ids)))
    )
    out: dict[int, dict[str, int]] = {int(i): {} for i in entitlement_ids}
    for r in rows:
        bucket = out.setdefault(int(r["entitlement"]), {})
        bucket[str(r["kind"])] = bucket.get(str(r["kind"]), 0) + int(r["amount_minor"])
    return out


# -------------------------------------------------------------------------------------------- applications


def _application(row: Mapping[str, Any]) -> ApplicationRecord:
    return ApplicationRecord(
        id=int(row["id"]),
        case=row["case"],
        programme=int(row["programme"]),
        programme_version=int(row["programme_version"]),
        applicant=int(row["applicant"]),
        issuer=int(row["issuer"]),
        value_kind=str(row["value_kind"]),
        requested_minor=int(row["requested_minor"]),
        vouchers=row["vouchers"],
        face_value_minor=None if row["face_value_minor"] is None else int(row["face_value_minor"]),
        currency=str(row["currency"]),
        purpose=str(row["purpose"]),
        declarations=list(row["declarations"] or []),
        precheck=list(row["precheck"] or []),
        qualifications=dict(row["qualifications"] or {}),
        favoured=tuple(str(k) for k in row["favoured"] or ()),
        priority=int(row["priority"]),
        tiers=tuple(str(t) for t in row["tiers"] or ()),
        tier=int(row["tier"]),
        approved_minor=None if row["approved_minor"] is None else int(row["approved_minor"]),
        entitlement=row["entitlement"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def application(application_id: int) -> ApplicationRecord | None:
    row = (
        await VoucherApplication.select()
        .where(VoucherApplication.id == application_id)
        .output(load_json=True)
        .first()
    )
    return _application(row) if row else None


async def applications(
    *, applicant: int | None = None, issuer: int | None = None, programme: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[ApplicationRecord]:
    query = VoucherApplication.select().order_by(VoucherApplication.id, ascending=False).output(load_json=True)
    if applicant is not None:
        query = query.where(VoucherApplication.applicant == applicant)
    if issuer is not None:
        query = query.where(VoucherApplication.issuer == issuer)
    if programme is not None:
        query = query.where(VoucherApplication.programme == programme)
    if ids is not None:
        if not ids:
            return []
        query = query.where(VoucherApplication.id.is_in(list(ids)))
    return [_application(r) for r in await query]


async def insert_application(values: Mapping[str, Any]) -> int:
    rows = await VoucherApplication.insert(VoucherApplication(**values)).returning(VoucherApplication.id)
    return int(rows[0]["id"])


async def set_case(application_id: int, case_id: int) -> None:
    await VoucherApplication.update({VoucherApplication.case: case_id}).where(VoucherApplication.id == application_id)


async def next_tier(application_id: int, *, from_tier: int, at: datetime) -> bool:
    """tier := from_tier + 1 if it is still ``from_tier`` (one approval per tier)."""
    rows = (
        await VoucherApplication.update(
            {VoucherApplication.tier: from_tier + 1, VoucherApplication.updated_at: at}
        )
        .where((VoucherApplication.id == application_id) & (VoucherApplication.tier == from_tier))
        .returning(VoucherApplication.id)
    )
    return bool(rows)


async def set_issued(application_id: int, *, amount_minor: int, entitlement_id: int, at: datetime) -> bool:
    """Once: only while no entitlement was issued."""
    rows = (
        await VoucherApplication.update(
            {VoucherApplication.approved_minor: amount_minor, VoucherApplication.entitlement: entitlement_id,
             VoucherApplication.updated_at: at}
        )
        .where((VoucherApplication.id == application_id) & VoucherApplication.entitlement.is_null())
        .returning(VoucherApplication.id)
    )  # fmt: skip
    return bool(rows)


# ---------------------------------------------------------------------------------------------- the caps


def _cap(row: Mapping[str, Any]) -> CapRecord:
    return CapRecord(
        id=int(row["id"]),
        key=str(row["key"]),
        scope=str(row["scope"]),
        programme=row["programme"],
        org=row["org"],
        limit_minor=int(row["limit_minor"]),
        reserved_minor=int(row["reserved_minor"]),
        currency=str(row["currency"]),
    )


async def caps(keys: Sequence[str]) -> dict[str, CapRecord]:
    if not keys:
        return {}
    rows = await VoucherCap.select().where(VoucherCap.key.is_in(list(keys)))
    return {str(r["key"]): _cap(r) for r in rows}


async def ensure_cap(need: CapNeed, currency: str, at: datetime) -> None:
    """The running total's row, made at zero if it is not there (two at once: one row)."""
    await VoucherCap.insert(
        VoucherCap(key=need.key, scope=need.scope, programme=need.programme, org=need.org,
                   limit_minor=need.limit_minor, reserved_minor=0, currency=currency, updated_at=at)
    ).on_conflict(target=VoucherCap.key, action="DO NOTHING")  # fmt: skip


async def reserve(key: str, *, amount_minor: int, limit_minor: int) -> bool:
    """reserved += amount, if it stays at or under ``limit_minor``: the database decides."""
    rows = await VoucherCap.raw(
        "UPDATE finance_voucher_entitlement_cap SET reserved_minor = reserved_minor + {}, limit_minor = {} "
        "WHERE key = {} AND reserved_minor + {} <= {} RETURNING id",
        amount_minor, limit_minor, key, amount_minor, limit_minor,
    )  # fmt: skip
    return bool(rows)

