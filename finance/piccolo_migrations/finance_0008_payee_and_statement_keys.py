"""Hand-written: at most one payee account in force per organisation (two owners saving at once: one wins, the
other gets a 409), and one verdict per row of a matched statement (a job run twice never writes a row twice)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T10:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one payee account in force per organisation; one verdict per statement row"

UP = [
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_payee_account_in_force "
    "ON finance_payee_account (organisation) WHERE superseded_at IS NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_bank_statement_line_run_row ON finance_bank_statement_line (run, row)",
]
DOWN = [
    "DROP INDEX IF EXISTS finance_bank_statement_line_run_row",
    "DROP INDEX IF EXISTS finance_payee_account_in_force",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        from finance.licences.tables import Licence  # bound to the engine migrating (as finance_0002)

        for statement in UP:
            await Licence.raw(statement)

    async def down() -> None:
        from finance.licences.tables import Licence

        for statement in DOWN:
            await Licence.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
