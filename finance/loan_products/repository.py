"""Every query on loan products, their versions and risk-compensation pools."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from finance.loan_products.records import ApprovalPolicy, DocumentRequirement, PoolRecord, ProductRecord
from finance.loan_products.tables import LoanProduct, LoanProductVersion, RiskPool
from market.kit.money import Money

# ------------------------------------------------------------------------------------------------- pools


def _money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money(currency, int(minor))


def _pool(row: Mapping[str, Any]) -> PoolRecord:
    currency = str(row["currency"])
    return PoolRecord(
        id=int(row["id"]),
        code=str(row["code"]),
        name_zh=str(row["name_zh"]),
        name_en=str(row["name_en"]),
        issuer=str(row["issuer"]),
        loss_split_bp={str(k): int(v) for k, v in dict(row["loss_split_bp"] or {}).items()},
        cap_first_year=_money(row["cap_first_year_minor"], currency),
        cap_later=_money(row["cap_later_minor"], currency),
        pure_ip_only=bool(row["pure_ip_only"]),
        size=_money(row["size_minor"], currency),
        scope=str(row["scope"]),
        source=str(row["source"]),
        reliability=str(row["reliability"]),
        recorded_by_org=row["recorded_by_org"],
        created_at=row["created_at"],
    )


async def pools(ids: Sequence[int] | None = None) -> list[PoolRecord]:
    query = RiskPool.select().output(load_json=True).order_by(RiskPool.id)
    if ids is not None:
        if not ids:
            return []
        query = query.where(RiskPool.id.is_in(list(ids)))
    return [_pool(r) for r in await query]


async def pool(pool_id: int) -> PoolRecord | None:
    row = await RiskPool.select().where(RiskPool.id == pool_id).output(load_json=True).first()
    return _pool(row) if row else None


async def pool_by_code(code: str) -> PoolRecord | None:
    row = await RiskPool.select().where(RiskPool.code == code).output(load_json=True).first()
    return _pool(row) if row else None


async def insert_pool(values: Mapping[str, Any]) -> int:
    rows = await RiskPool.insert(RiskPool(**values)).returning(RiskPool.id)
    return int(rows[0]["id"])


# ---------------------------------------------------------------------------------------------- products


def _requirement(item: Mapping[str, Any]) -> DocumentRequirement:
    age = item.get("max_age_days")
    return DocumentRequirement(
        code=str(item["code"]),
        required=bool(item.get("required", True)),
        accepted_types=tuple(str(t) for t in item.get("accepted_types") or ()),
        max_age_days=None if age is None else int(age),
        label_zh=str(item.get("label_zh", "")),
        label_en=str(item.get("label_en", "")),
    )


def _product(series: Mapping[str, Any], version: Mapping[str, Any]) -> ProductRecord:
    currency = str(version["currency"])
    return ProductRecord(
        id=int(series["id"]),
        bank=int(series["bank"]),
        code=str(series["code"]),
        status=str(series["status"]),
        version=int(version["version"]),
        current_version=int(series["version"]),
        name_zh=str(version["name_zh"]),
        name_en=str(version["name_en"]),
        kinds=tuple(str(k) for k in version["kinds"] or ()),
        ltv_bp={str(k): int(v) for k, v in dict(version["ltv_bp"] or {}).items()},
        min_remaining_years={str(k): int(v) for k, v in dict(version["min_remaining_years"] or {}).items()},
        max_amount=Money(currency, int(version["max_amount_minor"])),
        max_term_months=int(version["max_term_months"]),
        rate_min_bp=version["rate_min_bp"],
        rate_max_bp=version["rate_max_bp"],
        documents=tuple(_requirement(d) for d in version["documents"] or ()),
        approval=ApprovalPolicy(
            thresholds=tuple((int(a), int(n)) for a, n in version["approval_thresholds"] or ()),
            refusal_needs_second=bool(version["refusal_needs_second"]),
        ),
        pools=tuple(int(p) for p in version["pools"] or ()),
        source=str(version["source"]),
        reliability=str(version["reliability"]),
        note=str(version["note"]),
        created_by=series["created_by"],
        created_at=series["created_at"],
        version_created_at=version["created_at"],
        published_at=series["published_at"],
    )


async def _with_versions(
    series_rows: Sequence[Mapping[str, Any]], *, version: int | None = None
) -> list[ProductRecord]:
    if not series_rows:
        return []
    ids = [int(r["id"]) for r in series_rows]
    rows = await LoanProductVersion.select().where(LoanProductVersion.product.is_in(ids)).output(load_json=True)
    by_key = {(int(r["product"]), int(r["version"])): r for r in rows}
    out = []
    for s in series_rows:
        v = by_key.get((int(s["id"]), int(version if version is not None else s["version"])))
        if v is not None:
            out.append(_product(s, v))
    return out


async def get(product_id: int, version: int | None = None) -> ProductRecord | None:
    """The product at ``version`` (the version in force when None)."""
    row = await LoanProduct.select().where(LoanProduct.id == product_id).first()
    if row is None:
        return None
    found = await _with_versions([row], version=version)
    return found[0] if found else None


async def versions(product_id: int) -> list[ProductRecord]:
    """Every version of a product, newest first."""
    row = await LoanProduct.select().where(LoanProduct.id == product_id).first()
    if row is None:
        return []
    rows = (
        await LoanProductVersion.select()
        .where(LoanProductVersion.product == product_id)
        .order_by(LoanProductVersion.version, ascending=False)
        .output(load_json=True)
    )
    return [_product(row, v) for v in rows]


async def of_bank(bank_id: int) -> list[ProductRecord]:
    rows = await LoanProduct.select().where(LoanProduct.bank == bank_id).order_by(LoanProduct.id)
    return await _with_versions(rows)


async def by_code(bank_id: int, code: str) -> ProductRecord | None:
    row = await LoanProduct.select().where((LoanProduct.bank == bank_id) & (LoanProduct.code == code)).first()
    if row is None:
        return None
    found = await _with_versions([row])
    return found[0] if found else None


async def published(bank_id: int | None = None) -> list[ProductRecord]:
    query = LoanProduct.select().where(LoanProduct.status == "published").order_by(LoanProduct.id)
    if bank_id is not None:
        query = query.where(LoanProduct.bank == bank_id)
    rows = await query
    return await _with_versions(rows)


async def insert_product(*, bank_id: int, code: str, created_by: int | None, at: datetime) -> int:
    rows = await LoanProduct.insert(
        LoanProduct(bank=bank_id, code=code, status="draft", version=1, created_by=created_by, created_at=at,
                    updated_at=at)
    ).returning(LoanProduct.id)
    return int(rows[0]["id"])


async def insert_version(*, product_id: int, version: int, values: Mapping[str, Any], created_by: int | None,
                         at: datetime) -> int:
    rows = await LoanProductVersion.insert(
        LoanProductVersion(product=product_id, version=version, created_by=created_by, created_at=at, **values)
    ).returning(LoanProductVersion.id)
    return int(rows[0]["id"])


async def move_version(*, product_id: int, expected: int, at: datetime) -> bool:
    """version := expected + 1 if it is still ``expected``: of two editors, one wins."""
    rows = (
        await LoanProduct.update({LoanProduct.version: expected + 1, LoanProduct.updated_at: at})
        .where((LoanProduct.id == product_id) & (LoanProduct.version == expected))
        .returning(LoanProduct.id)
    )
    return bool(rows)


async def set_status(*, product_id: int, from_statuses: Sequence[str], to: str, at: datetime) -> bool:
    values: dict[Any, Any] = {LoanProduct.status: to, LoanProduct.updated_at: at}
    if to == "published":
        values[LoanProduct.published_at] = at
    rows = (
        await LoanProduct.update(values)
        .where((LoanProduct.id == product_id) & LoanProduct.status.is_in(list(from_statuses)))
        .returning(LoanProduct.id)
    )
    return bool(rows)
