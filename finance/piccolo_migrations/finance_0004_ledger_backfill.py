"""Hand-written: one ledger entry for each payment received before entries existed, and one statement per
(university, month, currency).

What was in force when those payments arrived is no longer known exactly, so the backfill takes the closest
evidence: the platform fee rate is the one the stored fee shows (fee / gross, to the basis point) and the inventor
reward share is the university's setting today (50% where it has none: Law on Promoting the Transformation of
S&T Achievements Art 45), which is what the statements showed until now. Rounding is half up, as in the ledger.
"""

from datetime import UTC, datetime
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table, create_table_class

ID = "2026-11-29T13:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger entries for payments received so far; one statement per university, month and currency"

DEFAULT_SHARE_BP = 5000

RECEIVED = """
SELECT p.id AS payment, p.licence AS licence, p.purpose AS purpose, p.amount_minor AS gross,
       p.platform_fee_minor AS fee, p.currency AS currency, p.succeeded_at AS received_at,
       l.licensor AS university, l.number AS licence_number, l.licensee_name AS licensee_name,
       l.payment_mode AS payment_mode, pt.number AS patent_number, u.inventor_reward_share_bp AS share_bp
FROM finance_payment p
JOIN finance_licence l ON l.id = p.licence
LEFT JOIN listings_patent pt ON pt.id = l.patent
LEFT JOIN listings_university_profile u ON u.organisation = l.licensor
WHERE p.status = 'succeeded' AND p.succeeded_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM finance_ledger_entry e WHERE e.payment = p.id)
ORDER BY p.id
"""

INSERT = (
    "INSERT INTO finance_ledger_entry (payment, licence, university, month, received_at, kind, licence_number, "
    "licensee_name, patent_number, currency, gross_minor, platform_fee_bp, platform_fee_minor, net_minor, "
    "inventor_reward_bp, inventor_reward_minor, created_at) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)

STATEMENT_ONCE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_statement_once ON finance_statement (university, month, currency)"
)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _as_datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _table() -> type[Table]:
    return create_table_class("LedgerEntryBackfill", class_kwargs={"tablename": "finance_ledger_entry"})


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        table = _table()
        await table.raw(STATEMENT_ONCE)
        for row in await table.raw(RECEIVED):
            gross, fee = int(row["gross"]), int(row["fee"])
            fee_bp = _half_up(fee * 10_000, gross) if gross else 0
            share_bp = int(row["share_bp"]) if row["share_bp"] is not None else DEFAULT_SHARE_BP
            net = gross - fee
            kind = (
                "royalty"
                if row["purpose"] == "royalty"
                else ("lump_sum" if row["payment_mode"] == "lump_sum" else "entry_fee")
            )
            received = _as_datetime(row["received_at"])
            await table.raw(
                INSERT,
                row["payment"],
                row["licence"],
                row["university"],
                received.strftime("%Y-%m"),
                row["received_at"],
                kind,
                row["licence_number"],
                row["licensee_name"],
                row["patent_number"] or "",
                row["currency"],
                gross,
                fee_bp,
                fee,
                net,
                share_bp,
                _half_up(net * share_bp, 10_000),
                row["received_at"],
            )

    async def down() -> None:
        table = _table()
        await table.raw("DROP INDEX IF EXISTS finance_statement_once")
        await table.raw("DELETE FROM finance_ledger_entry")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
