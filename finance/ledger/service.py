"""The university's ledger: what each licence paid, month by month, less the platform fee, and the inventor
reward share of the net (the university's setting; 50% by default under the Law on Promoting the Transformation
of S&T Achievements Art 45). A monthly statement PDF is rendered from ``finance/documents/monthly_statement``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finance.ledger.schemas import LedgerLine, LedgerOut, LedgerTotals
from finance.licences import repository as licences_repo
from finance.payments import repository as payments_repo
from listings.patents import repository as patents_repo
from listings.patents.records import PatentRecord
from listings.universities import service as universities
from listings.universities.schemas import SHARE_ARTICLE
from market.accounts.principal import Principal
from market.errors import NotFound
from market.i18n import Msg, gettext
from market.integrations.pdf import render_document_in_thread
from market.orgs import repository as orgs_repo

STATEMENT = Path(__file__).resolve().parents[1] / "documents" / "monthly_statement"


def share(net_minor: int, share_bp: int) -> int:
    return (net_minor * share_bp * 2 + 10_000) // 20_000


async def ledger(*, principal: Principal, month: str | None = None) -> LedgerOut:
    licences = await licences_repo.for_org(principal.org_id, side="licensor", limit=10_000)
    by_id = {r.id: r for r in licences}
    share_bp = await universities.inventor_share_bp(principal.org_id)
    patents: dict[int, PatentRecord | None] = {}
    lines: list[LedgerLine] = []
    months: set[str] = set()
    for payment in await payments_repo.succeeded_for_licences(list(by_id)):
        licence = by_id[payment.licence]
        at = payment.succeeded_at
        assert at is not None  # a succeeded payment has its time
        line_month = at.strftime("%Y-%m")
        months.add(line_month)
        if month and line_month != month:
            continue
        if licence.patent not in patents:
            patents[licence.patent] = await patents_repo.get(licence.patent)
        net = payment.amount_minor - payment.platform_fee_minor
        kind = (
            "royalty"
            if payment.purpose == "royalty"
            else ("lump_sum" if licence.payment_mode == "lump_sum" else "entry_fee")
        )
        lines.append(
            LedgerLine(
                month=line_month,
                licence_id=licence.id,
                licence_number=licence.number,
                licensee_name=licence.licensee_name,
                patent_number=patent.number if (patent := patents[licence.patent]) else "",
                kind=kind,
                received_on=at.date(),
                gross_minor=payment.amount_minor,
                platform_fee_minor=payment.platform_fee_minor,
                net_minor=net,
                inventor_reward_minor=share(net, share_bp),
            )
        )
    totals = LedgerTotals(
        gross_minor=sum(x.gross_minor for x in lines),
        platform_fee_minor=sum(x.platform_fee_minor for x in lines),
        net_minor=sum(x.net_minor for x in lines),
        inventor_reward_minor=sum(x.inventor_reward_minor for x in lines),
    )
    return LedgerOut(
        currency="CNY",
        inventor_reward_share_bp=share_bp,
        article=SHARE_ARTICLE,
        month=month,
        lines=lines,
        totals=totals,
        months=sorted(months, reverse=True),
    )


def _money(minor: int) -> dict[str, Any]:
    return {"minor": minor, "currency": "CNY"}


async def monthly_statement(*, principal: Principal, month: str, platform_fee_bp: int) -> tuple[str, bytes]:
    """The month's statement as a PDF (rendered on request from the ledger; the same month gives the same file)."""
    data = await ledger(principal=principal, month=month)
    if not data.lines:
        raise NotFound(Msg("statement.no_payments", {"month": month}))
    org = await orgs_repo.get_org(principal.org_id)
    assert org is not None
    year, mon = (int(p) for p in month.split("-"))
    from calendar import monthrange

    context = {
        "statement": {
            "number": f"ST-{month}-{principal.org_id:04d}",
            "month": month,
            "period_start": f"{month}-01",
            "period_end": f"{month}-{monthrange(year, mon)[1]:02d}",
            "issued_on": datetime.now(UTC).date().isoformat(),
            "platform_zh": gettext("zh", "common.site_name"),
            "platform_en": gettext("en", "common.site_name"),
            "platform_fee_bp": platform_fee_bp,
        },
        "university": {"name_zh": org.name, "inventor_reward_bp": data.inventor_reward_share_bp},
        "lines": [
            {
                "contract_number": x.licence_number,
                "licensee_zh": x.licensee_name,
                "patents": x.patent_number,
                "kind": x.kind,
                "received_on": x.received_on.isoformat(),
                "gross": _money(x.gross_minor),
                "platform_fee": _money(x.platform_fee_minor),
                "net": _money(x.net_minor),
                "inventor_reward": _money(x.inventor_reward_minor),
            }
            for x in data.lines
        ],
        "totals": {
            "gross": _money(data.totals.gross_minor),
            "platform_fee": _money(data.totals.platform_fee_minor),
            "net": _money(data.totals.net_minor),
            "inventor_reward": _money(data.totals.inventor_reward_minor),
        },
    }
    rendered = await render_document_in_thread(STATEMENT, context)
    return f"statement-{month}.pdf", rendered.pdf
