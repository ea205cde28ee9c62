"""Hand-written: dossiers, signatures and decision letters (issue 12).

- ``finance_dossier_document``: documents of desk cases (bytes, SHA-256, type read from the bytes, issue date,
  review); one row per version, (case, requirement, version) unique, so two uploads at once never share a version;
- ``finance_signature``: the parties' signatures of document versions (the signing port's records), once per
  (document kind, document id, SHA-256, organisation, role);
- ``finance_decision_letter``: the sealed letter of a decision (one per decision), its texts as sent.

The tables are frozen copies of the classes as they were when this migration landed, created in the raw step (it
runs before Piccolo's own table operations, and the unique indexes need the tables).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Bytea, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-01T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dossier documents, signatures and decision letters"


class Organisation(Table, tablename="market_organisation", schema=None):
    id = Serial(primary_key=True)


class DeskCase(Table, tablename="finance_desk_case", schema=None):
    id = Serial(primary_key=True)


class DeskDecision(Table, tablename="finance_desk_decision", schema=None):
    id = Serial(primary_key=True)


class DossierDocument(Table, tablename="finance_dossier_document", schema=None):
    id = Serial(primary_key=True)
    case = ForeignKey(DeskCase, null=False, index=True)
    requirement = Varchar(length=60)
    version = Integer(default=1)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer(default=0)
    sha256 = Varchar(length=64)
    content = Bytea()
    issued_on = Date(null=True, default=None)
    uploaded_by = Integer(null=True, default=None)
    uploaded_by_org = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=10, default="uploaded")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    reason_code = Varchar(length=60, default="")
    note = Text(default="")


class Signature(Table, tablename="finance_signature", schema=None):
    id = Serial(primary_key=True)
    document_kind = Varchar(length=40)
    document_id = Integer()
    sha256 = Varchar(length=64)
    signer = Integer()
    organisation = ForeignKey(Organisation, null=False, index=True)
    role = Varchar(length=40)
    signed_at = Timestamptz(default=TimestamptzNow())
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=400, default="")
    method = Varchar(length=20, default="click")
    evidence = Text(default="")


class DecisionLetter(Table, tablename="finance_decision_letter", schema=None):
    id = Serial(primary_key=True)
    decision = ForeignKey(DeskDecision, null=False, unique=True)
    case = ForeignKey(DeskCase, null=False, index=True)
    document = ForeignKey(DossierDocument, null=False)
    sha256 = Varchar(length=64)
    template = Varchar(length=60)
    template_version = Varchar(length=20)
    text_zh = Text(default="")
    text_en = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


TABLES: list[type[Table]] = [Organisation, DeskCase, DeskDecision, DossierDocument, Signature, DecisionLetter]
INDEXES = [
    'CREATE UNIQUE INDEX IF NOT EXISTS finance_dossier_document_version ON finance_dossier_document ("case", '
    "requirement, version)",
    "CREATE UNIQUE INDEX IF NOT EXISTS finance_signature_once "
    "ON finance_signature (document_kind, document_id, sha256, organisation, role)",
    "CREATE INDEX IF NOT EXISTS finance_signature_document ON finance_signature (document_kind, document_id)",
]
DROP_TABLES = [
    "DROP TABLE IF EXISTS finance_decision_letter",
    "DROP TABLE IF EXISTS finance_signature",
    "DROP TABLE IF EXISTS finance_dossier_document",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def up() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        for table in (DossierDocument, Signature, DecisionLetter):
            await table.create_table(if_not_exists=True)
        for statement in INDEXES:
            await DossierDocument.raw(statement)

    async def down() -> None:
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
        for statement in DROP_TABLES:
            await DossierDocument.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
