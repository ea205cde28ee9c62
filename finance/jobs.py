"""Finance jobs: payment events, contracts, notifications and reminders. Each takes ids and is safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta

from finance.ledger import service as ledger
from finance.licences import service as licences
from finance.payments import service as payments
from finance.royalties import service as royalties
from finance.royalties.service import quarters
from market import runtime
from market.events import on
from market.i18n import Msg, Param
from market.jobs import daily, enqueue, job
from market.notifications import service as notifications
from market.notifications.service import notify
from market.orgs import service as org_service


@job("finance.process_payment_event")
async def process_payment_event(*, event_row_id: int) -> None:
    await payments.process_event(event_row_id)


@job("finance.cancel_provider_payment")
async def cancel_provider_payment(*, payment_id: int) -> None:
    await payments.cancel_at_provider(payment_id)


@on("contract.rendered")
async def contract_rendered(*, licence_id: int) -> None:
    await _notify_parties(licence_id, "contract", "notification.contract_ready")


async def _notify_parties(licence_id: int, event: str, code: str, **params: Param) -> None:
    """Both parties' members, each once per event; the licence number is a parameter of every title."""
    licence = await licences.licence_by_id(licence_id)
    if licence is None:
        return
    message = Msg(code, {"number": str(licence.number), **params})
    for org_id in (licence.licensor, licence.licensee):
        for member in await org_service.members_of_org(org_id):
            await notify(
                user_id=member.user_id,
                kind=f"licence_{event}",
                message=message,
                dedupe_key=f"licence:{licence_id}:{event}:{member.user_id}",
            )


LICENCE_EVENTS = {"requested": "notification.licence_requested", "activated": "notification.licence_activated"}


@job("finance.licence_notify")
async def licence_notify(*, licence_id: int, event: str) -> None:
    code = LICENCE_EVENTS.get(event)
    if code is not None:
        await _notify_parties(licence_id, event, code)


@job("finance.payment_notify")
async def payment_notify(*, payment_id: int) -> None:
    payment = await payments.payment_by_id(payment_id)
    if payment is not None and payment.status == "succeeded":
        await _notify_parties(payment.licence, f"paid-{payment_id}", "notification.payment_received")


@job("finance.match_statement", transactional=False)
async def match_statement(*, run_id: int) -> None:
    """A bank statement file, matched in batches (each its own transaction, so its progress shows)."""
    await payments.match_statement_run(run_id)


@job("finance.transfer_notify")
async def transfer_notify(*, payment_id: int) -> None:
    """The payer's members get the transfer instructions (the payee's account, amount, reference) once."""
    payment = await payments.payment_by_id(payment_id)
    if payment is None or payment.status != "awaiting_payer":
        return
    licence = await licences.licence_by_id(payment.licence)
    instructions = await payments.instructions_of(payment)
    if licence is None or instructions is None:
        return
    for member in await org_service.members_of_org(licence.licensee):
        key = f"licence:{licence.id}:transfer-{payment_id}:{member.user_id}"
        message = Msg("notification.transfer_requested", {"number": str(licence.number)})
        if await notify(
            user_id=member.user_id, kind="licence_transfer", message=message, body=instructions, dedupe_key=key
        ):
            await enqueue("finance.transfer_email", dedupe_key=key)


@job("finance.transfer_email", transactional=False)
async def transfer_email(*, dedupe_key: str) -> None:
    """The instructions by e-mail, in the recipient's language, where SMTP is configured."""
    mail = runtime.current().mail
    note = await notifications.for_email(dedupe_key, runtime.current().base_url) if mail.enabled else None
    if note is not None:
        await mail.send(to=note.email, subject=note.title, text=note.body)


@job("finance.reminders")
async def reminders(*, on: str = "") -> None:
    """Daily: filing deadlines (3 months, Implementing Regulations Art 15), royalty reports overdue (30 days after a
    quarter), royalty invoices unpaid for 30 days. Each reminder is sent once (its dedupe key)."""
    today = date.fromisoformat(on) if on else licences.today()
    for licence in await licences.active_starting_between(today - timedelta(days=100), today):
        assert licence.starts_on is not None  # active licences have started
        deadline = licences.filing_deadline(licence.starts_on)
        days_left = (deadline - today).days
        for stage in (30, 7):
            if 0 <= days_left <= stage:
                await _notify_parties(licence.id, f"filing-{stage}", "notification.filing_due", deadline=deadline)
                break
    for licence in await licences.active_with_royalty():
        assert licence.starts_on is not None
        filed = {r.period_start for r in await royalties.reports_of_licence(licence.id)}
        for start, end in quarters(licence.starts_on, today):
            if start not in filed and today > end + timedelta(days=licences.REPORT_DAYS):
                await _notify_parties(
                    licence.id, f"report-{start}", "notification.report_overdue", start=start, end=end
                )
    for report in await royalties.unpaid_filed_before(today - timedelta(days=licences.REPORT_DAYS)):
        await _notify_parties(
            report.licence,
            f"unpaid-{report.id}",
            "notification.royalty_unpaid",
            start=report.period_start,
            end=report.period_end,
        )


@job("finance.close_month")
async def close_month(*, university_id: int, month: str, currency: str = "CNY") -> None:
    """Close an ended month for one university (safe to run twice: the issued statement stays as it is)."""
    await ledger.close_month(
        university_id=university_id,
        month=month,
        currency=currency,
        data_dir=runtime.current().settings.data_dir,
        on=ledger.today(),
    )


@job("finance.close_months")
async def close_months(*, on: str = "") -> None:
    """Daily: close the previous month (and any ended month still open) for every university with entries in it."""
    today = date.fromisoformat(on) if on else ledger.today()
    for month in await ledger.open_months(on=today):
        await ledger.close_month(
            university_id=month.university,
            month=month.month,
            currency=month.currency,
            data_dir=runtime.current().settings.data_dir,
            on=today,
        )


daily("finance.reminders", hour=1)  # 09:00 in China (UTC+8)
daily("finance.close_months", hour=0, minute=30)  # 08:30 in China, once the month has ended in UTC
