"""The issuer's programme report (issue 14, Deliver 7): budget committed and paid, the redemption rate (issued vs
captured, the figure real programmes fail on), days from claim to payment (median and 90th percentile), by
category, region and provider; as JSON (charts and tables on the page) and CSV.

Every figure is a SQL aggregate read by the module that owns its rows: what was issued (``finance.
voucher_entitlements``: granted, by holder), what was captured (``finance.voucher_redemptions``: one GROUP BY per
dimension), what was paid and how long it took (this module's payout entries: one GROUP BY and one window-function
query per dimension). Python joins a few hundred groups, never the 100,000 redemptions.

- Committed: the entitlements issued (granted) in the programme. Paid: the payout entries.
- Redemption rate: captured / issued. By region, both sides are the SMEs' region (the region recorded on the
  holder's organisation); by category and provider there is nothing issued to compare with (an entitlement is not
  issued for a category or a provider), so those rows show their share of what was captured instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from finance.voucher_entitlements import service as entitlements
from finance.voucher_programmes import service as programmes
from finance.voucher_redemptions import service as redemptions
from finance.voucher_redemptions.records import CapturedGroup
from finance.voucher_settlements import repository
from finance.voucher_settlements.bankfile import BOM, yuan
from finance.voucher_settlements.records import PaidGroup, Timing
from finance.voucher_settlements.schemas import GroupOut, MoneyOut, ReportOut
from listings.search.labels import REGIONS, region_code
from market.accounts.principal import Principal
from market.errors import Forbidden
from market.i18n import Msg, gettext
from market.kit.formatting import language_of
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

DIMENSIONS = ("category", "region", "provider")
CSV_COLUMNS = ("dimension", "key", "label", "claims_captured", "captured_yuan", "issued_yuan",
               "redemption_rate_pct", "payouts", "paid_yuan", "p50_days", "p90_days")  # fmt: skip


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """What the other modules' aggregates say about a programme."""

    programme_id: int
    programme_name: str
    currency: str
    budget_minor: int | None
    committed_minor: int
    captured: Mapping[str, Sequence[CapturedGroup]]  # by dimension
    issued_by_region: Mapping[str, int]


def rate_bp(part: int, whole: int) -> int | None:
    """``part`` / ``whole`` in basis points, rounded half up (None when nothing was issued)."""
    return None if whole <= 0 else (part * 20_000 + whole) // (2 * whole)


def _label(dimension: str, key: str, lang: str, names: Mapping[int, str]) -> str:
    if dimension == "category":
        return gettext(lang, f"voucher_settlement.category.{key}") if key else "—"
    if dimension == "region":
        zh, en = REGIONS.get(key) or REGIONS.get(region_code(key), (key, key))
        name = zh if language_of(lang) == "zh" else en
        return name if key == region_code(key) else f"{name} {key}"
    return names.get(int(key), key) if key.isdigit() else key


async def _provider_names(keys: Iterable[str]) -> dict[int, str]:
    ids = sorted({int(k) for k in keys if k.isdigit()})
    return {o.id: o.name for o in await org_service.public_orgs(ids)} if ids else {}


def _groups(
    dimension: str, *, captured: Sequence[CapturedGroup], paid: Sequence[PaidGroup], timing: Sequence[Timing],
    issued: Mapping[str, int], currency: str, lang: str, names: Mapping[int, str],
) -> list[GroupOut]:
    by_captured = {g.key: g for g in captured}
    by_paid = {g.key: g for g in paid}
    by_time = {t.key: t for t in timing}
    total_captured = sum(g.captured_minor for g in captured)
    keys = sorted(set(by_captured) | set(by_paid) | (set(issued) if dimension == "region" else set()),
                  key=lambda k: -(by_captured[k].captured_minor if k in by_captured else 0))  # fmt: skip
    out = []
    for key in keys:
        c, p, t = by_captured.get(key), by_paid.get(key), by_time.get(key)
        amount = c.captured_minor if c else 0
        given = issued.get(key, 0) if dimension == "region" else None
        out.append(GroupOut(
            key=key, label=_label(dimension, key, lang, names), claims_captured=c.claims if c else 0,
            captured=MoneyOut(minor=amount, currency=currency),
            issued=MoneyOut(minor=given, currency=currency) if given is not None else None,
            redemption_rate_bp=rate_bp(amount, given) if given is not None else rate_bp(amount, total_captured),
            payouts=p.payouts if p else 0, paid=MoneyOut(minor=p.paid_minor if p else 0, currency=currency),
            p50_days=t.p50_days if t else None, p90_days=t.p90_days if t else None,
        ))  # fmt: skip
    return out


async def build(inputs: ReportInputs, *, lang: str) -> ReportOut:
    """The report from the other modules' aggregates and this module's payouts."""
    pid, cur = inputs.programme_id, inputs.currency
    stats = await repository.payout_stats(pid)
    paid = {d: [PaidGroup(key=s.key, payouts=s.payouts, paid_minor=s.paid_minor) for s in stats if s.dimension == d]
            for d in DIMENSIONS}  # fmt: skip
    timing = {d: [Timing(key=s.key, payouts=s.payouts, p50_days=s.p50_days, p90_days=s.p90_days)
                  for s in stats if s.dimension == d] for d in (*DIMENSIONS, "all")}  # fmt: skip
    overall = timing["all"]
    names = await _provider_names([g.key for g in inputs.captured.get("provider", ())] +
                                  [g.key for g in paid["provider"]])  # fmt: skip
    groups = {
        d: _groups(d, captured=inputs.captured.get(d, ()), paid=paid[d], timing=timing[d],
                   issued=inputs.issued_by_region, currency=cur, lang=lang, names=names)
        for d in DIMENSIONS
    }  # fmt: skip
    captured = sum(g.captured_minor for g in inputs.captured.get("category", ()))
    return ReportOut(
        programme_id=pid, programme_name=inputs.programme_name, currency=cur,
        budget=MoneyOut(minor=inputs.budget_minor, currency=cur) if inputs.budget_minor is not None else None,
        committed=MoneyOut(minor=inputs.committed_minor, currency=cur),
        captured=MoneyOut(minor=captured, currency=cur),
        paid=MoneyOut(minor=sum(g.paid_minor for g in paid["category"]), currency=cur),
        redemption_rate_bp=rate_bp(captured, inputs.committed_minor),
        claims_captured=sum(g.claims for g in inputs.captured.get("category", ())),
        payouts=sum(g.payouts for g in paid["category"]),
        p50_days=overall[0].p50_days if overall else None, p90_days=overall[0].p90_days if overall else None,
        by_category=groups["category"], by_region=groups["region"], by_provider=groups["provider"],
    )  # fmt: skip


def _pct(bp: int | None) -> str:
    return "" if bp is None else f"{bp // 100}.{bp % 100:02d}"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def to_csv(report: ReportOut) -> bytes:
    """The report as CSV (UTF-8 with BOM, CRLF, amounts in yuan with two decimals, rates in percent with two): the
    programme's row first, then each group of each dimension."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(("programme", str(report.programme_id), report.programme_name, report.claims_captured,
                     yuan(report.captured.minor), yuan(report.committed.minor), _pct(report.redemption_rate_bp),
                     report.payouts, yuan(report.paid.minor), _days(report.p50_days), _days(report.p90_days)))
    for dimension, groups in (("category", report.by_category), ("region", report.by_region),
                              ("provider", report.by_provider)):  # fmt: skip
        for g in groups:
            writer.writerow((dimension, g.key, g.label, g.claims_captured, yuan(g.captured.minor),
                             yuan(g.issued.minor) if g.issued else "", _pct(g.redemption_rate_bp), g.payouts,
                             yuan(g.paid.minor), _days(g.p50_days), _days(g.p90_days)))  # fmt: skip
    return (BOM + out.getvalue()).encode("utf-8")


async def issued_by_region(programme_id: int) -> tuple[int, dict[str, int]]:
    """What the programme granted in all, and by its holders' region (a few thousand holders at most)."""
    granted = await entitlements.granted_by_holder(programme_id)
    regions = {o.id: o.region for o in await org_service.public_orgs(sorted({g.holder for g in granted}))}
    by_region: dict[str, int] = {}
    for g in granted:
        key = regions.get(g.holder, "")
        by_region[key] = by_region.get(key, 0) + g.granted_minor
    return sum(g.granted_minor for g in granted), by_region


async def inputs_for(programme_id: int) -> ReportInputs:
    """The other modules' aggregates of a programme (its version in force for the name, budget and currency)."""
    found = await programmes.programme(programme_id)
    committed, by_region = await issued_by_region(programme_id)
    captured = await redemptions.captured_by(programme_id)
    return ReportInputs(programme_id=found.id, programme_name=found.name_zh, currency=found.currency,
                        budget_minor=found.terms.budget_minor, committed_minor=committed, captured=captured,
                        issued_by_region=by_region)  # fmt: skip


async def report_for(*, principal: Principal, programme_id: int, lang: str) -> ReportOut:
    """The report of one of the principal's issuer's programmes (another's: 404)."""
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher_settlement.issuer_only"))
    await programmes.issuer_programme(principal=principal, programme_id=programme_id)
    return await build(await inputs_for(programme_id), lang=lang)


async def programmes_to_report(*, principal: Principal) -> list[tuple[int, str]]:
    """The issuer's programmes (id, name), for the report page's choice."""
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher_settlement.issuer_only"))
    return [(p.id, p.name_zh) for p in await programmes.programmes_of_issuer(principal.org_id)]
