from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence


class ContractDocument(Table, tablename="finance_contract"):
    """The licence contract PDF: one per licence, its template version and SHA-256 (also in the audit trail)."""

    id = Serial(primary_key=True)
    licence = ForeignKey(Licence, null=False, unique=True)
    template = Varchar(length=60)
    template_version = Varchar(length=20)
    sha256 = Varchar(length=64)
    path = Text()
    pages = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
