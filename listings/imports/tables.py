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
    rejections = JSON(default=[])  # [{row, field, reason}], the first REPORT_LIMIT of them
    warnings = JSON(default=[])  # [{row, field, code, params}]: rows imported with something to look at
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
