"""The university's ledger: what each licence paid, month by month, less the platform fee, and the inventor
reward share of the net (the university's setting; 50% by default under the Law on Promoting the Transformation
of S&T Achievements Art 45).

Each received payment makes one ledger entry when it succeeds, carrying the platform fee rate and the inventor
reward share in force at that moment; nothing is recomputed later from today's settings. A month that has ended is
closed for each university: its statement rows and PDF (``finance/documents/monthly_statement``) are stored once,
the PDF's SHA-256 goes to the audit trail, and the stored file is what is served from then on (like contracts).
Only the open month is previewed from the live entries.
"""

from __future__ import annotations

import asyncio
import hashlib
from calendar import monthrange
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from finance.ledger import repository
from finance.ledger.records import NewEntry, NewStatement, OpenMonth, Statement, StatementRow, VoucherIncome
from finance.ledger.schemas import LedgerLine, LedgerOut, LedgerTotals, VoucherIncomeLine
from listings.patents import service as patent_service
from listings.universities import service as universities
from listings.universities.schemas import SHARE_ARTICLE
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, NotFound
from market.i18n import Msg, gettext
from market.integrations.pdf import render_document_in_thread
from market.kit.law import PaymentMode
from market.kit.money import Money
from market.orgs import service as org_service

STATEMENT = Path(__file__).resolve().parents[1] / "documents" / "monthly_statement"
CURRENCY = "CNY"


def share(net_minor: int, share_bp: int) -> int:
    """The inventor reward of a net amount, rounded half up to the minor unit (integers only)."""
    return (net_minor * share_bp * 2 + 10_000) // 20_000


def today() -> date:
    return datetime.now(UTC).date()


def month_of(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m")


def entry_kind(purpose: str, payment_mode: str) -> str:
    if purpose == "royalty":
        return "royalty"
    return "lump_sum" if payment_mode == PaymentMode.lump_sum else "entry_fee"


async def record_payment(
    *,
    payment_id: int,
    licence_id: int,
    university_id: int,
    licence_number: str,
    licensee_name: str,
    patent_id: int,
    payment_mode: str,
    purpose: str,
    received_at: datetime,
    amount: Money,
    platform_fee_bp: int,
    platform_fee: Money,
) -> None:
    """Enter a received payment in the university's ledger, once, with the fee and the inventor reward share in
    force now. Call in the transaction that marks the payment succeeded."""
    if await repository.entry_for_payment(payment_id) is not None:
        return
    patent = await patent_service.patent_by_id(patent_id)
    share_bp = await universities.inventor_share_bp(university_id)
    net = amount.minor - platform_fee.minor
    await repository.add_entry(
        NewEntry(
            payment=payment_id,
            licence=licence_id,
            university=university_id,
            month=month_of(received_at),
            received_at=received_at,
            kind=entry_kind(purpose, payment_mode),
            licence_number=licence_number,
            licensee_name=licensee_name,
            patent_number=patent.number if patent else "",
            currency=amount.currency,
            gross_minor=amount.minor,
            platform_fee_bp=platform_fee_bp,
            platform_fee_minor=platform_fee.minor,
            net_minor=net,
            inventor_reward_bp=share_bp,
            inventor_reward_minor=share(net, share_bp),
        )
    )


async def record_voucher_payout(
    *,
    payout_id: int,
    university_id: int,
    received_on: date,
    amount: Money,
    claim_reference: str,
    batch_number: str,
    programme_name: str,
    licensee_name: str,
    licence_id: int | None = None,
    licence_number: str = "",
) -> VoucherIncome:
    """Enter a voucher payout a university received (the issuer paid a claim's voucher part in a settlement batch),
    once per payout, with the inventor reward share in force now. No platform fee: the issuer pays the university
    directly, the platform handles no money of it. Call in the transaction that records the payout. These entries
    are listed beside the licence payments (``ledger``) but are not rows of the monthly statement, whose rows are
    payments received through the platform; the batch's statement (``finance/documents/voucher_statement``) is
    their document."""
    found = await repository.voucher_income_for_payout(payout_id)
    if found is not None:
        return found
    share_bp = await universities.inventor_share_bp(university_id)
    await repository.add_voucher_income(
        {
            "payout": payout_id,
            "university": university_id,
            "month": month_of(received_on),
            "received_on": received_on,
            "claim_reference": claim_reference,
            "batch_number": batch_number,
            "licence": licence_id,
            "licence_number": licence_number,
            "licensee_name": licensee_name,
            "programme_name": programme_name,
            "currency": amount.currency,
            "gross_minor": amount.minor,
            "inventor_reward_bp": share_bp,
            "inventor_reward_minor": share(amount.minor, share_bp),
        }
    )
    made = await repository.voucher_income_for_payout(payout_id)
    assert made is not None
    return made


async def voucher_income(university_id: int, *, month: str | None = None) -> list[VoucherIncome]:
    return await repository.voucher_income(university_id, month=month)


async def ledger(*, principal: Principal, month: str | None = None) -> LedgerOut:
    entries = await repository.entries(principal.org_id, month=month)
    lines = [
        LedgerLine(
            month=e.month,
            licence_id=e.licence,
            licence_number=e.licence_number,
            licensee_name=e.licensee_name,
            patent_number=e.patent_number,
            kind=e.kind,
            received_on=e.received_at.date(),
            gross_minor=e.gross_minor,
            platform_fee_bp=e.platform_fee_bp,
            platform_fee_minor=e.platform_fee_minor,
            net_minor=e.net_minor,
            inventor_reward_bp=e.inventor_reward_bp,
            inventor_reward_minor=e.inventor_reward_minor,
        )
        for e in entries
    ]
    totals = LedgerTotals(
        gross_minor=sum(x.gross_minor for x in lines),
        platform_fee_minor=sum(x.platform_fee_minor for x in lines),
        net_minor=sum(x.net_minor for x in lines),
        inventor_reward_minor=sum(x.inventor_reward_minor for x in lines),
    )
    vouchers = [
        VoucherIncomeLine(
            month=v.month, received_on=v.received_on, claim_reference=v.claim_reference, batch_number=v.batch_number,
            licence_id=v.licence, licence_number=v.licence_number, licensee_name=v.licensee_name,
            programme_name=v.programme_name, gross_minor=v.gross_minor, inventor_reward_bp=v.inventor_reward_bp,
            inventor_reward_minor=v.inventor_reward_minor,
        )
        for v in await repository.voucher_income(principal.org_id, month=month)
    ]  # fmt: skip
    return LedgerOut(
        currency=CURRENCY,
        inventor_reward_share_bp=await universities.inventor_share_bp(principal.org_id),
        article=SHARE_ARTICLE,
        month=month,
        lines=lines,
        totals=totals,
        months=await repository.months(principal.org_id),
        issued_months=await repository.issued_months(principal.org_id),
        voucher_lines=vouchers,
        voucher_total_minor=sum(v.gross_minor for v in vouchers),
    )


# ------------------------------------------------------------------------------------------ monthly statements


def _number(university_id: int, month: str, currency: str) -> str:
    suffix = "" if currency == CURRENCY else f"-{currency}"
    return f"ST-{month}-{university_id:04d}{suffix}"


def _usual(values: Sequence[int]) -> int:
    """The rate the month's rows used (the most frequent, the latest on a tie, should a setting have changed)."""
    counts = Counter(values)
    return max(reversed(values), key=lambda v: counts[v])


async def _rows(university_id: int, month: str, currency: str) -> list[StatementRow]:
    return [
        StatementRow(
            position=i,
            entry=e.id,
            licence=e.licence,
            licence_number=e.licence_number,
            licensee_name=e.licensee_name,
            patent_number=e.patent_number,
            kind=e.kind,
            received_on=e.received_at.date(),
            gross_minor=e.gross_minor,
            platform_fee_bp=e.platform_fee_bp,
            platform_fee_minor=e.platform_fee_minor,
            net_minor=e.net_minor,
            inventor_reward_bp=e.inventor_reward_bp,
            inventor_reward_minor=e.inventor_reward_minor,
        )
        for i, e in enumerate(await repository.entries(university_id, month=month, currency=currency), start=1)
    ]


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "currency": currency}


async def _context(
    *, university_id: int, month: str, currency: str, rows: list[StatementRow], issued_on: date, preview: bool
) -> dict[str, Any]:
    """The plain values of the statement PDF (the shape of ``finance/documents/monthly_statement/sample.yaml``)."""
    org = await org_service.org_by_id(university_id)
    assert org is not None
    year, mon = (int(p) for p in month.split("-"))
    return {
        "statement": {
            "number": _number(university_id, month, currency),
            "month": month,
            "period_start": f"{month}-01",
            "period_end": f"{month}-{monthrange(year, mon)[1]:02d}",
            "issued_on": issued_on.isoformat(),
            "preview": preview,
            "platform_zh": gettext("zh", "common.site_name"),
            "platform_en": gettext("en", "common.site_name"),
            "platform_fee_bp": _usual([r.platform_fee_bp for r in rows]),
        },
        "university": {"name_zh": org.name, "inventor_reward_bp": _usual([r.inventor_reward_bp for r in rows])},
        "lines": [
            {
                "contract_number": r.licence_number,
                "licensee_zh": r.licensee_name,
                "patents": r.patent_number,
                "kind": r.kind,
                "received_on": r.received_on.isoformat(),
                "gross": _money(r.gross_minor, currency),
                "platform_fee": _money(r.platform_fee_minor, currency),
                "net": _money(r.net_minor, currency),
                "inventor_reward": _money(r.inventor_reward_minor, currency),
            }
            for r in rows
        ],
        "totals": {
            "gross": _money(sum(r.gross_minor for r in rows), currency),
            "platform_fee": _money(sum(r.platform_fee_minor for r in rows), currency),
            "net": _money(sum(r.net_minor for r in rows), currency),
            "inventor_reward": _money(sum(r.inventor_reward_minor for r in rows), currency),
        },
    }


def statement_path(data_dir: Path, number: str, sha256: str) -> Path:
    return data_dir / "statements" / f"{number}-{sha256[:12]}.pdf"


async def close_month(
    *, university_id: int, month: str, data_dir: Path, on: date, currency: str = CURRENCY
) -> Statement:
    """Close an ended month for a university: store its statement rows and PDF once, the PDF's SHA-256 in the audit
    trail. Closing again gives the statement already issued."""
    issued = await repository.statement(university_id, month, currency)
    if issued is not None:
        return issued
    if month >= month_of(on):
        raise Conflict(Msg("statement.month_open", {"month": month}))
    rows = await _rows(university_id, month, currency)
    if not rows:
        raise NotFound(Msg("statement.no_payments", {"month": month}))
    context = await _context(
        university_id=university_id, month=month, currency=currency, rows=rows, issued_on=on, preview=False
    )
    rendered = await render_document_in_thread(STATEMENT, context)
    number = _number(university_id, month, currency)
    path = statement_path(data_dir, number, rendered.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, rendered.pdf)
    totals = context["totals"]
    statement_id = await repository.add_statement(
        NewStatement(
            number=number,
            university=university_id,
            month=month,
            currency=currency,
            gross_minor=totals["gross"]["minor"],
            platform_fee_minor=totals["platform_fee"]["minor"],
            net_minor=totals["net"]["minor"],
            inventor_reward_minor=totals["inventor_reward"]["minor"],
            platform_fee_bp=context["statement"]["platform_fee_bp"],
            inventor_reward_bp=context["university"]["inventor_reward_bp"],
            template=rendered.document,
            template_version=rendered.version,
            sha256=rendered.sha256,
            path=str(path),
            pages=rendered.pages,
            issued_on=on,
        ),
        rows,
    )
    await record(
        actor=Actor.system(),
        action="finance.statement_issued",
        entity_type="statement",
        entity_id=statement_id,
        org_id=university_id,
        after={
            "number": number,
            "month": month,
            "currency": currency,
            "sha256": rendered.sha256,
            "template": rendered.document,
            "template_version": rendered.version,
            "pages": rendered.pages,
            "rows": len(rows),
            "net_minor": totals["net"]["minor"],
            "inventor_reward_minor": totals["inventor_reward"]["minor"],
        },
    )
    made = await repository.statement(university_id, month, currency)
    assert made is not None
    return made


async def open_months(*, on: date) -> list[OpenMonth]:
    """Every university's ended months with entries and no statement yet (the daily close takes them all)."""
    return await repository.open_months(before=month_of(on))


async def statement_rows(statement: Statement) -> list[StatementRow]:
    return await repository.statement_rows(statement.id)


async def read_issued(statement: Statement) -> bytes:
    """The stored PDF of an issued statement, checked against its recorded SHA-256."""
    data = await asyncio.to_thread(Path(statement.path).read_bytes)
    if hashlib.sha256(data).hexdigest() != statement.sha256:
        raise Conflict(Msg("statement.hash_mismatch"))
    return data


async def monthly_statement(
    *, principal: Principal, month: str, on: date | None = None, currency: str = CURRENCY
) -> tuple[str, bytes]:
    """The month's statement PDF: the issued file once the month is closed; a preview of the live entries while
    the month is open. An ended month not closed yet is being issued (the daily close) and is not previewed."""
    name = f"statement-{month}.pdf"
    issued = await repository.statement(principal.org_id, month, currency)
    if issued is not None:
        return name, await read_issued(issued)
    day = on or today()
    if month != month_of(day):
        raise NotFound(Msg("statement.not_issued", {"month": month}))
    rows = await _rows(principal.org_id, month, currency)
    if not rows:
        raise NotFound(Msg("statement.no_payments", {"month": month}))
    context = await _context(
        university_id=principal.org_id, month=month, currency=currency, rows=rows, issued_on=day, preview=True
    )
    rendered = await render_document_in_thread(STATEMENT, context)
    return name, rendered.pdf
