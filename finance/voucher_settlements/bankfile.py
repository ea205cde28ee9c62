"""The bank payment file of a settlement batch and the bank's return, in the layout ``docs/voucher_settlement.md``
documents. Pure: bytes in, bytes or rows out; no database.

- UTF-8 **with** a byte-order mark (Chinese bank portals and spreadsheet programs read UTF-8 without one as GBK),
  lines ended by CRLF, comma-separated, fields quoted where they hold a comma, quote or line break (RFC 4180).
- One header row with the column names of ``COLUMNS``; then one row per payable line, in line order.
- Amounts in yuan with exactly two decimals (``12345.60``) in the file; the system keeps minor units (fen).
- The file's SHA-256 is over its exact bytes (BOM included).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

BOM = "\ufeff"
COLUMNS = (
    "batch_number",
    "line_no",
    "payee_name",
    "payee_account",
    "payee_bank",
    "amount",
    "currency",
    "reference",
)
RETURN_COLUMNS = (*COLUMNS, "status", "paid_on", "bank_reference", "failure_reason")
RETURN_STATUSES = ("paid", "failed")


@dataclass(frozen=True, slots=True)
class FileLine:
    """One payment of the file: a payable line of the batch."""

    line_no: int
    payee_name: str
    payee_account: str
    payee_bank: str
    amount_minor: int
    currency: str
    reference: str


@dataclass(frozen=True, slots=True)
class BankFile:
    name: str
    content: bytes
    sha256: str
    lines: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """One row of the bank's return as read (``problem`` says what is wrong with it, if anything)."""

    row: int
    batch_number: str
    line_no: int | None
    amount_minor: int | None
    reference: str
    status: str
    paid_on: date | None
    bank_reference: str
    failure_reason: str
    problem: str = ""


def yuan(minor: int) -> str:
    """Minor units (fen) as yuan with two decimals: 123456 -> "1234.56"."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def fen(text: str) -> int | None:
    """Yuan with at most two decimals as minor units; None when it is not such an amount."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    scaled = value * 100
    if not value.is_finite() or scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def write(batch_number: str, lines: Sequence[FileLine]) -> BankFile:
    """The payment file of ``lines`` (already in line order)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            (batch_number, line.line_no, line.payee_name, line.payee_account, line.payee_bank, yuan(line.amount_minor),
             line.currency, line.reference)
        )  # fmt: skip
    content = (BOM + out.getvalue()).encode("utf-8")
    return BankFile(
        name=f"{batch_number}.csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        lines=len(lines),
        total_minor=sum(line.amount_minor for line in lines),
    )


def read_return(content: bytes) -> list[ReturnLine]:
    """The rows of a bank's return file (UTF-8, with or without BOM; the header names the columns, in any order;
    extra columns are ignored). A row that cannot be read carries its ``problem`` code; a file without the
    columns needed raises ``ValueError("columns")``, one that is not UTF-8 ``ValueError("encoding")``."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("encoding") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    needed = {"batch_number", "line_no", "amount", "reference", "status"}
    if reader.fieldnames is None or not needed <= {f.strip() for f in reader.fieldnames}:
        raise ValueError("columns")
    out: list[ReturnLine] = []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        problem = ""
        line_text = row.get("line_no", "")
        line_no = int(line_text) if line_text.isdigit() else None
        amount = fen(row.get("amount", ""))
        status = row.get("status", "").lower()
        paid_text = row.get("paid_on", "")
        try:
            paid_on = date.fromisoformat(paid_text) if paid_text else None
        except ValueError:
            paid_on, problem = None, "paid_on"
        if line_no is None:
            problem = "line_no"
        elif amount is None:
            problem = "amount"
        elif status not in RETURN_STATUSES:
            problem = "status"
        out.append(
            ReturnLine(row=number, batch_number=row.get("batch_number", ""), line_no=line_no, amount_minor=amount,
                       reference=row.get("reference", ""), status=status, paid_on=paid_on,
                       bank_reference=row.get("bank_reference", ""), failure_reason=row.get("failure_reason", ""),
                       problem=problem)
        )  # fmt: skip
    return out
