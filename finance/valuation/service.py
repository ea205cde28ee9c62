"""Valuing a stored patent by relief-from-royalty (``relief.value``), with the threshold of the shared data.

- The facts come from the patent record (kind, IPC codes, claims, expiry) and its open-licence declaration;
  the figures from the caller. An SME values its own patents (another's: not found); a module reviewing a case
  (pledges) calls ``value_patent`` with the record it has read.
- The threshold below which an internal or agreed value is accepted is read from
  ``shared/domain/cn_ip_finance_programmes.json`` (``pledge_loans.valuation``), never a constant here; without the
  file, no threshold applies and the answer says so (``threshold`` null).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from finance.valuation import relief
from finance.valuation.records import Valuation, ValuationInputs
from finance.valuation.schemas import LineOut, MoneyOut, ValuationIn, ValuationOut
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from market.accounts.principal import Principal
from market.errors import Conflict
from market.kit.law import PatentKind
from market.kit.messages import Msg
from market.kit.money import Money
from market.kit.words import MsgOut

PROGRAMMES = "cn_ip_finance_programmes.json"


def today() -> date:
    return datetime.now(UTC).date()


def shared_domain_dir() -> Path | None:
    for base in (Path(__file__).resolve().parents[3], Path.cwd().resolve().parent):
        candidate = base / "shared" / "domain"
        if (candidate / PROGRAMMES).exists():
            return candidate
    return None


@lru_cache(maxsize=1)
def threshold() -> Money | None:
    """Internal or agreed values are accepted below this (the pilot provinces' rule, in the shared data)."""
    directory = shared_domain_dir()
    if directory is None:
        return None
    data = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    below = data.get("pledge_loans", {}).get("valuation", {}).get("internal_or_agreed_value_allowed_below_cny")
    return None if below is None else Money("CNY", int(below) * 100)


def inputs_of(patent: PatentRecord, data: ValuationIn, on: date) -> ValuationInputs:
    if patent.expiry_date is None or patent.expiry_date <= on:
        raise Conflict(Msg("valuation.no_term_left"))
    return ValuationInputs(
        kind=PatentKind(patent.kind),
        ipc_codes=tuple(patent.ipc_codes or ()),
        claims_count=patent.claims_count or 1,
        expiry_date=patent.expiry_date,
        today=on,
        projected_revenue=tuple(Money(data.currency, m) for m in data.projected_revenue_minor),
        discount_rate_bp=data.discount_rate_bp,
        method=data.method,
        economic_life_years=data.economic_life_years,
        tax_rate_bp=data.tax_rate_bp,
        royalty_rate_bp=data.royalty_rate_bp,
        open_licence_declared=patent.declaration_status == "published",
        appraiser=data.appraiser,
        report_document=data.report_document,
    )


def value_patent(patent: PatentRecord, data: ValuationIn, on: date | None = None) -> Valuation:
    """The value of a stored patent (read by the caller, who checked it may see it)."""
    return relief.value(inputs_of(patent, data, on or today()), threshold=threshold())


async def valuate(*, principal: Principal, data: ValuationIn) -> ValuationOut:
    """Value one of the principal's organisation's patents."""
    patent = await patents.owned(principal, data.patent_id)
    return valuation_out(value_patent(patent, data))


def _money(m: Money | None) -> MoneyOut | None:
    return None if m is None else MoneyOut(minor=m.minor, currency=m.currency)


def valuation_out(v: Valuation) -> ValuationOut:
    amount = _money(v.amount)
    assert amount is not None
    return ValuationOut(
        amount=amount,
        method=v.method,
        royalty_rate_bp=v.royalty_rate_bp,
        years=v.years,
        lines=[LineOut(key=f.key, value=f.value, source=f.source, message=MsgOut.of(f.message)) for f in v.lines],
        reasons=[MsgOut.of(r.msg) for r in v.reasons],
        threshold=_money(v.threshold),
    )
