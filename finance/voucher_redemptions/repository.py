"""Every query on redemptions, their deliverables, the caps across claims and the outsized-share alerts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from finance.voucher_redemptions.records import (
    CapNeed,
    CapRecord,
    CapturedClaim,
    CapturedGroup,
    DeliverableContent,
    DeliverableRecord,
    RedemptionRecord,
    ReportRow,
    ShareAlertRecord,
)
from finance.voucher_redemptions.tables import VoucherClaimCap, VoucherDeliverable, VoucherRedemption, VoucherShareAlert

# ------------------------------------------------------------------------------------------------ redemptions


def _redemption(row: Mapping[str, Any]) -> RedemptionRecord:
    return RedemptionRecord(
        id=int(row["id"]),
        source=str(row["source"]),
        programme=int(row["programme"]),
        programme_version=int(row["programme_version"]),
        entitlement=int(row["entitlement"]),
        hold=None if row["hold"] is None else int(row["hold"]),
        hold_ref=str(row["hold_ref"]),
        sme=int(row["sme"]),
        provider=int(row["provider"]),
        payee=int(row["payee"]),
        issuer=int(row["issuer"]),
        category=str(row["category"]),
        licence=None if row["licence"] is None else int(row["licence"]),
        service=None if row["service"] is None else int(row["service"]),
        live_key=row["live_key"],
        title=str(row["title"]),
        price_minor=int(row["price_minor"]),
        currency=str(row["currency"]),
        share_bp=int(row["share_bp"]),
        voucher_minor=int(row["voucher_minor"]),
        captured_minor=None if row["captured_minor"] is None else int(row["captured_minor"]),
        lines=list(row["lines"] or []),
        caps=[str(k) for k in row["caps"] or []],
        region=str(row["region"]),
        period_key=str(row["period_key"]),
        status=str(row["status"]),
        version=int(row["version"]),
        case=None if row["case"] is None else int(row["case"]),
        reference=str(row["reference"]),
        copay=dict(row["copay"] or {}),
        refusal=[str(c) for c in row["refusal"] or []],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        held_at=row["held_at"],
        delivered_at=row["delivered_at"],
        accepted_at=row["accepted_at"],
        claimed_at=row["claimed_at"],
        captured_at=row["captured_at"],
        closed_at=row["closed_at"],
        settled_batch=None if row["settled_batch"] is None else int(row["settled_batch"]),
        settled_at=row["settled_at"],
    )


async def insert(values: Mapping[str, Any]) -> int:
    """A new redemption. A second live one under the same ``live_key`` (one per licence) is a unique violation."""
    rows = await VoucherRedemption.insert(VoucherRedemption(**values)).returning(VoucherRedemption.id)
    return int(rows[0]["id"])


async def get(redemption_id: int) -> RedemptionRecord | None:
    row = (
        await VoucherRedemption.select()
        .where(VoucherRedemption.id == redemption_id)
        .output(load_json=True)
        .first()
    )
    return _redemption(row) if row else None


async def get_for_update(redemption_id: int) -> RedemptionRecord | None:
    """The redemption inside the caller's transaction (PostgreSQL: locked until it ends)."""
    if isinstance(VoucherRedemption._meta.db, PostgresEngine):
        await VoucherRedemption.raw("SELECT id FROM finance_voucher_redemption WHERE id = {} FOR UPDATE", redemption_id)
    return await get(redemption_id)


async def by_case(case_id: int) -> RedemptionRecord | None:
    row = await VoucherRedemption.select().where(VoucherRedemption.case == case_id).output(load_json=True).first()
    return _redemption(row) if row else None


async def live_by_key(live_key: str) -> RedemptionRecord | None:
    row = (
        await VoucherRedemption.select()
        .where(VoucherRedemption.live_key == live_key)
        .output(load_json=True)
        .first()
    )
    return _redemption(row) if row else None


async def listed(
    *,
    sme: int | None = None,
    provider: int | None = None,
    issuer: int | None = None,
    programme: int | None = None,
    licence: int | None = None,
    sources: Sequence[str] = (),
    statuses: Sequence[str] = (),
    limit: int = 500,
) -> list[RedemptionRecord]:
    query = VoucherRedemption.select().order_by(VoucherRedemption.id, ascending=False).output(load_json=True)
    for column, value in (
        (VoucherRedemption.sme, sme),
        (VoucherRedemption.provider, provider),
        (VoucherRedemption.issuer, issuer),
        (VoucherRedemption.programme, programme),
        (VoucherRedemption.licence, licence),
    ):
        if value is not None:
            query = query.where(column == value)
    if sources:
        query = query.where(VoucherRedemption.source.is_in(list(sources)))
    if statuses:
        query = query.where(VoucherRedemption.status.is_in(list(statuses)))
    return [_redemption(r) for r in await query.limit(limit)]


async def count_for_licence(licence_id: int) -> int:
    return int(await VoucherRedemption.count().where(VoucherRedemption.licence == licence_id))


async def move(
    redemption_id: int, *, from_status: str, version: int, to_status: str, values: Mapping[str, Any], at: datetime
) -> bool:
    """status := to_status (and ``values``) if it is still (from_status, version): of two acting at once, one."""
    changes: dict[Any, Any] = {getattr(VoucherRedemption, k): v for k, v in values.items()}
    changes.update({VoucherRedemption.status: to_status, VoucherRedemption.version: version + 1,
                    VoucherRedemption.updated_at: at})  # fmt: skip
    rows = (
        await VoucherRedemption.update(changes)
        .where(
            (VoucherRedemption.id == redemption_id)
            & (VoucherRedemption.status == from_status)
            & (VoucherRedemption.version == version)
        )
        .returning(VoucherRedemption.id)
    )
    return bool(rows)


async def set_fields(redemption_id: int, *, version: int, values: Mapping[str, Any], at: datetime) -> bool:
    """Fields that are not a move (the hold placed, the case opened), conditionally on the version, which moves on."""
    changes: dict[Any, Any] = {getattr(VoucherRedemption, k): v for k, v in values.items()}
    changes.update({VoucherRedemption.version: version + 1, VoucherRedemption.updated_at: at})
    rows = (
        await VoucherRedemption.update(changes)
        .where((VoucherRedemption.id == redemption_id) & (VoucherRedemption.version == version))
        .returning(VoucherRedemption.id)
    )
    return bool(rows)


# ------------------------------------------------------------------------------------------------ deliverables


def _deliverable(row: Mapping[str, Any]) -> DeliverableRecord:
    return DeliverableRecord(
        id=int(row["id"]),
        redemption=int(row["redemption"]),
        filename=str(row["filename"]),
        content_type=str(row["content_type"]),
        sha256=str(row["sha256"]),
        uploaded_by=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
    )


DELIVERABLE_COLUMNS = (
    VoucherDeliverable.id,
    VoucherDeliverable.redemption,
    VoucherDeliverable.filename,
    VoucherDeliverable.content_type,
    VoucherDeliverable.sha256,
    VoucherDeliverable.uploaded_by,
    VoucherDeliverable.uploaded_at,
)


async def put_deliverable(
    *, redemption_id: int, filename: str, content_type: str, content: bytes, sha256: str, by: int | None, at: datetime
) -> None:
    """The redemption's deliverable (a later one replaces it)."""
    await VoucherDeliverable.delete().where(VoucherDeliverable.redemption == redemption_id)
    await VoucherDeliverable.insert(
        VoucherDeliverable(redemption=redemption_id, filename=filename, content_type=content_type, content=content,
                           sha256=sha256, uploaded_by=by, uploaded_at=at)
    )  # fmt: skip


async def deliverable_of(redemption_id: int) -> DeliverableRecord | None:
    row = (
        await VoucherDeliverable.select(*DELIVERABLE_COLUMNS)
        .where(VoucherDeliverable.redemption == redemption_id)
        .first()
    )
    return _deliverable(row) if row else None


async def deliverable_content(redemption_id: int) -> DeliverableContent | None:
    row = await VoucherDeliverable.select().where(VoucherDeliverable.redemption == redemption_id).first()
    return DeliverableContent(_deliverable(row), bytes(row["content"])) if row else None


# ------------------------------------------------------------------------------------------------ caps


def _cap(row: Mapping[str, Any]) -> CapRecord:
    return CapRecord(
        id=int(row["id"]),
        key=str(row["key"]),
        scope=str(row["scope"]),
        programme=int(row["programme"]),
        org=int(row["org"]),
        period_key=str(row["period_key"]),
        limit_minor=int(row["limit_minor"]),
        reserved_minor=int(row["reserved_minor"]),
        captured_minor=int(row["captured_minor"]),
        currency=str(row["currency"]),
    )


async def caps(keys: Sequence[str]) -> dict[str, CapRecord]:
    if not keys:
        return {}
    return {str(r["key"]): _cap(r) for r in await VoucherClaimCap.select().where(VoucherClaimCap.key.is_in(list(keys)))}


async def caps_of_org(org_id: int) -> list[CapRecord]:
    rows = await VoucherClaimCap.select().where(VoucherClaimCap.org == org_id).order_by(VoucherClaimCap.key)
    return [_cap(r) for r in rows]


async def ensure_cap(need: CapNeed, currency: str, at: datetime) -> None:
    """The running total's row, made at zero if it is not there (two at once: one row)."""
    await VoucherClaimCap.insert(
        VoucherClaimCap(key=need.key, scope=need.scope, programme=need.programme, org=need.org,
                        period_key=need.period_key, limit_minor=need.limit_minor, reserved_minor=0, captured_minor=0,
                        currency=currency, updated_at=at)
    ).on_conflict(target=VoucherClaimCap.key, action="DO NOTHING")  # fmt: skip


async def reserve(key: str, *, amount_minor: int, limit_minor: int) -> bool:
    """reserved += amount, if it stays at or under ``limit_minor``: the database decides (a row lock on PostgreSQL,
    the single writer on SQLite), so of holds placed at once only those that fit pass."""
    rows = await VoucherClaimCap.raw(
        "UPDATE finance_voucher_claim_cap SET reserved_minor = reserved_minor + {}, limit_minor = {} "
        "WHERE key = {} AND reserved_minor + {} <= {} RETURNING id",
        amount_minor, limit_minor, key, amount_minor, limit_minor,
    )  # fmt: skip
    return bool(rows)


async def release(key: str, *, amount_minor: int) -> bool:
    """reserved -= amount (never below what is captured)."""
    rows = await VoucherClaimCap.raw(
        "UPDATE finance_voucher_claim_cap SET reserved_minor = reserved_minor - {} "
        "WHERE key = {} AND reserved_minor - {} >= captured_minor RETURNING id",
        amount_minor, key, amount_minor,
    )  # fmt: skip
    return bool(rows)


async def capture(key: str, *, amount_minor: int) -> bool:
    """captured += amount, never above what is reserved."""
    rows = await VoucherClaimCap.raw(
        "UPDATE finance_voucher_claim_cap SET captured_minor = captured_minor + {} "
        "WHERE key = {} AND captured_minor + {} <= reserved_minor RETURNING id",
        amount_minor, key, amount_minor,
    )  # fmt: skip
    return bool(rows)


# ------------------------------------------------------------------------------------------------ settlements


def _captured(row: Mapping[str, Any]) -> CapturedClaim:
    return CapturedClaim(
        claim_id=int(row["id"]),
        reference=str(row["reference"]),
        payee_org=int(row["payee"]),
        amount_minor=int(row["captured_minor"] or 0),
        currency=str(row["currency"]),
        captured_at=row["captured_at"],
        claimed_at=row["claimed_at"],
        category=str(row["category"]),
        region=str(row["region"]),
        provider_org=int(row["provider"]),
        sme_org=int(row["sme"]),
        source=str(row["source"]),
        settled_batch=None if row["settled_batch"] is None else int(row["settled_batch"]),
        hold_id=None if row["hold"] is None else int(row["hold"]),
    )


CAPTURED_COLUMNS = (
    VoucherRedemption.id,
    VoucherRedemption.reference,
    VoucherRedemption.payee,
    VoucherRedemption.captured_minor,
    VoucherRedemption.currency,
    VoucherRedemption.captured_at,
    VoucherRedemption.claimed_at,
    VoucherRedemption.category,
    VoucherRedemption.region,
    VoucherRedemption.provider,
    VoucherRedemption.sme,
    VoucherRedemption.source,
    VoucherRedemption.settled_batch,
    VoucherRedemption.hold,
)


async def captured_unsettled(programme_id: int, *, before: datetime) -> list[CapturedClaim]:
    rows = (
        await VoucherRedemption.select(*CAPTURED_COLUMNS)
        .where(
            (VoucherRedemption.programme == programme_id)
            & (VoucherRedemption.status == "captured")
            & VoucherRedemption.settled_batch.is_null()
            & (VoucherRedemption.captured_at < before)
        )
        .order_by(VoucherRedemption.id)
    )
    return [_captured(r) for r in rows]


async def captured_by_ids(ids: Sequence[int]) -> list[CapturedClaim]:
    if not ids:
        return []
    rows = await VoucherRedemption.select(*CAPTURED_COLUMNS).where(VoucherRedemption.id.is_in(list(ids)))
    return [_captured(r) for r in rows]


async def mark_settled(ids: Sequence[int], *, batch_id: int, at: datetime) -> list[int]:
    """settled_batch := batch for each captured claim in no batch yet; the ids changed (one statement)."""
    if not ids:
        return []
    rows = (
        await VoucherRedemption.update(
            {VoucherRedemption.settled_batch: batch_id, VoucherRedemption.settled_at: at,
             VoucherRedemption.updated_at: at}
        )
        .where(
            VoucherRedemption.id.is_in(list(ids))
            & (VoucherRedemption.status == "captured")
            & VoucherRedemption.settled_batch.is_null()
        )
        .returning(VoucherRedemption.id)
    )  # fmt: skip
    return [int(r["id"]) for r in rows]


async def unmark_settled(ids: Sequence[int], *, batch_id: int, at: datetime) -> list[int]:
    """Out of ``batch_id`` again (a line the bank did not pay): the claims carried to a later batch."""
    if not ids:
        return []
    rows = (
        await VoucherRedemption.update(
            {VoucherRedemption.settled_batch: None, VoucherRedemption.settled_at: None,
             VoucherRedemption.updated_at: at}
        )
        .where(VoucherRedemption.id.is_in(list(ids)) & (VoucherRedemption.settled_batch == batch_id))
        .returning(VoucherRedemption.id)
    )  # fmt: skip
    return [int(r["id"]) for r in rows]


REPORT_SQL = (
    "SELECT category, region, provider, status, currency, COUNT(*) AS count, "
    "COALESCE(SUM(voucher_minor), 0) AS voucher_minor, COALESCE(SUM(captured_minor), 0) AS captured_minor, "
    "COUNT(settled_batch) AS settled_count "
    "FROM finance_voucher_redemption WHERE programme = {} "
    "GROUP BY category, region, provider, status, currency ORDER BY category, region, provider, status"
)


# The report's groups: a dimension's name -> the column it reads (never taken from the caller as text).
GROUP_COLUMNS = {"category": "category", "region": "region", "provider": "CAST(provider AS TEXT)"}
CAPTURED_BY_SQL = " UNION ALL ".join(
    f"SELECT '{d}' AS d, {c} AS k, COUNT(*) AS n, COALESCE(SUM(captured_minor), 0) AS captured "  # noqa: S608
    f"FROM finance_voucher_redemption WHERE programme = {{}} AND status = 'captured' GROUP BY {c}"
    for d, c in GROUP_COLUMNS.items()
)


# PostgreSQL: the three groupings in one pass over the programme's rows.
CAPTURED_SETS_SQL = (
    "SELECT GROUPING(category) AS g_category, GROUPING(region) AS g_region, category, region, provider, "
    "COUNT(*) AS n, COALESCE(SUM(captured_minor), 0) AS captured FROM finance_voucher_redemption "
    "WHERE programme = {} AND status = 'captured' GROUP BY GROUPING SETS ((category), (region), (provider))"
)


async def captured_by(programme_id: int) -> dict[str, list[CapturedGroup]]:
    """The programme's captured claims grouped by category, by region and by provider: one statement (grouping
    sets on PostgreSQL: one pass; a GROUP BY per dimension on SQLite)."""
    out: dict[str, list[CapturedGroup]] = {d: [] for d in GROUP_COLUMNS}
    if VoucherRedemption._meta.db.engine_type == "postgres":
        for r in await VoucherRedemption.raw(CAPTURED_SETS_SQL, programme_id):
            d = "category" if not r["g_category"] else "region" if not r["g_region"] else "provider"
            key = r[d]
            out[d].append(CapturedGroup(key="" if key is None else str(key), claims=int(r["n"]),
                                        captured_minor=int(r["captured"])))  # fmt: skip
        return out
    for r in await VoucherRedemption.raw(CAPTURED_BY_SQL, *([programme_id] * len(GROUP_COLUMNS))):
        out[str(r["d"])].append(CapturedGroup(key=str(r["k"] or ""), claims=int(r["n"]),
                                              captured_minor=int(r["captured"])))  # fmt: skip
    return out


async def report(programme_id: int) -> list[ReportRow]:
    """One SQL aggregate over the programme's redemptions (the programme index): no row is read into Python."""
    rows = await VoucherRedemption.raw(REPORT_SQL, programme_id)
    return [
        ReportRow(category=str(r["category"]), region=str(r["region"]), provider_org=int(r["provider"]),
                  status=str(r["status"]), count=int(r["count"]), voucher_minor=int(r["voucher_minor"]),
                  captured_minor=int(r["captured_minor"]), currency=str(r["currency"]),
                  settled_count=int(r["settled_count"]))
        for r in rows
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------------ share alerts


async def captured_by_provider(programme_id: int, period_key: str) -> dict[int, tuple[int, int]]:
    """The captured total and count of each provider in the programme's period (one aggregate)."""
    rows = await VoucherRedemption.raw(
        "SELECT provider, COALESCE(SUM(captured_minor), 0) AS total, COUNT(*) AS n FROM finance_voucher_redemption "
        "WHERE programme = {} AND period_key = {} AND status = 'captured' GROUP BY provider",
        programme_id, period_key,
    )  # fmt: skip
    return {int(r["provider"]): (int(r["total"]), int(r["n"])) for r in rows}


async def insert_alert(values: Mapping[str, Any]) -> int | None:
    """The alert, once per (programme, provider, period): None when it was raised already."""
    key = f"{values['programme']}:{values['provider']}:{values['period_key']}"
    rows = (
        await VoucherShareAlert.insert(VoucherShareAlert(natural_key=key, **values))
        .on_conflict(target=VoucherShareAlert.natural_key, action="DO NOTHING")
        .returning(VoucherShareAlert.id)
    )
    return int(rows[0]["id"]) if rows else None


async def alerts(programme_id: int) -> list[ShareAlertRecord]:
    rows = (
        await VoucherShareAlert.select()
        .where(VoucherShareAlert.programme == programme_id)
        .order_by(VoucherShareAlert.id, ascending=False)
    )
    return [
        ShareAlertRecord(id=int(r["id"]), programme=int(r["programme"]), provider=int(r["provider"]),
                         period_key=str(r["period_key"]), provider_minor=int(r["provider_minor"]),
                         programme_minor=int(r["programme_minor"]), share_bp=int(r["share_bp"]),
                         threshold_bp=int(r["threshold_bp"]), raised_at=r["raised_at"])
        for r in rows
    ]  # fmt: skip
