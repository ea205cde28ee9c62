"""Issued documents stay issued: each received payment is a ledger entry carrying the platform fee and the inventor
reward share in force when it was made; a closed month is a stored statement (rows and PDF, its SHA-256 in the audit
trail) that later setting changes never touch. Through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

import pytest

from finance.jobs import close_months
from finance.ledger import repository as ledger_repo
from finance.ledger import service as ledger
from finance.ledger.tables import LedgerEntry, Statement
from finance.licences import service as licences
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.piccolo_migrations import finance_0004_ledger_backfill as backfill
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn
from listings.universities import service as universities
from listings.universities.schemas import UniversitySettingsIn
from market import jobs
from market.accounts.principal import Principal
from market.audit.service import verify
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.support import ROYALTY, admin, firm, offer
from tests.finance.test_licence_flow import request

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
