"""Every query on insurance products and their versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from finance.dossiers.checklist import Requirement
from finance.insurance_products.records import (
    InsuranceProductVersionRecord,
    PremiumTable,
    Question,
    Questionnaire,
)
from finance.insurance_products.tables import InsuranceProduct, InsuranceProductVersion


def _minor(value: Any) -> int | None:
    return None if value is None else int(value)


def _record(series: Mapping[str, Any], version: Mapping[str, Any]) -> InsuranceProductVersionRecord:
    return InsuranceProductVersionRecord(
        id=int(version["id"]),
        product=int(series["id"]),
        insurer=int(series["insurer"]),
        code=str(series["code"]),
        version=int(version["version"]),
        current_version=int(series["version"]),
        kind=str(series["kind"]),
        name_zh=str(version["name_zh"]),
        name_en=str(version["name_en"]),
        wording_version=str(version["wording_version"]),
        territory=str(version["territory"]),
        retroactive_days=int(version["retroactive_days"]),
        per_claim_limit_minor=_minor(version["per_claim_limit_minor"]),
        aggregate_limit_minor=_minor(version["aggregate_limit_minor"]),
        deductible_minor=int(version["deductible_minor"]),
        currency=str(version["currency"]),
        premium_table=PremiumTable.from_json(dict(version["premium_table"] or {})),
        questionnaire=Questionnaire(
            version=int(version["questionnaire_version"]),
            questions=tuple(Question.from_json(q) for q in version["questionnaire"] or ()),
        ),
        documents=tuple(Requirement.from_json(d) for d in version["documents"] or ()),
        approval_thresholds=tuple((int(a), int(n)) for a, n in version["approval_thresholds"] or ()),
        refusal_needs_second=bool(version["refusal_needs_second"]),
        min_remaining_years=int(version["min_remaining_years"]),
        term_months=int(version["term_months"]),
        quote_valid_days=int(version["quote_valid_days"]),
        loss_share_bp=int(version["loss_share_bp"]),
        patent_kinds=tuple(str(k) for k in version["patent_kinds"] or ()),
        source=str(version["source"]),
        reliability=str(version["reliability"]),
        note=str(version["note"]),
        status=str(series["status"]),
        created_at=series["created_at"],
        version_created_at=version["created_at"],
        published_at=series["published_at"],
    )  # fmt: skip


record_of = _record  # a version record from its two rows (the demo versions without the database)


async def _current(series_rows: Sequence[Mapping[str, Any]]) -> list[InsuranceProductVersionRecord]:
    """Each product at its version in force."""
    if not series_rows:
        return []
    keys = [f"{int(r['id'])}:{int(r['version'])}" for r in series_rows]
    rows = (
        await InsuranceProductVersion.select()
        .where(InsuranceProductVersion.natural_key.is_in(keys))
        .output(load_json=True)
    )
    by_product = {int(r["product"]): r for r in rows}
    return [_record(s, by_product[int(s["id"])]) for s in series_rows if int(s["id"]) in by_product]


async def _series(product_id: int) -> dict[str, Any] | None:
    return await InsuranceProduct.select().where(InsuranceProduct.id == product_id).first()


async def version(version_id: int) -> InsuranceProductVersionRecord | None:
    row = (
        await InsuranceProductVersion.select()
        .where(InsuranceProductVersion.id == version_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    found = await _series(int(row["product"]))
    return _record(found, row) if found else None


async def current(product_id: int) -> InsuranceProductVersionRecord | None:
    found = await _series(product_id)
    if found is None:
        return None
    rows = await _current([found])
    return rows[0] if rows else None


async def versions(product_id: int) -> list[InsuranceProductVersionRecord]:
    """Every version of a product, newest first."""
    found = await _series(product_id)
    if found is None:
        return []
    rows = (
        await InsuranceProductVersion.select()
        .where(InsuranceProductVersion.product == product_id)
        .order_by(InsuranceProductVersion.version, ascending=False)
        .output(load_json=True)
    )
    return [_record(found, r) for r in rows]


async def published(kind: str | None = None, insurer: int | None = None) -> list[InsuranceProductVersionRecord]:
    query = InsuranceProduct.select().where(InsuranceProduct.status == "published").order_by(InsuranceProduct.id)
    if kind is not None:
        query = query.where(InsuranceProduct.kind == kind)
    if insurer is not None:
        query = query.where(InsuranceProduct.insurer == insurer)
    return await _current(await query)


async def of_insurer(insurer_id: int) -> list[InsuranceProductVersionRecord]:
    rows = await InsuranceProduct.select().where(InsuranceProduct.insurer == insurer_id).order_by(InsuranceProduct.id)
    return await _current(rows)


async def id_by_code(insurer_id: int, code: str) -> int | None:
    """The id of the insurer's product with this code, if it has one."""
    row = await InsuranceProduct.select(InsuranceProduct.id).where(
        InsuranceProduct.natural_key == f"{insurer_id}:{code}"
    ).first()
    return int(row["id"]) if row else None


async def insert_product(*, insurer_id: int, code: str, kind: str, created_by: int | None, at: datetime) -> int:
    rows = await InsuranceProduct.insert(
        InsuranceProduct(insurer=insurer_id, code=code, natural_key=f"{insurer_id}:{code}", kind=kind,
                         status="published", version=1, created_by=created_by, created_at=at, updated_at=at,
                         published_at=at)
    ).returning(InsuranceProduct.id)  # fmt: skip
    return int(rows[0]["id"])


async def insert_version(
    *, product_id: int, version: int, values: Mapping[str, Any], created_by: int | None, at: datetime
) -> int:
    rows = await InsuranceProductVersion.insert(
        InsuranceProductVersion(product=product_id, version=version, natural_key=f"{product_id}:{version}",
                                created_by=created_by, created_at=at, **values)
    ).returning(InsuranceProductVersion.id)  # fmt: skip
    return int(rows[0]["id"])


async def move_version(*, product_id: int, expected: int, at: datetime) -> bool:
    """version := expected + 1 if it is still ``expected``: of two editors, one wins."""
    rows = (
        await InsuranceProduct.update({InsuranceProduct.version: expected + 1, InsuranceProduct.updated_at: at})
        .where((InsuranceProduct.id == product_id) & (InsuranceProduct.version == expected))
        .returning(InsuranceProduct.id)
    )
    return bool(rows)


async def set_status(*, product_id: int, expected_version: int, from_status: str, to: str, at: datetime) -> bool:
    values: dict[Any, Any] = {InsuranceProduct.status: to, InsuranceProduct.updated_at: at}
    if to == "published":
        values[InsuranceProduct.published_at] = at
    rows = (
        await InsuranceProduct.update(values)
        .where(
            (InsuranceProduct.id == product_id)
            & (InsuranceProduct.status == from_status)
            & (InsuranceProduct.version == expected_version)
        )
        .returning(InsuranceProduct.id)
    )
    return bool(rows)
