"""Running royalties: the licensee reports net sales per period; the royalty due is the declared rate times net
sales, invoiced and paid through the same payments port. Reporting is per calendar quarter, within 30 days after
it ends (the platform's standard term, stated in the contract)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.payments import service as payments
from finance.payments.schemas import PaymentOut, PaymentStartIn
from finance.royalties import repository
from finance.royalties.records import RoyaltyReportRecord
from finance.royalties.schemas import RoyaltyReportIn, RoyaltyReportOut
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Bp, Msg
from market.kit.law import CAP_NOTICE, PROFIT_SHARE_CAP_BP, ROYALTY_CAP_BP
from market.kit.money import Money


def royalty_due(net_sales_minor: int, rate_bp: int) -> int:
    """rate x net sales in integer fen, rounded half up (no float touches money)."""
    return (net_sales_minor * rate_bp * 2 + 10_000) // 20_000


def quarters(start: date, until: date) -> list[tuple[date, date]]:
    """The calendar quarters from the one containing ``start`` up to the last one ended before ``until``."""
    out: list[tuple[date, date]] = []
    q_start = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while True:
        q_end = licences.quarter_end(q_start)
        if q_end >= until:
            return out
        out.append((max(q_start, start), q_end))
        q_start = q_end + timedelta(days=1)


async def file_report(*, principal: Principal, licence_id: int, data: RoyaltyReportIn) -> RoyaltyReportOut:
    licence = await licences.party(principal, licence_id)
    if licence.licensee != principal.org_id:
        raise Forbidden(Msg("royalty.report_licensee_only"))
    if licence.status != "active" or not licence.royalty_rate_bp:
        raise Conflict(Msg("royalty.not_running_royalty"))
    starts, ends = licence.starts_on, licence.ends_on
    assert starts is not None  # an active licence has started
    if data.period_start < starts or (ends is not None and data.period_end > ends):
        outside = Msg("royalty.outside_term", {"start": starts, "end": ends or "…"})
        raise ValidationFailed(outside, errors=[FieldError("period_start", outside, code="outside_term")])
    _check_quarter(licence, data.period_start, data.period_end, licences.today())
    await licences.licence_for_update(licence_id)  # parallel reports of one licence take turns from here
    if await repository.overlapping(licence_id, data.period_start, data.period_end):
        overlap = Msg("royalty.overlap")
        raise Conflict(overlap, errors=[FieldError("period_start", overlap, code="overlap")])
    rate = int(licence.royalty_rate_bp)
    base, amount = _base_amount(licence.royalty_base, data)
    cap = PROFIT_SHARE_CAP_BP if base == "profit" else ROYALTY_CAP_BP
    if rate > cap:  # the declaration was checked; a licence's rate can never exceed the 2024 cap
        raise Conflict(Msg(f"royalty.rate_over_cap{'_profit' if base == 'profit' else ''}", {"cap": Bp(cap)}))
    due = royalty_due(amount, rate)
    report_id = await repository.create(
        licence=licence_id,
        period_start=data.period_start,
        period_end=data.period_end,
        net_sales_minor=amount if base == "net_sales" else 0,
        currency=licence.currency,
        rate_bp=rate,
        royalty_due_minor=due,
        status="invoiced" if due else "paid",
        filed_by=principal.user_id,
        base=base,
        profit_minor=amount if base == "profit" else None,
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.royalty_reported",
        entity_type="royalty_report",
        entity_id=report_id,
        org_id=licence.licensor,
        after={
            "licence": licence.number,
            "period": f"{data.period_start}/{data.period_end}",
            "base": base,
            f"{base}_minor": amount,
            "rate_bp": rate,
            "royalty_due_minor": due,
        },
    )
    row = await repository.get(report_id)
    assert row is not None
    return out(row)


def _check_quarter(licence: LicenceRecord, start: date, end: date, today: date) -> None:
    """The licence's terms: a report covers one calendar quarter (its part within the licence's term), filed once
    the quarter has ended (within ``REPORT_DAYS`` days after it). Anything else is refused, citing those terms."""
    q_start = date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    q_end = licences.quarter_end(q_start)
    first = max(q_start, licence.starts_on or q_start)
    last = min(q_end, licence.ends_on or q_end)
    if (start, end) != (first, last):
        refused = Msg(
            "royalty.period_not_quarter",
            {"licence": licence.number, "start": first, "end": last, "days": licences.REPORT_DAYS},
        )
        raise ValidationFailed(refused, errors=[FieldError("period_start", refused, code="period_not_quarter")])
    if q_end >= today:
        refused = Msg(
            "royalty.quarter_not_ended", {"licence": licence.number, "end": q_end, "days": licences.REPORT_DAYS}
        )
        raise ValidationFailed(refused, errors=[FieldError("period_end", refused, code="quarter_not_ended")])


def _base_amount(base: str, data: RoyaltyReportIn) -> tuple[str, int]:
    """The amount the royalty is a share of: the net sales, or the profit when the declaration's royalty is a share
    of profit (2024 CNIPA notice); the report must give that one."""
    field = "profit_minor" if base == "profit" else "net_sales_minor"
    amount = data.profit_minor if base == "profit" else data.net_sales_minor
    if amount is None:
        wanted = Msg(f"royalty.report_needs_{base}")
        raise ValidationFailed(wanted, errors=[FieldError(field, wanted, code="wrong_base", article=CAP_NOTICE)])
    return base, amount


def out(row: RoyaltyReportRecord) -> RoyaltyReportOut:
    values = {**dataclasses.asdict(row), "licence_id": row.licence}
    if row.base == "profit":
        values["net_sales_minor"] = None
    return RoyaltyReportOut.model_validate(values)


async def pay(*, principal: Principal, licence_id: int, report_id: int, data: PaymentStartIn) -> PaymentOut:
    licence = await licences.party(principal, licence_id)
    if licence.licensee != principal.org_id:
        raise Forbidden(Msg("royalty.pay_licensee_only"))
    report = await repository.get(report_id)
    if report is None or report.licence != licence_id:
        raise NotFound(Msg("royalty.report_not_found"))
    if report.status != "invoiced":
        raise Conflict(Msg("royalty.already_paid"))
    return await payments._open(
        licence,
        amount=Money(report.currency, report.royalty_due_minor),
        method=data.method,
        purpose="royalty",
        royalty_report=report_id,
        actor=Actor(principal.user_id, principal.org_id),
    )


async def list_reports(*, principal: Principal, licence_id: int) -> list[RoyaltyReportOut]:
    await licences.party(principal, licence_id)
    return [out(r) for r in await repository.for_licence(licence_id)]


async def settled(*, report_id: int) -> None:
    """A payment of the report succeeded (``payment.settled``): the report is paid. Safe to run twice."""
    report = await repository.get(report_id)
    if report is not None and report.status != "paid":
        await repository.set_status(report_id, "paid")


# What other modules read of royalty reports: through this service, never the repository.
reports_of_licence = repository.for_licence
unpaid_filed_before = repository.unpaid_filed_before
