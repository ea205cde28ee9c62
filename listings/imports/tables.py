from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class ImportRun(Table, tablename="listings_import_run"):
    """One import of a file: its progress while it runs, then its report."""

    id = Serial(primary_key=True)
    organisation = ForeignKey(Organisation, null=False, index=True)
    user_id = Integer(null=True, default=None)
    filename = Varchar(length=255)
    stored_path = Text(default="")
    layout = Varchar(length=40, default="")
    status = Varchar(length=12, default="queued")  # queued, running, done, failed
    total_rows = Integer(default=0)
    processed_rows = Integer(default=0)
    inserted = Integer(default=0)
    updated = Integer(default=0)
    unchanged = Integer(default=0)
    rejected = Integer(default=0)
    rejections = JSON(default=[])  # runs before listings_0008: [{row, field, reason}]; since, ImportRejection
    warnings = JSON(default=[])  # runs of listings_0010's commits: [{row, field, code, params}]; ImportRejection
    error = Text(default="")  # runs before listings_0008: the reason in words; since, error_code and error_params
    error_code = Varchar(length=60, default="")  # why the file as a whole failed, a catalogue code
    error_params = JSON(default={})
    created_at = Timestamptz(default=TimestamptzNow())
    heartbeat_at = Timestamptz(null=True, default=None)  # the last progress written; a silent running run is stale
    finished_at = Timestamptz(null=True, default=None)


class ImportRejection(Table, tablename="listings_import_rejection"):
    """One reason a row of an import was refused (or, a warning, imported with something to look at), written with
    the batch it belongs to (the report never sits in memory whole)."""

    id = Serial(primary_key=True)
    run = Integer(index=True)  # the ImportRun
    kind = Varchar(length=12, default="rejection")  # rejection (the row was refused), warning (imported, to look at)
    line = Integer()  # the line in the file
    field_name = Varchar(length=100, default="")
    code = Varchar(length=80, default="")
    params = JSON(default={})
