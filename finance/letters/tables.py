from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.desk.tables import DeskCase, DeskDecision
from finance.dossiers.tables import DossierDocument


class DecisionLetter(Table, tablename="finance_decision_letter"):
    """The letter of one decision (``decision`` is unique, finance_0012: a letter is made once). The sealed PDF is a
    dossier document of the case (requirement ``decision_letter``); its texts are kept as sent, so the notification
    and any later reading say exactly what the PDF says."""

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
