"""Hand-written: each patent's declaration as ``listings.declarations`` had it (the live one, draft or published,
else the latest withdrawn), for the declarations made before the patent kept it (SQL both databases accept)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from listings.patents.tables import Patent

ID = "2026-11-29T14:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "patent: fill in its declaration's id and status"

UP = """
UPDATE listings_patent SET declaration = (
    SELECT d.id FROM listings_declaration d WHERE d.patent = listings_patent.id
    ORDER BY CASE WHEN d.status = 'withdrawn' THEN 0 ELSE 1 END DESC, d.id DESC LIMIT 1
)
"""
UP_STATUS = """
UPDATE listings_patent SET declaration_status = COALESCE(
    (SELECT d.status FROM listings_declaration d WHERE d.id = listings_patent.declaration), ''
)
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="listings", description=DESCRIPTION)

    async def up() -> None:
        await Patent.raw(UP)
        await Patent.raw(UP_STATUS)

    manager.add_raw(up)
    return manager
