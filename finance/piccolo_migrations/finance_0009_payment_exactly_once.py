"""Hand-written: money exactly once (both SQLite and PostgreSQL accept these).

- ``finance_payment.version``: bumped by every change of a payment's status, which is a conditional update on
  (status, version), so of two paths closing one payment (webhook, poll, confirmation) only one wins;
- one open attempt (awaiting_payer, processing) per licence's amount due and per royalty report: partial unique
  indexes, so parallel "pay" clicks cannot open two transfers or two PaymentIntents;
- one succeeded payment per licence's amount due and per royalty report: a second one is ``refund_due``.

Rows a racing past may have left are repaired first: of several open attempts the newest stays open and the others
are canceled; of several succeeded ones the first stays and the others become ``refund_due`` (kept, never lost).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments: version, one open attempt and one success per licence and per royalty report"

OPEN = "('awaiting_payer', 'processing')"
REPAIR = [
    # several open attempts of one licence's amount due: keep the newest
    f"UPDATE finance_payment SET status = 'canceled' WHERE purpose = 'initial' AND status IN {OPEN} AND id < "
    f"(SELECT MAX(p.id) FROM finance_payment p WHERE p.licence = finance_payment.licence "
    f"AND p.purpose = 'initial' AND p.status IN {OPEN})",
    f"UPDATE finance_payment SET status = 'canceled' WHERE purpose = 'royalty' AND status IN {OPEN} AND id < "
    f"(SELECT MAX(p.id) FROM finance_payment p WHERE p.royalty_report = finance_payment.royalty_report "
    f"AND p.purpose = 'royalty' AND p.status IN {OPEN})",
    # several succeeded payments of one thing: the first counts, the others are money to give back
    "UPDATE finance_payment SET status = 'refund_due' WHERE purpose = 'initial' AND status = 'succeeded' AND id > "
    "(SELECT MIN(p.id) FROM finance_payment p WHERE p.licence = finance_payment.licence "
    "AND p.purpose = 'initial' AND p.status = 'succeeded')",
    "UPDATE finance_payment SET status = 'refund_due' WHERE purpose = 'royalty' AND status = 'succeeded' AND id > "
    "(SELECT MIN(p.id) FROM finance_payment p WHERE p.royalty_report = finance_payment.royalty_report "
    "AND p.purpose = 'royalty' AND p.status = 'succeeded')",
]
INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_open_initial ON finance_payment (licence) "
    f"WHERE purpose = 'initial' AND status IN {OPEN}",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_open_royalty ON finance_payment (royalty_report) "
    f"WHERE purpose = 'royalty' AND status IN {OPEN}",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_paid_initial ON finance_payment (licence) "
    "WHERE purpose = 'initial' AND status = 'succeeded'",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payment_paid_royalty ON finance_payment (royalty_report) "
    "WHERE purpose = 'royalty' AND status = 'succeeded'",
]
DOWN = [
    "DROP INDEX IF EXISTS finance_payment_paid_royalty",
    "DROP INDEX IF EXISTS finance_payment_paid_initial",
    "DROP INDEX IF EXISTS finance_payment_open_royalty",
    "DROP INDEX IF EXISTS finance_payment_open_initial",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        from piccolo.engine.postgres import PostgresEngine

        from finance.payments.tables import LicencePayment

        if isinstance(LicencePayment._meta.db, PostgresEngine):
            await LicencePayment.raw(
                "ALTER TABLE finance_payment ADD COLUMN IF NOT EXISTS version INTEGER NOT NULL DEFAULT 0"
            )
        else:
            columns = await LicencePayment.raw("PRAGMA table_info(finance_payment)")
            if not any(c["name"] == "version" for c in columns):
                await LicencePayment.raw("ALTER TABLE finance_payment ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
        for statement in [*REPAIR, *INDEXES]:
            await LicencePayment.raw(statement)

    async def down() -> None:
        from finance.payments.tables import LicencePayment

        for statement in DOWN:
            await LicencePayment.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
