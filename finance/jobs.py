"""Finance jobs: payment events, contracts, notifications and reminders. Each takes ids and is safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta

from finance.contracts import service as contracts
from finance.licences import repository as licences_repo
from finance.licences import service as licences
from finance.payments import repository as payments_repo
from finance.payments import service as payments
from finance.royalties import repository as royalties_repo
from finance.royalties.service import quarters
from market import runtime
from market.i18n import Msg, Param
from market.jobs import daily, job
from market.notifications.service import notify
from market.orgs import repository as orgs_repo


@job("finance.process_payment_event")
async def process_payment_event(*, event_row_id: int) -> None:
    await payments.process_event(event_row_id)


@job("finance.cancel_provider_payment")
async def cancel_provider_payment(*, payment_id: int) -> None:
    await payments.cancel_at_provider(payment_id)


@job("finance.render_contract")
async def render_contract(*, licence_id: int) -> None:
    made = await contracts.render_contract(licence_id=licence_id, data_dir=runtime.current().settings.data_dir)
    if made:
        await _notify_parties(licence_id, "contract", "notification.contract_ready")


async def _notify_parties(licence_id: int, event: str, code: str, **params: Param) -> None:
    """Both parties' members, each once per event; the licence number is a parameter of every title."""
    licence = await licences_repo.get(licence_id)
    if licence is None:
        return
    message = Msg(code, {"number": str(licence.number), **params})
    for org_id in (licence.licensor, licence.licensee):
        for member in await orgs_repo.members_of_org(org_id):
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
    payment = await payments_repo.get(payment_id)
    if payment is not None and payment.status == "succeeded":
        await _notify_parties(payment.licence, f"paid-{payment_id}", "notification.payment_received")


@job("finance.reminders")
async def reminders(*, on: str = "") -> None:
    """Daily: filing deadlines (3 months, Implementing Regulations Art 15), royalty reports overdue (30 days after a
    quarter), royalty invoices unpaid for 30 days. Each reminder is sent once (its dedupe key)."""
    today = date.fromisoformat(on) if on else licences.today()
    for licence in await licences_repo.active_starting_between(today - timedelta(days=100), today):
        assert licence.starts_on is not None  # active licences have started
        deadline = licences.filing_deadline(licence.starts_on)
        days_left = (deadline - today).days
        for stage in (30, 7):
            if 0 <= days_left <= stage:
                await _notify_parties(licence.id, f"filing-{stage}", "notification.filing_due", deadline=deadline)
                break
    for licence in await licences_repo.active_with_royalty():
        assert licence.starts_on is not None
        filed = {r.period_start for r in await royalties_repo.for_licence(licence.id)}
        for start, end in quarters(licence.starts_on, today):
            if start not in filed and today > end + timedelta(days=licences.REPORT_DAYS):
                await _notify_parties(
                    licence.id, f"report-{start}", "notification.report_overdue", start=start, end=end
                )
    for report in await royalties_repo.unpaid_filed_before(today - timedelta(days=licences.REPORT_DAYS)):
        await _notify_parties(
            report.licence,
            f"unpaid-{report.id}",
            "notification.royalty_unpaid",
            start=report.period_start,
            end=report.period_end,
        )


daily("finance.reminders", hour=1)  # 09:00 in China (UTC+8)
