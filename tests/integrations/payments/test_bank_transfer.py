"""Bank transfer (对公转账): the reference a payer quotes, and bank statement files matched row by row."""

from __future__ import annotations

import random
import re

import pytest

from market.i18n import Msg, render
from market.integrations.payments import (
    BankTransferGateway,
    MatchStatus,
    PaymentRequest,
    PaymentStatus,
    StatementError,
    find_references,
    match_statement_file,
    new_reference,
    parse_reference,
    parse_statement,
)
from market.integrations.payments.bank_statement import parse_amount, parse_date
from market.integrations.payments.bank_transfer import ALPHABET, check_character, format_reference
from market.kit.money import Money

REFERENCE = re.compile(r"^OL-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$")
A = format_reference(2026, "7K3M")  # OL-2026-7K3M-P
B = format_reference(2026, "0B1X")  # has a 0 and a 1, typed as O and I/L by people
C = format_reference(2026, "H4QZ")
D = format_reference(2026, "RT9E")
PAID = format_reference(2026, "W2N8")  # valid, but no longer open
CNY = "CNY"


# -- references --------------------------------------------------------------------------------------------------


def test_references_look_right_and_do_not_repeat() -> None:
    refs = {new_reference(2026) for _ in range(2000)}
    assert all(REFERENCE.match(r) for r in refs)
    assert len(refs) > 1990  # 32^4 bodies: a few collisions at most; the caller's unique constraint catches them
    assert new_reference().startswith("OL-20")


def test_the_check_character_catches_every_single_typo_and_most_swaps() -> None:
    rng = random.Random(7)
    swaps_caught = swaps = 0
    for _ in range(200):
        body = "".join(rng.choice(ALPHABET) for _ in range(4))
        check = check_character(2026, body)
        for i in range(4):
            for char in ALPHABET.replace(body[i], ""):
                assert check_character(2026, body[:i] + char + body[i + 1:]) != check
            if i < 3 and body[i] != body[i + 1]:
                swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
                swaps += 1
                swaps_caught += check_character(2026, swapped) != check
    assert swaps_caught / swaps > 0.95


@pytest.mark.parametrize(
    "memo",
    [
        f"专利许可费 {A}",
        f"付款编号:{A.lower()}，合同款",
        f"{A.replace('-', '')}",
        f"OL 2026 7K3M {A[-1]}",
        "ＯＬ－２０２６－７Ｋ３Ｍ－" + chr(ord(A[-1]) + 0xFEE0),  # full-width, as some bank systems store memos
    ],
)
def test_a_reference_is_found_however_it_was_typed(memo: str) -> None:
    assert parse_reference(memo) == A


def test_o_for_zero_and_i_or_l_for_one_are_read_as_meant() -> None:
    typed = B[:8] + B[8:].replace("0", "O").replace("1", "l")  # the body only: OL-2026-OBlX-?
    assert typed != B and typed.startswith("OL-2026-OB")
    assert parse_reference(f"附言 {typed}") == B


def test_a_typo_fails_the_check_and_two_references_are_both_found() -> None:
    typo = A[:-3] + ("N" if A[-3] != "N" else "P") + A[-2:]
    assert [(f.reference, f.valid) for f in find_references(typo)] == [(typo, False)]
    assert parse_reference(typo) is None
    assert [f.reference for f in find_references(f"{A} and {C}")] == [A, C]
    assert parse_reference(f"{A} {C}") is None
    assert find_references("TOOL-2026-7K3M-P9") == []  # not a reference: glued to other letters and digits


async def test_the_gateway_hands_out_a_reference_to_quote() -> None:
    gateway = BankTransferGateway(platform_fee_bp=500, year=2026)
    payment = await gateway.start_payment(
        PaymentRequest(licence_id="lic_9", amount=Money(CNY, 5_000_000), idempotency_key="licence:lic_9:payment:1")
    )

    assert payment.provider == "bank_transfer" and payment.status is PaymentStatus.AWAITING_PAYER
    assert payment.reference == payment.provider_id and parse_reference(payment.reference) == payment.reference
    assert payment.reference.startswith("OL-2026-")
    assert (payment.amount, payment.platform_fee, payment.payee_net) == (
        Money(CNY, 5_000_000), Money(CNY, 250_000), Money(CNY, 4_750_000))
    assert payment.methods == ("bank_transfer",)


# -- statements --------------------------------------------------------------------------------------------------

OPEN = {
    A: Money(CNY, 5_000_000),
    B: Money(CNY, 1_283_450),
    C: Money(CNY, 300_000),
    D: Money(CNY, 880_000),
}

# A corporate online bank's export, as a Chinese bank would give it: GBK, a preamble, a unit in the header, a credit
# column and a debit column, memo split over 摘要 and 附言, a summary row at the end.
GBK_STATEMENT = f"""\
账户明细查询
账号,1100 2233 4455 6677 889,户名,北辰理工大学
查询期间,2026-11-01,至,2026-11-30
交易日期,交易流水号,摘要,附言,付款人名称,付款账号,借方发生额(元),贷方发生额(元),币种
2026-11-03,T0001,转账,{A} 专利许可入门费,深圳市青禾智能科技有限公司,4420 0000 1111,,"50,000.00",人民币
2026/11/04,T0002,汇款,付款编号{B.replace("-", "").lower()},苏州澄明光电有限公司,6222 0000 2222,,"12,834.50",人民币
20261105,T0003,转账,{C},杭州某科技有限公司,6222 0000 3333,,"2,000.00",人民币
2026年11月6日,T0004,转账,{A} 重复付款,深圳市青禾智能科技有限公司,4420 0000 1111,,"50,000.00",人民币
2026-11-07,T0005,转账,{C} {D},南京某公司,6222 0000 4444,,"11,800.00",人民币
2026-11-08,T0006,转账,{PAID},成都某公司,6222 0000 5555,,"1,000.00",人民币
2026-11-09,T0007,转账,{A[:-3]}{'N' if A[-3] != 'N' else 'P'}{A[-2:]},广州某公司,6222 0000 6666,,"500.00",人民币
2026-11-10,T0008,货款,合同款,武汉某公司,6222 0000 7777,,"8,800.00",人民币
2026-11-11,T0009,代发工资,十一月工资,,,"120,000.00",,人民币
2026-11-12,T0010,转账,{D},西安某公司,6222 0000 8888,,"8,8OO.00",人民币
2026-11-13,T0011,转账,{D},重庆某公司,6222 0000 9999,,"1,210.00",美元
本页合计,,,,,,"120,000.00","155,134.50",
"""


def test_a_gbk_statement_is_read_and_every_row_gets_a_verdict() -> None:
    report = match_statement_file(GBK_STATEMENT.encode("gbk"), OPEN)
    by_row = {r.row: r for r in report.rows}

    assert report.encoding == "gb18030"
    assert report.columns["memo"] == "摘要 + 附言" and report.columns["credit"] == "贷方发生额(元)"
    assert {row: r.status for row, r in by_row.items()} == {
        5: MatchStatus.MATCHED,
        6: MatchStatus.MATCHED,  # lower case, no hyphens
        7: MatchStatus.AMOUNT_MISMATCH,  # paid 2,000.00 of 3,000.00
        8: MatchStatus.DUPLICATE,  # A was paid on row 5
        9: MatchStatus.AMBIGUOUS,  # two open references in one memo
        10: MatchStatus.UNKNOWN_REFERENCE,
        11: MatchStatus.CHECK_FAILED,
        12: MatchStatus.UNMATCHED,
        13: MatchStatus.SKIPPED,  # money out
        14: MatchStatus.INVALID,  # "8,8OO.00": letters in the amount
        15: MatchStatus.AMOUNT_MISMATCH,  # right number, wrong currency
        16: MatchStatus.SKIPPED,  # summary row
    }
    assert by_row[5].reference == A and by_row[5].payer == "深圳市青禾智能科技有限公司"
    assert by_row[5].transaction_id == "T0001" and by_row[5].received == Money(CNY, 5_000_000)
    assert by_row[6].reference == B
    assert by_row[8].detail == Msg("bank_statement.duplicate", {"reference": A, "row": 5})
    assert render(by_row[8].detail, "en") == f"{A} already paid by row 5"
    assert render(by_row[8].detail, "zh") == f"{A} 已由第 5 行付清"
    assert by_row[7].detail == Msg(
        "bank_statement.amount_mismatch", {"expected": Money(CNY, 300_000), "received": Money(CNY, 200_000)}
    )
    assert by_row[14].detail.code == "bank_statement.amount_not_number"
    assert by_row[12].candidates == (D,)  # same amount as D: shown to the admin, never matched automatically
    assert by_row[15].received == Money("USD", 121_000)
    assert set(report.matched) == {A, B}
    assert [r.row for r in report.needs_review] == [7, 8, 9, 10, 11, 12, 14, 15]


def test_a_utf8_statement_with_a_signed_amount_and_a_direction_column() -> None:
    text = (
        "\ufeffDate\tAmount\tDirection\tRemark\tCounterparty\tCurrency\n"
        f"2026-11-20 10:31:05\t12834.5\t贷\t{B}\tSuzhou Chengming\tCNY\n"
        f"2026-11-21\t12834.5\t借\t{B}\tRefund\tCNY\n"
        f"2026-11-22\t-300\t\t{C}\tSomeone\tRMB\n"
    )
    report = match_statement_file(text.encode("utf-8"), OPEN)

    assert report.encoding == "utf-8-sig"
    assert [(r.row, r.status) for r in report.rows] == [
        (2, MatchStatus.MATCHED), (3, MatchStatus.SKIPPED), (4, MatchStatus.SKIPPED)]


def test_semicolons_and_excel_text_quoting() -> None:
    text = (
        "记账日期;交易金额;收支方向;汇款附言;对方户名;流水号\n"
        f'="2026-11-20";="1,283,450.00";收;="{B}";="某公司";="0000123"\n'
    )
    report = match_statement_file(text.encode("gbk"), {B: Money(CNY, 128_345_000)})

    assert [(r.row, r.status, r.transaction_id, r.payer) for r in report.rows] == [
        (2, MatchStatus.MATCHED, "0000123", "某公司")]


def test_a_file_without_a_statement_header_is_refused() -> None:
    with pytest.raises(StatementError, match=r"bank_statement\.no_header") as caught:
        parse_statement(b"name,value\nx,1\n")
    assert "No header row" in render(caught.value.message, "en") and "未找到表头" in render(caught.value.message, "zh")
    with pytest.raises(StatementError, match=r"bank_statement\.not_text"):
        parse_statement(b"\xff\xfe\x00\x00\x81\x30")


def test_statement_lines_keep_their_file_row_numbers() -> None:
    parsed = parse_statement(GBK_STATEMENT.encode("gbk"))
    assert [line.row for line in parsed.lines][:3] == [5, 6, 7]
    assert parsed.lines[0].booked_on is not None and parsed.lines[0].booked_on.isoformat() == "2026-11-03"


@pytest.mark.parametrize(
    ("text", "minor"),
    [("¥1,234.50", 123_450), ("1234.5元", 123_450), ("￥ 50,000", 5_000_000), ("(300.00)", -30_000),
     ("RMB 12.3", 1_230), ("1234.500", 123_450)],
)
def test_amounts_become_minor_units_without_floats(text: str, minor: int) -> None:
    assert parse_amount(text, CNY) == Money(CNY, minor)


@pytest.mark.parametrize("text", ["12.345", "abc", ""])
def test_unreadable_amounts_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text, CNY)


@pytest.mark.parametrize("text", ["2026-11-20", "2026/11/20", "20261120", "2026年11月20日", "2026-11-20 10:31:05",
                                  "２０２６－１１－２０"])
def test_dates_in_the_forms_banks_use(text: str) -> None:
    assert parse_date(text).isoformat() == "2026-11-20"
