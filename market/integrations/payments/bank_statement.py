"""Bank statement files (CSV) matched against open bank-transfer references, with a verdict per row.

Accepted file
-------------
CSV exported from a corporate online bank, UTF-8 (with or without BOM) or GBK/GB18030, comma, tab or semicolon
separated. Lines before the header (account name, period, ...) and summary rows (合计, 总计, 小计) are skipped.
The header row is found by its names (case, spaces, full-width forms and a unit in brackets such as ``金额(元)``
are ignored); these columns are recognised:

===============  =====================================================================  ========
column           header names                                                           needed
===============  =====================================================================  ========
date             交易日期, 日期, 记账日期, 入账日期, 交易时间, date, value date, booking date  yes
credit           贷方发生额, 贷方金额, 收入金额, 收入, 贷方, credit                           one of
amount           金额, 交易金额, 发生额, amount (signed: negative is money out)               these
debit            借方发生额, 借方金额, 支出金额, 支出, 借方, debit                            no
direction        借贷标志, 收支方向, 借贷方向, 方向, direction (贷/收/C = money in)             no
memo             摘要, 附言, 用途, 备注, 交易附言, 汇款附言, 摘要/附言, memo, remark,            yes
                 reference, description (several memo columns are read together)
payer            付款人, 付款人名称, 付款方, 对方户名, 对方账户名称, 对方名称, payer, counterparty  no
payer account    付款账号, 付款人账号, 对方账号, 对方账户, payer account                       no
currency         币种, 货币, currency (人民币/RMB/CNY, 美元/USD, 港币/HKD, 欧元/EUR)            no: CNY
transaction id   交易流水号, 流水号, 交易序号, 凭证号, transaction id                          no
===============  =====================================================================  ========

Amounts may carry ¥/￥, 元, thousands separators, or brackets for negatives; they become integer minor units
(``Money``), never floats; more decimals than the currency has is an invalid row.

Matching
--------
A row is MATCHED only when its memo holds exactly one valid open reference and the amount and currency equal what
that reference expects. Anything else is reported for a person to decide, never matched on the amount alone (a
wrong automatic match would activate someone else's licence): see ``MatchStatus``. Each row's ``detail`` is a
catalogue code with parameters (``bank_statement.*``), rendered in the reader's language by whoever shows it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from market.integrations.payments.bank_transfer import find_references
from market.kit.messages import Msg
from market.kit.money import Money

HEADER_SCAN_ROWS = 30
DELIMITERS = (",", "\t", ";")
SUMMARY_WORDS = ("合计", "总计", "小计", "本页", "total")  # words: data
# Bank statement header names: data read from files, not words shown to users.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {  # words: data
    "date": ("交易日期", "日期", "记账日期", "入账日期", "交易时间", "date", "valuedate", "bookingdate"),
    "credit": ("贷方发生额", "贷方金额", "收入金额", "收入", "贷方", "credit", "creditamount"),
    "amount": ("金额", "交易金额", "发生额", "amount"),
    "debit": ("借方发生额", "借方金额", "支出金额", "支出", "借方", "debit", "debitamount"),
    "direction": ("借贷标志", "收支方向", "借贷方向", "方向", "direction"),
    "memo": (
        "摘要",
        "附言",
        "用途",
        "备注",
        "交易附言",
        "汇款附言",
        "摘要/附言",
        "memo",
        "remark",
        "reference",
        "description",
    ),
    "payer": (
        "付款人",
        "付款人名称",
        "付款方",
        "对方户名",
        "对方账户名称",
        "对方名称",
        "payer",
        "payername",
        "counterparty",
    ),
    "payer_account": ("付款账号", "付款人账号", "对方账号", "对方账户", "payeraccount"),
    "currency": ("币种", "货币", "currency"),
    "transaction_id": ("交易流水号", "流水号", "交易序号", "凭证号", "transactionid"),
}
CURRENCY_NAMES = {  # words: data
    "人民币": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "美元": "USD",
    "USD": "USD",
    "港币": "HKD",
    "港元": "HKD",
    "HKD": "HKD",
    "欧元": "EUR",
    "EUR": "EUR",
}
MONEY_OUT = ("借", "支", "付", "D", "DEBIT", "OUT")  # words: data


class StatementError(ValueError):
    """The file cannot be read as a statement at all (no header found, not text)."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.code)
        self.message = message


class RowInvalid(ValueError):
    """A value of one row cannot be read (date, amount, currency): the row is reported, the file goes on."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.code)
        self.message = message


class MatchStatus(StrEnum):
    MATCHED = "matched"  # one valid open reference, right amount and currency
    AMOUNT_MISMATCH = "amount_mismatch"  # one open reference, another amount or currency (partial, over, fee taken)
    DUPLICATE = "duplicate"  # the reference was already matched by an earlier row of this file
    AMBIGUOUS = "ambiguous"  # several open references in one memo
    UNKNOWN_REFERENCE = "unknown_reference"  # a valid reference, but not an open one (cancelled, other year)
    ALREADY_CONFIRMED = "already_confirmed"  # a valid reference of a transfer already received (set by the caller)
    CHECK_FAILED = "check_failed"  # reference-shaped text whose check character fails: a typo
    UNMATCHED = "unmatched"  # no reference in the memo; ``candidates`` lists open references of that amount
    SKIPPED = "skipped"  # money out, zero, or a summary row
    INVALID = "invalid"  # the row cannot be read (date, amount, currency)


@dataclass(frozen=True)
class StatementLine:
    row: int  # the line number in the file, as a person opening it would count
    booked_on: date | None
    amount: Money  # money in (rows of money out are skipped)
    payer: str
    payer_account: str
    memo: str
    transaction_id: str


@dataclass(frozen=True)
class RowProblem:
    row: int
    status: MatchStatus
    detail: Msg


@dataclass(frozen=True)
class ParsedStatement:
    encoding: str
    columns: Mapping[str, str]  # our column name -> the header text it was read from
    lines: tuple[StatementLine, ...]
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True)
class RowResult:
    row: int
    status: MatchStatus
    detail: Msg  # why: a catalogue code (bank_statement.*) with parameters
    reference: str | None = None
    expected: Money | None = None
    received: Money | None = None
    payer: str = ""
    memo: str = ""
    transaction_id: str = ""
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementReport:
    rows: tuple[RowResult, ...]
    encoding: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def matched(self) -> dict[str, RowResult]:
        """Reference -> the row that pays it: what the caller confirms (each once)."""
        return {r.reference: r for r in self.rows if r.status is MatchStatus.MATCHED and r.reference}

    @property
    def needs_review(self) -> tuple[RowResult, ...]:
        return tuple(r for r in self.rows if r.status not in (MatchStatus.MATCHED, MatchStatus.SKIPPED))


# -- reading -------------------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (BOM or not) first, else GB18030, the superset of GBK and GB2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise StatementError(Msg("bank_statement.not_text"))


def _normal_header(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    text = re.sub(r"[(\[].*?[)\]]", "", text)  # 金额(元), amount (cny)
    return re.sub(r"[\s*_:]", "", text)


def _header_map(row: Sequence[str]) -> dict[str, list[int]]:
    lookup = {_normal_header(alias): name for name, aliases in COLUMN_NAMES.items() for alias in aliases}
    columns: dict[str, list[int]] = {}
    for index, cell in enumerate(row):
        name = lookup.get(_normal_header(cell))
        if name:
            columns.setdefault(name, []).append(index)
    return columns


def _is_header(columns: Mapping[str, list[int]]) -> bool:
    return "date" in columns and "memo" in columns and ("credit" in columns or "amount" in columns)


def _find_header(text: str) -> tuple[str, int, list[str], dict[str, list[int]]]:
    """The delimiter and the header row: the first of comma, tab, semicolon under which a header is recognised
    (sniffing guesses wrong on Chinese text with quoted amounts like "50,000.00")."""
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for cells in reader:
            if reader.line_num > HEADER_SCAN_ROWS:
                break
            columns = _header_map(cells)
            if _is_header(columns):
                return delimiter, reader.line_num, cells, columns
    raise StatementError(Msg("bank_statement.no_header"))


PROBE_BYTES = 256 * 1024


def check_readable(data: bytes) -> None:
    """Fail fast (``StatementError``) on a file that is not text or has no header row, reading only its start: what
    an upload checks before the whole file is matched in a job."""
    head = data[:PROBE_BYTES]
    for cut in range(4):  # the probe may end inside a multi-byte character
        try:
            text, _ = decode(head[: len(head) - cut] if cut else head)
            break
        except StatementError:
            if len(head) < len(data):
                continue
            raise
    else:
        raise StatementError(Msg("bank_statement.not_text"))
    if len(head) < len(data):
        text = text.rsplit("\n", 1)[0]  # whole lines only
    _find_header(text)


def parse_statement(data: bytes, *, default_currency: str = "CNY") -> ParsedStatement:
    """Read a statement file into money-in lines; rows that cannot be read are reported, not dropped."""
    text, encoding = decode(data)
    delimiter, header_row, header, columns = _find_header(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines: list[StatementLine] = []
    problems: list[RowProblem] = []
    for cells in reader:
        row = reader.line_num
        if row <= header_row or not any(c.strip() for c in cells):
            continue
        try:
            lines.append(_line(row, cells, columns, default_currency))
        except _RowSkipped as skip:
            problems.append(RowProblem(row, MatchStatus.SKIPPED, skip.message))
        except RowInvalid as exc:
            problems.append(RowProblem(row, MatchStatus.INVALID, exc.message))
        except ValueError:
            problems.append(RowProblem(row, MatchStatus.INVALID, Msg("bank_statement.row_invalid")))
    names = {name: " + ".join(header[i] for i in indexes) for name, indexes in columns.items()}
    return ParsedStatement(encoding=encoding, columns=names, lines=tuple(lines), problems=tuple(problems))


class _RowSkipped(Exception):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.code)
        self.message = message


def _cell(cells: Sequence[str], columns: Mapping[str, list[int]], name: str) -> str:
    values = [_unexcel(cells[i]) for i in columns.get(name, []) if i < len(cells)]
    return " ".join(v for v in values if v)


def _unexcel(cell: str) -> str:
    """``="T0001"`` (how some banks force Excel to keep text) -> ``T0001``; leading tabs and spaces dropped."""
    text = cell.strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    return text


def _line(row: int, cells: Sequence[str], columns: Mapping[str, list[int]], default_currency: str) -> StatementLine:
    date_text = _cell(cells, columns, "date")
    if any(word in " ".join(cells).lower() for word in SUMMARY_WORDS) and not _parse_date_or_none(date_text):
        raise _RowSkipped(Msg("bank_statement.summary_row"))
    booked_on = parse_date(date_text)
    currency = parse_currency(_cell(cells, columns, "currency"), default_currency)
    amount = _money_in(cells, columns, currency)
    return StatementLine(
        row=row,
        booked_on=booked_on,
        amount=amount,
        payer=_cell(cells, columns, "payer"),
        payer_account=_cell(cells, columns, "payer_account"),
        memo=_cell(cells, columns, "memo"),
        transaction_id=_cell(cells, columns, "transaction_id"),
    )


def _money_in(cells: Sequence[str], columns: Mapping[str, list[int]], currency: str) -> Money:
    """The amount received on this row; money out or zero is skipped."""
    if "credit" in columns:
        text = _cell(cells, columns, "credit")
        amount = parse_amount(text, currency) if text else Money(currency, 0)
    else:
        amount = parse_amount(_cell(cells, columns, "amount"), currency)
        direction = unicodedata.normalize("NFKC", _cell(cells, columns, "direction")).upper()
        if direction.startswith(MONEY_OUT):
            amount = Money(currency, -abs(amount.minor))
    if amount.minor <= 0:
        raise _RowSkipped(Msg("bank_statement.money_out"))
    return amount


def parse_amount(text: str, currency: str) -> Money:
    """``¥1,234.50``, ``1234.5元``, ``(300.00)`` -> Money in minor units; never through a float."""
    clean = unicodedata.normalize("NFKC", text).strip()
    negative = clean.startswith("(") and clean.endswith(")")
    clean = re.sub(r"[()¥,\s元]|CNY|RMB|USD|HKD|EUR", "", clean.upper())  # words: data (currency marks in amounts)
    try:
        value = Decimal(clean)
    except InvalidOperation:
        raise RowInvalid(Msg("bank_statement.amount_not_number", {"text": text})) from None
    if negative:
        value = -value
    try:
        return Money.of(value, currency)
    except ValueError:
        raise RowInvalid(Msg("bank_statement.amount_decimals", {"text": text, "currency": currency})) from None


def _parse_date_or_none(text: str) -> date | None:
    match = re.search(r"(\d{4})\D{0,3}?(\d{1,2})\D{0,3}?(\d{1,2})", unicodedata.normalize("NFKC", text))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_date(text: str) -> date:
    """``2026-11-20``, ``2026/11/20``, ``20261120``, ``2026年11月20日``, with or without a time."""
    parsed = _parse_date_or_none(text)
    if parsed is None:
        raise RowInvalid(Msg("bank_statement.date_invalid", {"text": text}))
    return parsed


def parse_currency(text: str, default: str) -> str:
    if not text:
        return default
    code = CURRENCY_NAMES.get(unicodedata.normalize("NFKC", text).strip().upper())
    if code is None:
        raise RowInvalid(Msg("bank_statement.currency_unknown", {"text": text}))
    return code


# -- matching ------------------------------------------------------------------------------------------------


CANDIDATES = 5  # open references of a row's amount offered for a person to check, at most


def match_statement(
    statement: ParsedStatement | Iterable[StatementLine],
    open_references: Mapping[str, Money],
) -> StatementReport:
    """A verdict for every row: matched to an open reference, or why not (see ``MatchStatus``).

    Linear in the rows plus the open references: each row looks its reference up in a dict, and the open references
    of a row's amount (the candidates of a row without a reference) come from an index by amount built once."""
    lines = statement.lines if isinstance(statement, ParsedStatement) else tuple(statement)
    problems = statement.problems if isinstance(statement, ParsedStatement) else ()
    results = [RowResult(row=p.row, status=p.status, detail=p.detail) for p in problems]
    taken: dict[str, int] = {}
    by_amount: dict[Money, dict[str, None]] = {}
    for ref, owed in open_references.items():
        by_amount.setdefault(owed, {})[ref] = None
    for line in lines:
        result = _match_line(line, open_references, taken, by_amount)
        if result.status is MatchStatus.MATCHED and result.reference:
            taken[result.reference] = line.row
            by_amount.get(open_references[result.reference], {}).pop(result.reference, None)
        results.append(result)
    results.sort(key=lambda r: r.row)
    if isinstance(statement, ParsedStatement):
        return StatementReport(rows=tuple(results), encoding=statement.encoding, columns=statement.columns)
    return StatementReport(rows=tuple(results))


def _result(
    line: StatementLine,
    status: MatchStatus,
    detail: Msg,
    *,
    reference: str | None = None,
    expected: Money | None = None,
    candidates: tuple[str, ...] = (),
) -> RowResult:
    return RowResult(
        row=line.row,
        status=status,
        detail=detail,
        reference=reference,
        expected=expected,
        received=line.amount,
        payer=line.payer,
        memo=line.memo,
        transaction_id=line.transaction_id,
        candidates=candidates,
    )


def match_statement_file(
    data: bytes, open_references: Mapping[str, Money], *, default_currency: str = "CNY"
) -> StatementReport:
    """Read a statement file and match it: the one call an admin upload needs."""
    return match_statement(parse_statement(data, default_currency=default_currency), open_references)


def _match_line(
    line: StatementLine,
    open_references: Mapping[str, Money],
    taken: Mapping[str, int],
    by_amount: Mapping[Money, dict[str, None]],
) -> RowResult:
    found = find_references(line.memo)
    open_found = [f.reference for f in found if f.valid and f.reference in open_references]
    if len(open_found) > 1:
        return _result(
            line, MatchStatus.AMBIGUOUS, Msg("bank_statement.ambiguous", {"references": ", ".join(open_found)})
        )
    if len(open_found) == 1:
        return _verdict(line, open_found[0], open_references[open_found[0]], taken)
    valid = [f.reference for f in found if f.valid]
    if valid:
        unknown = Msg("bank_statement.unknown_reference", {"references": ", ".join(valid)})
        return _result(line, MatchStatus.UNKNOWN_REFERENCE, unknown, reference=valid[0])
    if found:
        return _result(line, MatchStatus.CHECK_FAILED, Msg("bank_statement.check_failed", {"text": found[0].text}))
    candidates = tuple(itertools.islice(by_amount.get(line.amount, {}), CANDIDATES))  # the untaken ones
    return _result(line, MatchStatus.UNMATCHED, Msg("bank_statement.no_reference"), candidates=candidates)


def _verdict(line: StatementLine, reference: str, expected: Money, taken: Mapping[str, int]) -> RowResult:
    if reference in taken:
        return _result(
            line,
            MatchStatus.DUPLICATE,
            Msg("bank_statement.duplicate", {"reference": reference, "row": taken[reference]}),
            reference=reference,
            expected=expected,
        )
    if line.amount != expected:
        return _result(
            line,
            MatchStatus.AMOUNT_MISMATCH,
            Msg("bank_statement.amount_mismatch", {"expected": expected, "received": line.amount}),
            reference=reference,
            expected=expected,
        )
    matched = Msg("bank_statement.matched", {"reference": reference})
    return _result(line, MatchStatus.MATCHED, matched, reference=reference, expected=expected)
