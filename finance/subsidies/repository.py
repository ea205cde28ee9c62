"""Every query on subsidy programmes, their versions, claims, payments and the caps ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from finance.subsidies.records import CapNeed, CapRecord, ClaimRecord, PaymentRecord, ProgrammeRecord
from finance.subsidies.tables import (
    SubsidyCap,
    SubsidyClaim,
    SubsidyPayment,
    SubsidyProgramme,
    SubsidyProgrammeVersion,
)
from market.kit.money import Money

# ---------------------------------------------------------------------------------------------- programmes


def _money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money(currency, int(minor))


def _ints(value: Any) -> dict[str, int]:
    return {str(k): int(v) for k, v in dict(value or {}).items()}


def _programme(series: Mapping[str, Any], version: Mapping[str, Any]) -> ProgrammeRecord:
    currency = str(version["currency"])
    return ProgrammeRecord(
        id=int(series["id"]),
        issuer=int(series["issuer"]),
        code=str(series["code"]),
        status=str(series["status"]),
        version=int(version["version"]),
        current_version=int(series["version"]),
        version_id=int(version["id"]),
        name_zh=str(version["name_zh"]),
        name_en=str(version["name_en"]),
        kinds=tuple(str(k) for k in version["kinds"] or ()),
        share_first_bp=_ints(version["share_first_bp"]),
        share_later_bp=_ints(version["share_later_bp"]),
        cap_per_firm=_money(version["cap_per_firm_minor"], currency),
        tier_caps=_ints(version["tier_caps"]),
        kind_caps=_ints(version["kind_caps"]),
        budget=_money(version["budget_minor"], currency),
        currency=currency,
        approval_thresholds=tuple((int(a), int(n)) for a, n in version["approval_thresholds"] or ()),
        refusal_needs_second=bool(version["refusal_needs_second"]),
        source=str(version["source"]),
        reliability=str(version["reliability"]),
        note=str(version["note"]),
        created_at=series["created_at"],
        version_created_at=version["created_at"],
        opened_at=series["opened_at"],
    )


async def _with_versions(
    series_rows: Sequence[Mapping[str, Any]], *, version: int | None = None
) -> list[ProgrammeRecord]:
    if not series_rows:
        return []
    ids = [int(r["id"]) for r in series_rows]
    rows = (
        await SubsidyProgrammeVersion.select()
        .where(SubsidyProgrammeVersion.programme.is_in(ids))
        .output(load_json=True)
    )
    by_key = {(int(r["programme"]), int(r["version"])): r for r in rows}
    out = []
    for s in series_rows:
        v = by_key.get((int(s["id"]), int(version if version is not None else s["version"])))
        if v is not None:
            out.append(_programme(s, v))
    return out


async def get(programme_id: int, version: int | None = None) -> ProgrammeRecord | None:
    row = await SubsidyProgramme.select().where(SubsidyProgramme.id == programme_id).first()
    if row is None:
        return None
    found = await _with_versions([row], version=version)
    return found[0] if found else None


async def versions(programme_id: int) -> list[ProgrammeRecord]:
    row = await SubsidyProgramme.select().where(SubsidyProgramme.id == programme_id).first()
    if row is None:
        return []
    rows = (
        await SubsidyProgrammeVersion.select()
        .where(SubsidyProgrammeVersion.programme == programme_id)
        .order_by(SubsidyProgrammeVersion.version, ascending=False)
        .output(load_json=True)
    )
    return [_programme(row, v) for v in rows]


async def listed(*, issuer: int | None = None, statuses: Sequence[str] = ()) -> list[ProgrammeRecord]:
    query = SubsidyProgramme.select().order_by(SubsidyProgramme.id)
    if issuer is not None:
        query = query.where(SubsidyProgramme.issuer == issuer)
    if statuses:
        query = query.where(SubsidyProgramme.status.is_in(list(statuses)))
    return await _with_versions(await query)


async def by_code(issuer: int, code: str) -> ProgrammeRecord | None:
    row = await SubsidyProgramme.select().where(SubsidyProgramme.natural_key == f"{issuer}:{code}").first()
    if row is None:
        return None
    found = await _with_versions([row])
    return found[0] if found else None


async def insert_programme(*, issuer: int, code: str, created_by: int | None, at: datetime) -> int:
    rows = await SubsidyProgramme.insert(
        SubsidyProgramme(issuer=issuer, code=code, natural_key=f"{issuer}:{code}", status="draft", version=1,
                         created_by=created_by, created_at=at, updated_at=at)
    ).returning(SubsidyProgramme.id)  # fmt: skip
    return int(rows[0]["id"])


async def insert_version(
    *, programme_id: int, version: int, values: Mapping[str, Any], created_by: int | None, at: datetime
) -> int:
    rows = await SubsidyProgrammeVersion.insert(
        SubsidyProgrammeVersion(programme=programme_id, version=version, natural_key=f"{programme_id}:{version}",
                                created_by=created_by, created_at=at, **values)
    ).returning(SubsidyProgrammeVersion.id)  # fmt: skip
    return int(rows[0]["id"])


async def move_version(*, programme_id: int, expected: int, at: datetime) -> bool:
    """version := expected + 1 if it is still ``expected``: of two editors, one wins."""
    rows = (
        await SubsidyProgramme.update({SubsidyProgramme.version: expected + 1, SubsidyProgramme.updated_at: at})
        .where((SubsidyProgramme.id == programme_id) & (SubsidyProgramme.version == expected))
        .returning(SubsidyProgramme.id)
    )
    return bool(rows)


async def set_status(*, programme_id: int, from_statuses: Sequence[str], to: str, at: datetime) -> bool:
    values: dict[Any, Any] = {SubsidyProgramme.status: to, SubsidyProgramme.updated_at: at}
    if to == "open":
        values[SubsidyProgramme.opened_at] = at
    rows = (
        await SubsidyProgramme.update(values)
        .where((SubsidyProgramme.id == programme_id) & SubsidyProgramme.status.is_in(list(from_statuses)))
        .returning(SubsidyProgramme.id)
    )
    return bool(rows)


# ------------------------------------------------------------------------------------------------- claims


def _claim(row: Mapping[str, Any]) -> ClaimRecord:
    return ClaimRecord(
        id=int(row["id"]),
        case=row["case"],
        programme=int(row["programme"]),
        programme_version=int(row["programme_version"]),
        policy=int(row["policy"]),
        applicant=int(row["applicant"]),
        issuer=int(row["issuer"]),
        kind=str(row["kind"]),
        firm_tier=str(row["firm_tier"]),
        first_policy=bool(row["first_policy"]),
        premium_minor=int(row["premium_minor"]),
        currency=str(row["currency"]),
        requested_minor=int(row["requested_minor"]),
        approved_minor=None if row["approved_minor"] is None else int(row["approved_minor"]),
        paid_minor=int(row["paid_minor"]),
        proof=dict(row["proof"] or {}),
        lines=list(row["lines"] or []),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        approved_at=row["approved_at"],
        paid_at=row["paid_at"],
    )


async def claim(claim_id: int) -> ClaimRecord | None:
    row = await SubsidyClaim.select().where(SubsidyClaim.id == claim_id).output(load_json=True).first()
    return _claim(row) if row else None


async def claim_by_key(policy_id: int, programme_id: int) -> ClaimRecord | None:
    key = f"{policy_id}:{programme_id}"
    row = await SubsidyClaim.select().where(SubsidyClaim.natural_key == key).output(load_json=True).first()
    return _claim(row) if row else None


async def claims(
    *, applicant: int | None = None, issuer: int | None = None, ids: Sequence[int] | None = None,
    policy: int | None = None,
) -> list[ClaimRecord]:
    query = SubsidyClaim.select().order_by(SubsidyClaim.id, ascending=False).output(load_json=True)
    if applicant is not None:
        query = query.where(SubsidyClaim.applicant == applicant)
    if issuer is not None:
        query = query.where(SubsidyClaim.issuer == issuer)
    if policy is not None:
        query = query.where(SubsidyClaim.policy == policy)
    if ids is not None:
        if not ids:
            return []
        query = query.where(SubsidyClaim.id.is_in(list(ids)))
    return [_claim(r) for r in await query]


async def insert_claim(values: Mapping[str, Any]) -> int:
    """One claim per (policy, programme): a second is a unique violation (409), also when filed at once."""
    key = f"{values['policy']}:{values['programme']}"
    rows = await SubsidyClaim.insert(SubsidyClaim(natural_key=key, **values)).returning(SubsidyClaim.id)
    return int(rows[0]["id"])


async def set_case(claim_id: int, case_id: int) -> None:
    await SubsidyClaim.update({SubsidyClaim.case: case_id}).where(SubsidyClaim.id == claim_id)


async def set_approved(claim_id: int, *, amount_minor: int, first_policy: bool, lines: list[Any], at: datetime) -> bool:
    """Once: only while no amount is approved."""
    rows = (
        await SubsidyClaim.update(
            {SubsidyClaim.approved_minor: amount_minor, SubsidyClaim.first_policy: first_policy,
             SubsidyClaim.lines: lines, SubsidyClaim.approved_at: at, SubsidyClaim.updated_at: at}
        )
        .where((SubsidyClaim.id == claim_id) & SubsidyClaim.approved_minor.is_null())
        .returning(SubsidyClaim.id)
    )  # fmt: skip
    return bool(rows)


async def set_paid(claim_id: int, *, amount_minor: int, at: datetime) -> bool:
    """Once: only while nothing is paid."""
    rows = (
        await SubsidyClaim.update(
            {SubsidyClaim.paid_minor: amount_minor, SubsidyClaim.paid_at: at, SubsidyClaim.updated_at: at}
        )
        .where((SubsidyClaim.id == claim_id) & SubsidyClaim.paid_at.is_null())
        .returning(SubsidyClaim.id)
    )
    return bool(rows)


# ----------------------------------------------------------------------------------------------- payments


def _payment(row: Mapping[str, Any]) -> PaymentRecord:
    return PaymentRecord(
        id=int(row["id"]),
        claim=int(row["claim"]),
        amount_minor=int(row["amount_minor"]),
        currency=str(row["currency"]),
        paid_on=row["paid_on"],
        reference=str(row["reference"]),
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


async def insert_payment(
    *, claim_id: int, amount_minor: int, currency: str, paid_on: date, reference: str, by: int | None, at: datetime
) -> int:
    rows = await SubsidyPayment.insert(
        SubsidyPayment(claim=claim_id, amount_minor=amount_minor, currency=currency, paid_on=paid_on,
                       reference=reference, recorded_by=by, recorded_at=at)
    ).returning(SubsidyPayment.id)  # fmt: skip
    return int(rows[0]["id"])


async def payment_of(claim_id: int) -> PaymentRecord | None:
    row = await SubsidyPayment.select().where(SubsidyPayment.claim == claim_id).first()
    return _payment(row) if row else None


# ---------------------------------------------------------------------------------------------- the caps


def _cap(row: Mapping[str, Any]) -> CapRecord:
    return CapRecord(
        id=int(row["id"]),
        key=str(row["key"]),
        scope=str(row["scope"]),
        programme=row["programme"],
        org=row["org"],
        policy=row["policy"],
        limit_minor=int(row["limit_minor"]),
        reserved_minor=int(row["reserved_minor"]),
        paid_minor=int(row["paid_minor"]),
        currency=str(row["currency"]),
    )


async def caps(keys: Sequence[str]) -> dict[str, CapRecord]:
    if not keys:
        return {}
    rows = await SubsidyCap.select().where(SubsidyCap.key.is_in(list(keys)))
    return {str(r["key"]): _cap(r) for r in rows}


async def caps_of_org(org_id: int) -> list[CapRecord]:
    return [_cap(r) for r in await SubsidyCap.select().where(SubsidyCap.org == org_id).order_by(SubsidyCap.key)]


async def ensure_cap(need: CapNeed, currency: str, at: datetime) -> None:
    """The running total's row, made at zero if it is not there (two at once: one row)."""
    await SubsidyCap.insert(
        SubsidyCap(key=need.key, scope=need.scope, programme=need.programme, org=need.org, policy=need.policy,
                   limit_minor=need.limit_minor, reserved_minor=0, paid_minor=0, currency=currency, updated_at=at)
    ).on_conflict(target=SubsidyCap.key, action="DO NOTHING")  # fmt: skip


async def reserve(key: str, *, amount_minor: int, limit_minor: int) -> bool:
    """reserved += amount, if it stays at or under ``limit_minor``: the database decides (a row lock on
    PostgreSQL, the single writer on SQLite), so of claims approved at once only those that fit pass."""
    rows = await SubsidyCap.raw(
        "UPDATE finance_subsidy_cap SET reserved_minor = reserved_minor + {}, limit_minor = {} "
        "WHERE key = {} AND reserved_minor + {} <= {} RETURNING id",
        amount_minor, limit_minor, key, amount_minor, limit_minor,
    )  # fmt: skip
    return bool(rows)


async def release(key: str, *, amount_minor: int) -> bool:
    """reserved -= amount (never below what is paid)."""
    rows = await SubsidyCap.raw(
        "UPDATE finance_subsidy_cap SET reserved_minor = reserved_minor - {} "
        "WHERE key = {} AND reserved_minor - {} >= paid_minor RETURNING id",
        amount_minor, key, amount_minor,
    )  # fmt: skip
    return bool(rows)


async def pay(key: str, *, amount_minor: int) -> bool:
    """paid += amount, never above what is reserved."""
    rows = await SubsidyCap.raw(
        "UPDATE finance_subsidy_cap SET paid_minor = paid_minor + {} "
        "WHERE key = {} AND paid_minor + {} <= reserved_minor RETURNING id",
        amount_minor, key, amount_minor,
    )  # fmt: skip
    return bool(rows)
