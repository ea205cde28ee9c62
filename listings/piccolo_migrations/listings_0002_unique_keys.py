"""Hand-written: the uniqueness the rules rely on, as indexes both SQLite and PostgreSQL accept.

- one patent record per (organisation, number): imports upsert by it;
- one version number per declaration;
- at most one live (draft or published) declaration per patent: a second one is a new version, not a new offer.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys of patents, declaration versions and live declarations"

UP = [
    "CREATE UNIQUE INDEX IF NOT EXISTS listings_patent_org_number ON listings_patent (organisation, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS listings_declaration_version_unique "
    "ON listings_declaration_version (declaration, version)",
    "CREATE UNIQUE INDEX IF NOT EXISTS listings_declaration_live_per_patent "
    "ON listings_declaration (patent) WHERE status IN ('draft', 'published')",
    "CREATE INDEX IF NOT EXISTS listings_declaration_status ON listings_declaration (status)",
]
DOWN = [
    "DROP INDEX IF EXISTS listings_declaration_status",
    "DROP INDEX IF EXISTS listings_declaration_live_per_patent",
    "DROP INDEX IF EXISTS listings_declaration_version_unique",
    "DROP INDEX IF EXISTS listings_patent_org_number",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)

    async def up() -> None:
        from listings.patents.tables import Patent

        for statement in UP:
            await Patent.raw(statement)

    async def down() -> None:
        from listings.patents.tables import Patent

        for statement in DOWN:
            await Patent.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
