"""Every query on voucher programmes and their versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from finance.voucher_programmes.records import CategoryTerms, ProgrammeRecord, ProgrammeTerms, Window
from finance.voucher_programmes.tables import VoucherProgramme, VoucherProgrammeVersion


def _opt(value: Any) -> int | None:
    return None if value is None else int(value)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _categories(value: Any) -> tuple[CategoryTerms, ...]:
    return tuple(
        CategoryTerms(code=str(code), share_bp=int(c["share_bp"]), cap_minor=_opt(c.get("cap_minor")))
        for code, c in dict(value or {}).items()
    )


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def terms_of(version: Mapping[str, Any]) -> ProgrammeTerms:
    return ProgrammeTerms(
        programme_id=int(version["programme"]),
        version=int(version["version"]),
        version_id=int(version["id"]),
        name_zh=str(version["name_zh"]),
        name_en=str(version["name_en"]),
        mode=str(version["mode"]),
        value_kind=str(version["value_kind"]),
        face_value_minor=_opt(version["face_value_minor"]),
        max_vouchers_per_use=_opt(version["max_vouchers_per_use"]),
        currency=str(version["currency"]),
        categories=_categories(version["categories"]),
        per_claim_minor=_opt(version["per_claim_minor"]),
        per_period_minor=_opt(version["per_period_minor"]),
        period=str(version["period"]),
        per_firm_minor=_opt(version["per_firm_minor"]),
        validity_months=int(version["validity_months"]),
        windows=tuple(Window(_day(a), _day(b)) for a, b in version["windows"] or ()),
        budget_minor=_opt(version["budget_minor"]),
        regions=_strs(version["regions"]),
        required=_strs(version["required"]),
        favoured=_strs(version["favoured"]),
        review_tiers=_strs(version["review_tiers"]),
        approval_thresholds=tuple((int(a), int(n)) for a, n in version["approval_thresholds"] or ()),
        refusal_needs_second=bool(version["refusal_needs_second"]),
        settlement_cycle=str(version["settlement_cycle"]),
        documents=_strs(version["documents"]),
        notice_days=int(version["notice_days"]),
        declaration_zh=str(version["declaration_zh"]),
        declaration_en=str(version["declaration_en"]),
        source=str(version["source"]),
        reliability=str(version["reliability"]),
        note=str(version["note"]),
        created_by=_opt(version["created_by"]),
        created_at=version["created_at"],
    )


def _programme(series: Mapping[str, Any], version: Mapping[str, Any]) -> ProgrammeRecord:
    return ProgrammeRecord(
        id=int(series["id"]),
        issuer=int(series["issuer"]),
        code=str(series["code"]),
        status=str(series["status"]),
        closed_reason=str(series["closed_reason"]),
        current_version=int(series["version"]),
        created_at=series["created_at"],
        updated_at=series["updated_at"],
        opened_at=series["opened_at"],
        terms=terms_of(version),
    )


async def _with_versions(
    series_rows: Sequence[Mapping[str, Any]], *, version: int | None = None
) -> list[ProgrammeRecord]:
    if not series_rows:
        return []
    wanted = [(int(s["id"]), int(version if version is not None else s["version"])) for s in series_rows]
    rows = (
        await VoucherProgrammeVersion.select()
        .where(VoucherProgrammeVersion.natural_key.is_in([f"{p}:{v}" for p, v in wanted]))
        .output(load_json=True)
    )
    by_key = {(int(r["programme"]), int(r["version"])): r for r in rows}
    out = []
    for s, key in zip(series_rows, wanted, strict=True):
        v = by_key.get(key)
        if v is not None:
            out.append(_programme(s, v))
    return out


async def get(programme_id: int, version: int | None = None) -> ProgrammeRecord | None:
    row = await VoucherProgramme.select().where(VoucherProgramme.id == programme_id).first()
    if row is None:
        return None
    found = await _with_versions([row], version=version)
    return found[0] if found else None


async def terms(programme_id: int, version: int) -> ProgrammeTerms | None:
    row = (
        await VoucherProgrammeVersion.select()
        .where(VoucherProgrammeVersion.natural_key == f"{programme_id}:{version}")
        .output(load_json=True)
        .first()
    )
    return terms_of(row) if row else None


async def versions(programme_id: int) -> list[ProgrammeTerms]:
    rows = (
        await VoucherProgrammeVersion.select()
        .where(VoucherProgrammeVersion.programme == programme_id)
        .order_by(VoucherProgrammeVersion.version, ascending=False)
        .output(load_json=True)
    )
    return [terms_of(v) for v in rows]


async def listed(
    *, issuer: int | None = None, statuses: Sequence[str] = (), ids: Sequence[int] | None = None
) -> list[ProgrammeRecord]:
    query = VoucherProgramme.select().order_by(VoucherProgramme.id)
    if issuer is not None:
        query = query.where(VoucherProgramme.issuer == issuer)
    if statuses:
        query = query.where(VoucherProgramme.status.is_in(list(statuses)))
    if ids is not None:
        if not ids:
            return []
        query = query.where(VoucherProgramme.id.is_in(list(ids)))
    return await _with_versions(await query)


async def by_code(issuer: int, code: str) -> ProgrammeRecord | None:
    row = await VoucherProgramme.select().where(VoucherProgramme.natural_key == f"{issuer}:{code}").first()
    if row is None:
        return None
    found = await _with_versions([row])
    return found[0] if found else None


async def insert_programme(*, issuer: int, code: str, created_by: int | None, at: datetime) -> int:
    rows = await VoucherProgramme.insert(
        VoucherProgramme(issuer=issuer, code=code, natural_key=f"{issuer}:{code}", status="draft", version=1,
                         created_by=created_by, created_at=at, updated_at=at)
    ).returning(VoucherProgramme.id)  # fmt: skip
    return int(rows[0]["id"])


async def insert_version(
    *, programme_id: int, version: int, values: Mapping[str, Any], created_by: int | None, at: datetime
) -> int:
    rows = await VoucherProgrammeVersion.insert(
        VoucherProgrammeVersion(programme=programme_id, version=version, natural_key=f"{programme_id}:{version}",
                                created_by=created_by, created_at=at, **values)
    ).returning(VoucherProgrammeVersion.id)  # fmt: skip
    return int(rows[0]["id"])


async def move_version(*, programme_id: int, expected: int, at: datetime) -> bool:
    """version := expected + 1 if it is still ``expected``: of two editors, one wins."""
    rows = (
        await VoucherProgramme.update({VoucherProgramme.version: expected + 1, VoucherProgramme.updated_at: at})
        .where((VoucherProgramme.id == programme_id) & (VoucherProgramme.version == expected))
        .returning(VoucherProgramme.id)
    )
    return bool(rows)


async def set_status(
    *, programme_id: int, from_statuses: Sequence[str], to: str, at: datetime, reason: str = ""
) -> bool:
    """Conditional on the status being one of ``from_statuses`` (of two at once, one moves it)."""
    values: dict[Any, Any] = {
        VoucherProgramme.status: to,
        VoucherProgramme.updated_at: at,
        VoucherProgramme.closed_reason: reason if to == "closed" else "",
    }
    if to == "open":
        values[VoucherProgramme.opened_at] = at
    rows = (
        await VoucherProgramme.update(values)
        .where((VoucherProgramme.id == programme_id) & VoucherProgramme.status.is_in(list(from_statuses)))
        .returning(VoucherProgramme.id)
    )
    return bool(rows)
