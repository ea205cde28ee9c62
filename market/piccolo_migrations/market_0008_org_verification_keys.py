"""Hand-written: the keys of verified organisations, and the values of the organisations that existed before.

Each existing organisation gets its ``name_key`` (the name trimmed, without spaces, full-width made half-width,
case folded; a later duplicate keeps its id appended, so the unique index can be built and an operator sees the
clash); the platform's own organisations are ``approved``, every other one waits (``pending``) for a platform
administrator's review. Then the unique indexes on ``name_key`` and ``credit_code`` (NULLs allowed: operators'
organisations have none) and the plain indexes.
"""

import unicodedata

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T10:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "verified organisations: name keys, statuses of existing rows, unique and plain indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS market_organisation_name_key ON market_organisation (name_key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS market_organisation_credit_code ON market_organisation (credit_code)",
    "CREATE INDEX IF NOT EXISTS market_organisation_status ON market_organisation (status)",
    "CREATE INDEX IF NOT EXISTS market_org_decision_organisation ON market_org_decision (organisation)",
    "CREATE INDEX IF NOT EXISTS market_org_document_organisation ON market_org_document (organisation)",
]
DOWN = [
    "DROP INDEX IF EXISTS market_organisation_name_key",
    "DROP INDEX IF EXISTS market_organisation_credit_code",
    "DROP INDEX IF EXISTS market_organisation_status",
    "DROP INDEX IF EXISTS market_org_decision_organisation",
    "DROP INDEX IF EXISTS market_org_document_organisation",
]


def name_key(name: str) -> str:
    """A frozen copy of market.orgs.names.name_key as it was when this migration was written."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        from market.orgs.tables import Organisation

        seen: set[str] = set()
        for row in await Organisation.raw("SELECT id, name, kind FROM market_organisation ORDER BY id"):
            key = name_key(str(row["name"]))[:180]
            if key in seen:
                key = f"{key}#{row['id']}"
            seen.add(key)
            status = "approved" if row["kind"] == "platform_admin" else "pending"
            await Organisation.raw(
                "UPDATE market_organisation SET name_key = {}, status = {} WHERE id = {}", key, status, row["id"]
            )
        for sql in INDEXES:
            await Organisation.raw(sql)

    async def down() -> None:
        from market.orgs.tables import Organisation

        for sql in DOWN:
            await Organisation.raw(sql)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
