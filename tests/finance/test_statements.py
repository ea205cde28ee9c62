"""Issued documents stay issued: each received payment is a ledger entry carrying the platform fee and the inventor
reward share in force when it was made; a closed month is a stored statement (rows and PDF, its SHA-256 in the audit
trail) that later setting changes never touch. Through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import pytest

from finance.jobs import close_months
from finance.ledger import repository as ledger_repo
from finance.ledger import service as ledger
from finance.ledger.tables import LedgerEntry, Statement
from finance.licences import service as licences
from finance.payments import repository as payments_repo
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.piccolo_migrations import finance_0004_ledger_backfill as backfill
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.universities import service as universities
from listings.universities.schemas import UniversitySettingsIn
from market import jobs
from market.accounts.principal import Principal
from market.audit.service import verify
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.integrations.payments.bank_statement import MatchStatus, StatementLine, match_statement
from market.integrations.payments.bank_transfer import format_reference
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.support import LUMP, ROYALTY, admin, firm, offer
from tests.finance.test_licence_flow import request
from tests.listings.support import eligible
from tests.listings.support import record as record_patent

BANK = PaymentStartIn(method="bank_transfer")


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


async def royalty_paid(sme: Principal, licence_id: int, start: date, net_sales_minor: int) -> None:
    """File a royalty report for the quarter from ``start`` and have the platform confirm its bank transfer."""
    end = licences.quarter_end(start)
    period = RoyaltyReportIn(period_start=start, period_end=end, net_sales_minor=net_sales_minor)
    async with unit_of_work():
        report = await royalties.file_report(principal=sme, licence_id=licence_id, data=period)
    async with unit_of_work():
        invoice = await royalties.pay(principal=sme, licence_id=licence_id, report_id=report.id, data=BANK)
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=invoice.id)
    queue = jobs.queue()  # the ledger enters the payment on payment.settled, in a job after the commit
    assert isinstance(queue, jobs.InProcessQueue)
    await queue.drain()


async def received_once(*, share_bp: int | None = None) -> tuple[Principal, Principal, int, date]:
    uni, _, declaration_id = await offer(ROYALTY)
    if share_bp is not None:
        await set_share(uni, share_bp)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    assert licence.starts_on is not None
    await royalty_paid(sme, licence.id, licence.starts_on, 123_456_78)  # royalty 4,320.99; fee 5% = 216.05
    return uni, sme, licence.id, licence.starts_on


async def set_share(uni: Principal, share_bp: int) -> None:
    async with unit_of_work():
        await universities.set_settings(principal=uni, data=UniversitySettingsIn(inventor_reward_share_bp=share_bp))


async def issued_events() -> list[dict[str, Any]]:
    rows = await AuditEvent.select().where(AuditEvent.action == "finance.statement_issued")
    return [json.loads(r["after"]) for r in rows]


async def test_entries_carry_the_fee_and_reward_share_in_force_when_made(
    backend: Backend, job_queue, quarters_ended
) -> None:
    uni, sme, licence_id, start = await received_once()
    [first] = (await ledger.ledger(principal=uni)).lines
    assert (first.platform_fee_bp, first.platform_fee_minor, first.net_minor) == (500, 21_605, 410_494)
    assert (first.inventor_reward_bp, first.inventor_reward_minor) == (5000, 205_247)

    await set_share(uni, 6000)  # from now on; the entry already made keeps its 50%
    await royalty_paid(
        sme, licence_id, licences.quarter_end(start) + timedelta(days=1), 100_000_00
    )  # royalty 3,500.00; fee 175.00
    books = await ledger.ledger(principal=uni)
    assert books.inventor_reward_share_bp == 6000
    old, new = books.lines
    assert (old.inventor_reward_bp, old.inventor_reward_minor) == (5000, 205_247)
    assert (new.gross_minor, new.platform_fee_bp, new.net_minor) == (350_000, 500, 332_500)
    assert (new.inventor_reward_bp, new.inventor_reward_minor) == (6000, 199_500)
    assert books.totals.inventor_reward_minor == 205_247 + 199_500


async def test_changing_the_inventor_reward_setting_does_not_change_an_issued_statement(
    backend: Backend, job_queue, quarters_ended
) -> None:
    uni, _, _, start = await received_once()
    month = ledger.month_of(start)
    _, preview = await ledger.monthly_statement(principal=uni, month=month)  # the open month: a live preview
    assert preview.startswith(b"%PDF")
    with pytest.raises(Conflict):  # a month is closed once it has ended, not before
        async with unit_of_work():
            await ledger.close_month(
                university_id=uni.org_id, month=month, data_dir=backend.settings.data_dir, on=start
            )

    async with unit_of_work():
        await close_months(on=next_month(start).isoformat())
    name, issued = await ledger.monthly_statement(principal=uni, month=month)
    assert name == f"statement-{month}.pdf" and issued.startswith(b"%PDF") and issued != preview
    [event] = await issued_events()
    assert event["sha256"] == hashlib.sha256(issued).hexdigest() and event["month"] == month

    await set_share(uni, 8000)
    _, again = await ledger.monthly_statement(principal=uni, month=month)
    assert again == issued  # same bytes, same hash
    assert hashlib.sha256(again).hexdigest() == event["sha256"]
    statement = await ledger_repo.statement(uni.org_id, month, "CNY")
    assert statement is not None and statement.sha256 == event["sha256"]
    assert (statement.inventor_reward_bp, statement.inventor_reward_minor, statement.net_minor) == (
        5000,
        205_247,
        410_494,
    )
    [row] = await ledger.statement_rows(statement)
    assert (row.inventor_reward_bp, row.inventor_reward_minor, row.platform_fee_bp) == (5000, 205_247, 500)
    assert (await verify()).ok


async def test_closing_a_month_twice_gives_the_same_statement(backend: Backend, job_queue, quarters_ended) -> None:
    uni, _, _, start = await received_once(share_bp=4000)
    month, after = ledger.month_of(start), next_month(start)
    async with unit_of_work():
        first = await ledger.close_month(
            university_id=uni.org_id, month=month, data_dir=backend.settings.data_dir, on=after
        )
    _, pdf = await ledger.monthly_statement(principal=uni, month=month)
    for _ in range(2):
        async with unit_of_work():
            await close_months(on=(after + timedelta(days=1)).isoformat())
        async with unit_of_work():
            again = await ledger.close_month(
                university_id=uni.org_id, month=month, data_dir=backend.settings.data_dir, on=after + timedelta(days=9)
            )
        assert again == first
        assert (await ledger.monthly_statement(principal=uni, month=month))[1] == pdf
    assert await Statement.count() == 1 and len(await issued_events()) == 1
    assert first.inventor_reward_bp == 4000 and first.inventor_reward_minor == 164_198  # 40% of 4,104.94
    assert (await ledger.ledger(principal=uni)).issued_months == [month]
    assert await ledger.open_months(on=after) == []


async def test_a_past_month_not_closed_is_not_previewed(backend: Backend, job_queue, quarters_ended) -> None:
    uni, _, _, start = await received_once()
    month = ledger.month_of(start)
    with pytest.raises(NotFound):
        await ledger.monthly_statement(principal=uni, month=month, on=next_month(start))
    with pytest.raises(NotFound):  # nothing received in the open month
        await ledger.monthly_statement(principal=uni, month=ledger.month_of(next_month(start)), on=next_month(start))


async def test_the_migration_enters_payments_received_before_entries_existed(
    backend: Backend, job_queue, quarters_ended
) -> None:
    uni, _, _, _ = await received_once(share_bp=3000)
    [made] = await ledger_repo.entries(uni.org_id)
    await LedgerEntry.delete(force=True)
    manager = await backfill.forwards()
    for up in manager.raw:
        await up()
    [entry] = await ledger_repo.entries(uni.org_id)
    assert (entry.platform_fee_bp, entry.platform_fee_minor, entry.inventor_reward_bp) == (500, 21_605, 3000)
    assert (entry.inventor_reward_minor, entry.kind, entry.month) == (made.inventor_reward_minor, "royalty", made.month)
    assert (entry.payment, entry.licence_number, entry.patent_number) == (
        made.payment,
        made.licence_number,
        "CN108982325B",
    )
    for up in manager.raw:  # twice: nothing more
        await up()
    assert await LedgerEntry.count() == 1


# -- bank statement files: stored, then matched in a job ---------------------------------------------------------


class CountingReferences(Mapping[str, Money]):
    """Open references that count how often they are read: the matching must look each row up, never scan them."""

    def __init__(self, data: dict[str, Money]) -> None:
        self.data = data
        self.scans = 0
        self.lookups = 0

    def __getitem__(self, key: str) -> Money:
        self.lookups += 1
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        self.scans += 1
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        self.lookups += 1
        return key in self.data


def statement_lines(rows: int, open_refs: list[str]) -> list[StatementLine]:
    """``rows`` lines: one paying each open reference, the rest of the same amount and without a reference."""
    amount = Money("CNY", 5_000_000)
    lines = [StatementLine(i + 2, None, amount, "付款人", "", f"许可费 {ref}", "") for i, ref in enumerate(open_refs)]
    lines += [StatementLine(i + 2, None, amount, "某人", "", "货款", "") for i in range(len(open_refs), rows)]
    return lines


def test_matching_reads_the_open_references_once_whatever_the_file_size() -> None:
    """Linear: each row is one dict lookup; the open references are scanned once (to index them by amount), not
    once per row without a reference as before (20,000 rows x the open references took 33 s)."""
    refs = [format_reference(2026, f"{i:04d}".translate(str.maketrans("0123456789", "ABCDEFGHJK"))) for i in range(50)]
    for rows in (1_000, 4_000):
        references = CountingReferences({ref: Money("CNY", 5_000_000) for ref in refs})
        report = match_statement(statement_lines(rows, refs[:10]), references)
        assert len(report.matched) == 10 and len(report.rows) == rows
        assert references.scans == 1  # the same for 1,000 rows and for 4,000
        assert references.lookups <= 3 * rows
        unmatched = [r for r in report.rows if r.status is MatchStatus.UNMATCHED]
        assert unmatched and all(len(r.candidates) == 5 for r in unmatched)  # a few candidates, never a matched one
        assert not set(unmatched[0].candidates) & set(refs[:10])


async def open_transfers(count: int) -> list[tuple[Principal, int, str]]:
    """``count`` lump-sum licences of one university, each with a bank transfer asked for: (firm, payment, ref)."""
    uni, _, declaration_id = await offer(LUMP)
    out = []
    for n in range(count):
        if n:
            patent = await record_patent(uni, eligible(f"CN10900000{n}B", patentees=[uni.org_name]))
            async with unit_of_work():
                declared = await declarations.declare(
                    principal=uni, data=DeclareIn(patent_ids=[patent], terms=TermsIn(**LUMP))
                )
            declaration_id = declared.results[0].declaration_id or 0
        sme = await firm(f"企业{n}有限公司")
        async with unit_of_work():
            licence = await licences.request_licence(principal=sme, data=request(declaration_id))
            payment = await payments.start(principal=sme, licence_id=licence.id, data=BANK)
        out.append((sme, payment.id, payment.reference))
    return out


async def test_a_statement_is_matched_in_a_job_with_progress_and_a_verdict_per_row(
    backend: Backend, job_queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    (_, paid_id, paid), (_, early_id, early), (_, _, short) = await open_transfers(3)
    async with unit_of_work():  # confirmed by the platform before the statement comes
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=early_id)
    unknown = format_reference(2026, "ZZZZ")
    statement = (
        "交易日期,金额,付款人,摘要\n"
        f"2026-11-20,123456.00,企业0有限公司,许可费 {paid}\n"
        f"2026-11-20,123456.00,企业1有限公司,许可费 {early}\n"
        f"2026-11-21,100.00,企业2有限公司,许可费 {short}\n"
        f"2026-11-21,100.00,某人,{unknown}\n"
        "2026-11-22,500.00,某人,无关款项\n"
    ).encode("gbk")
    progress: list[tuple[int, int]] = []
    update = payments_repo.update_statement_run

    async def spy(run_id: int, values: Mapping[str, Any]) -> None:
        if "processed_rows" in values:
            progress.append((values["processed_rows"], (await payments_repo.statement_run(run_id)).total_rows))  # type: ignore[union-attr]
        await update(run_id, values)

    monkeypatch.setattr(payments_repo, "update_statement_run", spy)
    monkeypatch.setattr(payments, "STATEMENT_BATCH", 2)
    async with unit_of_work():
        run = await payments.queue_statement(principal=await admin(), filename="对账单.csv", content=statement)
    await job_queue.drain()

    assert progress == [(2, 5), (4, 5), (5, 5)]  # stored after each batch: what the page's progress bar shows
    run = await payments.statement_run(run_id=run.id)
    assert (run.status, run.total_rows, run.processed_rows, run.confirmed, run.needs_review) == ("done", 5, 5, 1, 4)
    rows = await payments.statement_lines(run_id=run.id, lang="en")
    assert [(r.row, r.status) for r in rows] == [
        (2, "matched"),
        (3, "already_confirmed"),
        (4, "amount_mismatch"),
        (5, "unknown_reference"),
        (6, "unmatched"),
    ]
    assert rows[1].detail_code == "bank_statement.not_awaiting" and early in rows[1].detail
    assert rows[0].payment_id == paid_id and (await payments.payment_by_id(paid_id)).status == "succeeded"  # type: ignore[union-attr]
    assert [r.row for r in await payments.statement_lines(run_id=run.id, lang="zh", statuses=["matched"])] == [2]
    [event] = await AuditEvent.select().where(AuditEvent.action == "finance.statement_matched")
    assert json.loads(event["after"])["confirmed"] == 1

    async with unit_of_work():  # the same file again: nothing confirmed twice, the paid row is now "already"
        again = await payments.queue_statement(principal=await admin(), filename="again.csv", content=statement)
    await job_queue.drain()
    again = await payments.statement_run(run_id=again.id)
    assert (again.confirmed, again.status) == (0, "done")
    first = (await payments.statement_lines(run_id=again.id, lang="en"))[0]
    assert first.status == "already_confirmed"
    assert len(await AuditEvent.select().where(AuditEvent.action == "finance.payment_succeeded")) == 2


def stored_files(backend: Backend) -> set[str]:
    folder = backend.settings.data_dir / "statements"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def test_a_statement_over_the_limits_is_refused_before_anything_is_stored(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "交易日期,金额,付款人,摘要\n"
    monkeypatch.setattr(backend.settings, "statement_max_bytes", 1024)
    monkeypatch.setattr(backend.settings, "statement_max_rows", 100)
    operator = await admin()
    before = stored_files(backend)
    too_big = (header + "2026-11-20,1.00,某人," + "x" * 2000 + "\n").encode()
    with pytest.raises(payments.StatementTooLarge) as refused:
        async with unit_of_work():
            await payments.queue_statement(principal=operator, filename="big.csv", content=too_big)
    assert refused.value.status == 413 and refused.value.message_code == "payment.statement_too_large"
    assert refused.value.errors[0].field == "file"
    monkeypatch.setattr(backend.settings, "statement_max_bytes", 1_000_000)
    many = (header + "2026-11-20,1.00,某人,x\n" * 200).encode()
    with pytest.raises(payments.StatementTooLarge) as refused:
        async with unit_of_work():
            await payments.queue_statement(principal=operator, filename="many.csv", content=many)
    assert refused.value.message_code == "payment.statement_too_many_rows" and "100" in refused.value.text("en")
    with pytest.raises(ValidationFailed):  # no header row: said at once
        async with unit_of_work():
            await payments.queue_statement(principal=operator, filename="x.csv", content=b"name,value\nx,1\n")
    assert await payments.statement_runs() == []
    assert stored_files(backend) == before


async def test_the_api_refuses_a_statement_over_the_limit_with_413(
    backend: Backend, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend.settings, "statement_max_bytes", 100)
    await sign_in(client, await make_account("platform_admin", org_name="平台运营"))
    data = ("交易日期,金额,付款人,摘要\n" + "2026-11-20,1.00,某人,货款\n" * 10).encode()
    refused = await client.post(
        "/api/admin/payments/statement",
        files={"file": ("s.csv", data, "text/csv")},
        headers={"x-csrftoken": await client.csrf(), "accept-language": "en"},
    )
    assert refused.status_code == 413 and refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["message_code"] == "payment.statement_too_large" and body["errors"][0]["field"] == "file"
    assert "200000 rows" in body["detail"] or "200,000 rows" in body["detail"]
    assert (await client.get("/api/admin/payments/statements")).json() == []
