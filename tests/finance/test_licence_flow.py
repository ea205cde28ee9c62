"""Taking a licence: request, pay by bank transfer, activation, contract, filing, royalties and the ledger —
through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from finance.contracts import service as contracts
from finance.contracts.tables import ContractDocument
from finance.jobs import reminders
from finance.ledger import service as ledger
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn
from listings.declarations import service as declarations
from listings.declarations.schemas import TermsIn, WithdrawIn
from listings.patents.tables import RecordedLicence
from market.audit.service import verify
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import Backend
from tests.finance.support import ENTRY, LUMP, PAYEE_NUMBER, ROYALTY, admin, drain, firm, offer

BANK = PaymentStartIn(method="bank_transfer")


def request(declaration_id: int, version: int = 1) -> LicenceRequestIn:
    return LicenceRequestIn(
        declaration_id=declaration_id,
        declaration_version=version,
        accept_terms=True,
        licensee_credit_code="91440300MA5G7K3M2Q",
        licensee_address="深圳市南山区创新路 16 号",
    )


def pdftotext(data: bytes, tmp: Path) -> str:
    pdf = tmp / "contract.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


async def test_bank_transfer_confirmed_by_the_platform_activates_and_makes_one_contract(
    backend: Backend, job_queue, tmp_path: Path
) -> None:
    uni, patent_id, declaration_id = await offer(ENTRY)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    assert (licence.status, licence.amount_due_minor) == ("pending_payment", 5_000_000)
    async with unit_of_work():
        payment = await payments.start(
            principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
        )
    assert payment.reference.startswith("OL-") and payment.instructions is not None
    assert payment.instructions.params["reference"] == payment.reference
    async with unit_of_work():  # asking again gives the same transfer, not a second one
        again = await payments.start(principal=sme, licence_id=licence.id, data=BANK)
    assert again.id == payment.id
    operator = await admin()
    async with unit_of_work():
        confirmed = await payments.confirm_bank_transfer(principal=operator, payment_id=payment.id)
    assert (confirmed.status, confirmed.platform_fee_minor) == ("succeeded", 250_000)  # 5% of CNY 50,000
    with pytest.raises(Conflict):
        async with unit_of_work():
            await payments.confirm_bank_transfer(principal=operator, payment_id=payment.id)
    await drain()
    active = await licences.get(principal=sme, licence_id=licence.id)
    assert active.status == "active" and active.starts_on == date.today()
    assert active.ends_on == date.today().replace(year=date.today().year + 5)
    assert active.filing_deadline is not None and active.contract_ready

    # the contract: one, readable by both parties only, its SHA-256 in the audit trail
    assert await ContractDocument.count().where(ContractDocument.licence == licence.id) == 1
    name, pdf = await contracts.download(principal=sme, licence_id=licence.id)
    _, same = await contracts.download(principal=uni, licence_id=licence.id)
    assert pdf == same and name == f"{licence.number}.pdf"
    text = pdftotext(pdf, tmp_path)
    for expected in ("浙江大学", "深圳市青禾智能科技有限公司", "CN108982325B", "3.00%", "50,000.00", "第五十二条"):
        assert expected in text, expected
    for expected in ("许可方收款账户", "中国工商银行杭州玉泉支行", PAYEE_NUMBER):  # the payee account block
        assert expected in text, expected
    stranger = await firm("另一家企业")
    with pytest.raises(NotFound):
        await contracts.download(principal=stranger, licence_id=licence.id)
    event = await AuditEvent.select().where(AuditEvent.action == "finance.contract_rendered").first()
    assert json.loads(event["after"])["sha256"] == hashlib.sha256(pdf).hexdigest()

    # the open licence is on the patent's register, and both sides were told
    assert (
        await RecordedLicence.count().where((RecordedLicence.patent == patent_id) & (RecordedLicence.kind == "open"))
        == 1
    )
    kinds = {r["kind"] for r in await Notification.select(Notification.kind)}
    assert {"licence_requested", "licence_activated", "licence_contract"} <= kinds

    filing = await licences.filing(principal=uni, licence_id=licence.id, lang="zh")
    assert filing.deadline == licences.add_months(date.today(), 3) and filing.article == "law.regs.art15_87"
    assert "第十五条" in filing.article_text and "普通许可" in filing.licence_kind_text
    in_english = await licences.filing(principal=uni, licence_id=licence.id, lang="en")
    assert "Art 15" in in_english.article_text and "Ordinary licence" in in_english.licence_kind_text
    assert filing.contract_sha256 == hashlib.sha256(pdf).hexdigest()
    assert (await verify()).ok


async def test_a_royalty_only_licence_is_active_at_once_and_royalties_reach_the_ledger(
    backend: Backend, job_queue, quarters_ended
) -> None:
    uni, _, declaration_id = await offer(ROYALTY)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    assert (licence.status, licence.amount_due_minor) == ("active", 0)  # Art 51: notice given, nothing due now
    assert licence.first_report_due is not None
    start = licence.starts_on
    report_in = RoyaltyReportIn(period_start=start, period_end=licences.quarter_end(start), net_sales_minor=123_456_78)
    async with unit_of_work():
        report = await royalties.file_report(principal=sme, licence_id=licence.id, data=report_in)
    assert (report.rate_bp, report.royalty_due_minor) == (350, 432_099)  # 3.5% of 123,456.78 = 4,320.99 (half up)
    with pytest.raises(Conflict):
        async with unit_of_work():
            await royalties.file_report(principal=sme, licence_id=licence.id, data=report_in)
    with pytest.raises(ValidationFailed):  # before the licence began
        async with unit_of_work():
            await royalties.file_report(
                principal=sme,
                licence_id=licence.id,
                data=RoyaltyReportIn(
                    period_start=start - timedelta(days=90), period_end=start - timedelta(days=1), net_sales_minor=1
                ),
            )
    async with unit_of_work():
        invoice = await royalties.pay(
            principal=sme, licence_id=licence.id, report_id=report.id, data=PaymentStartIn(method="bank_transfer")
        )
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=invoice.id)
    await drain()  # the report is marked paid on the payment's event (payment.settled), in a job
    [paid] = await royalties.list_reports(principal=uni, licence_id=licence.id)
    assert paid.status == "paid"
    books = await ledger.ledger(principal=uni)
    [line] = books.lines
    assert (line.kind, line.gross_minor, line.platform_fee_minor, line.net_minor) == (
        "royalty",
        432_099,
        21_605,
        410_494,
    )
    assert line.inventor_reward_minor == 205_247  # 50% of net by default (Art 45), half up
    assert books.totals.net_minor == 410_494 and books.inventor_reward_share_bp == 5000
    name, pdf = await ledger.monthly_statement(principal=uni, month=line.month)
    assert pdf.startswith(b"%PDF") and name == f"statement-{line.month}.pdf"


async def test_the_terms_read_must_be_the_terms_in_force(backend: Backend, job_queue) -> None:
    uni, _, declaration_id = await offer(LUMP)
    async with unit_of_work():
        await declarations.revise(
            principal=uni,
            declaration_id=declaration_id,
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=9_900_000),
        )
    sme = await firm()
    with pytest.raises(Conflict) as caught:
        async with unit_of_work():
            await licences.request_licence(principal=sme, data=request(declaration_id, version=1))
    assert caught.value.errors[0].code == "stale_terms"
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id, version=2))
    assert licence.amount_due_minor == 9_900_000
    with pytest.raises(Conflict):  # one live licence per firm and declaration
        async with unit_of_work():
            await licences.request_licence(principal=sme, data=request(declaration_id, version=2))


async def test_withdrawal_never_touches_a_licence_already_granted(backend: Backend, job_queue) -> None:
    uni, _, declaration_id = await offer(ROYALTY)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    async with unit_of_work():
        await declarations.withdraw(principal=uni, declaration_id=declaration_id, data=WithdrawIn(reason="转让"))
    after = await licences.get(principal=sme, licence_id=licence.id)
    assert (after.status, after.starts_on, after.ends_on) == ("active", licence.starts_on, licence.ends_on)
    with pytest.raises(NotFound):  # nobody new can take it
        async with unit_of_work():
            await licences.request_licence(principal=await firm("新企业"), data=request(declaration_id))


async def test_a_bank_statement_confirms_the_transfers_it_names(backend: Backend, job_queue) -> None:
    _, _, declaration_id = await offer(LUMP)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        payment = await payments.start(
            principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
        )
    statement = (
        "交易日期,金额,付款人,摘要\n"
        f"2026-11-20,123456.00,深圳市青禾智能科技有限公司,许可费 {payment.reference}\n"
        "2026-11-20,500.00,某人,无关款项\n"
    ).encode("gbk")
    async with unit_of_work():
        run = await payments.queue_statement(principal=await admin(), filename="statement.csv", content=statement)
    assert run.status == "queued"
    await job_queue.drain()  # matched in the job
    run = await payments.statement_run(run_id=run.id)
    assert (run.status, run.confirmed, run.processed_rows, run.total_rows, run.percent) == ("done", 1, 2, 2, 100)
    rows = await payments.statement_lines(run_id=run.id, lang="en")
    assert rows[0].status == "matched" and rows[0].detail_code == "bank_statement.matched"
    assert rows[0].detail == f"Reference {payment.reference} and amount match"
    assert rows[0].payment_id == payment.id and rows[0].amount_minor == 12_345_600
    assert rows[1].detail_code == "bank_statement.no_reference"
    assert rows[1].detail == "No reference in the memo"
    assert (await licences.get(principal=sme, licence_id=licence.id)).status == "active"


async def test_reminders_for_filing_and_overdue_reports_are_sent_once(backend: Backend, job_queue) -> None:
    _, _, declaration_id = await offer(ROYALTY)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    deadline = licences.filing_deadline(licence.starts_on)
    for _ in range(2):
        async with unit_of_work():
            await reminders(on=(deadline - timedelta(days=5)).isoformat())
    filing_notes = await Notification.count().where(Notification.kind == "licence_filing-30")
    assert filing_notes == 2  # one for each party's owner, once though run twice
    later = licences.quarter_end(licence.starts_on) + timedelta(days=45)
    async with unit_of_work():
        await reminders(on=later.isoformat())
    assert await Notification.count().where(Notification.kind.like("licence_report-%")) == 2
