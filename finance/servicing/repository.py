"""Every query on loans, their entries and pool claims."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from finance.servicing.records import EntryRecord, LoanRecord, PoolClaimRecord
from finance.servicing.tables import Loan, LoanEntry, PoolClaim


def _loan(row: dict[str, Any]) -> LoanRecord:
    return LoanRecord(**{**row, "pure_ip": bool(row["pure_ip"])})


async def get(loan_id: int) -> LoanRecord | None:
    row = await Loan.select().where(Loan.id == loan_id).first()
    return _loan(row) if row else None


async def for_registration(registration_id: int) -> LoanRecord | None:
    row = await Loan.select().where(Loan.registration == registration_id).first()
    return _loan(row) if row else None


async def for_org(org_id: int, *, limit: int = 200) -> list[LoanRecord]:
    rows = (
        await Loan.select()
        .where((Loan.lender == org_id) | (Loan.borrower == org_id))
        .order_by(Loan.id, ascending=False)
        .limit(limit)
    )
    return [_loan(r) for r in rows]


async def create(*, values: dict[str, Any]) -> int:
    rows = await Loan.insert(Loan(**values)).returning(Loan.id)
    return int(rows[0]["id"])


async def bump(loan_id: int, *, version: int, changes: dict[str, Any]) -> bool:
    """The conditional update every entry goes through: only at ``version`` (to ``version + 1``)."""
    values = {**changes, "version": version + 1, "updated_at": datetime.now(UTC)}
    rows = (
        await Loan.update({getattr(Loan, k): v for k, v in values.items()})
        .where((Loan.id == loan_id) & (Loan.version == version))
        .returning(Loan.id)
    )
    return bool(rows)


async def entries(loan_id: int) -> list[EntryRecord]:
    rows = await LoanEntry.select().where(LoanEntry.loan == loan_id).order_by(LoanEntry.seq)
    return [EntryRecord(**r) for r in rows]


async def add_entry(*, values: dict[str, Any]) -> int:
    key = f"{values['loan']}:{values['seq']}"
    rows = await LoanEntry.insert(LoanEntry(**values, natural_key=key)).returning(LoanEntry.id)
    return int(rows[0]["id"])


def _claim(row: dict[str, Any]) -> PoolClaimRecord:
    loaded = {k: json.loads(row[k]) if isinstance(row[k], str) else row[k] for k in ("reasons", "lines", "snapshot")}
    return PoolClaimRecord(**{**row, **loaded})


async def claim(loan_id: int) -> PoolClaimRecord | None:
    row = await PoolClaim.select().where(PoolClaim.loan == loan_id).first()
    return _claim(row) if row else None


async def add_claim(*, values: dict[str, Any]) -> int:
    stored: dict[str, Any] = {
        k: json.dumps(v, ensure_ascii=False) if k in ("reasons", "lines", "snapshot") else v for k, v in values.items()
    }
    rows = await PoolClaim.insert(PoolClaim(**stored)).returning(PoolClaim.id)
    return int(rows[0]["id"])
