from __future__ import annotations

from piccolo.columns import Bytea, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase


class DossierDocument(Table, tablename="finance_dossier_document"):
    """One version of one requirement's document of a case (its bytes in ``content``, their SHA-256 beside them).
    (case, requirement, version) is unique (finance_0012): two uploads at once give one version each or a 409.
    Only the review columns ever change, and only from ``uploaded`` (a conditional update)."""

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
    uploaded_by = Integer(null=True, default=None)  # None: issued by the platform (a decision letter)
    uploaded_by_org = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=10, default="uploaded")  # uploaded | verified | rejected
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    reason_code = Varchar(length=60, default="")
    note = Text(default="")
