"""The issuer's report on both databases: payouts grouped by category, region and provider, the days from claim to
payment as nearest-rank percentiles computed by the database, the redemption rate against hand-computed values,
and the CSV's layout."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from finance.voucher_redemptions.records import CapturedGroup
from finance.voucher_settlements import reports
from finance.voucher_settlements import service as settlements
from finance.voucher_settlements.reports import ReportInputs
from market.audit.service import Actor
from market.jobs import unit_of_work
from tests.finance.voucher_settlement_support import claim, issuer, payee, programme


async def _paid(days: list[int]) -> tuple[Any, Any, Any]:
    """A paid batch of one university's claims, filed ``days`` ago each (so paid that many days after)."""
    owner = await issuer()
    uni = await payee("university")
    other = await payee("service_provider")
    claims = [await claim(uni.org_id, 10_000 * (n + 1), category="tech_results", region="330100", days_ago=d)
              for n, d in enumerate(days)]  # fmt: skip
    claims.append(await claim(other.org_id, 5_000, category="testing", region="320500", days_ago=3))
    actor = Actor(owner.maker.user_id, owner.maker.org_id)
    async with unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(), claims=claims,
                                          actor=actor)  # fmt: skip
    async with unit_of_work():
        await settlements.propose(principal=owner.maker, batch_id=made.id, expected_version=0)
    shown = await settlements.get_batch(principal=owner.maker, batch_id=made.id)
    async with unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=made.id, proposal_id=shown.pending_proposal_id or 0,
                                  expected_version=shown.version)  # fmt: skip
    async with unit_of_work():
        await settlements.record_paid(principal=owner.maker, batch_id=made.id, paid_on=date.today(), reference="R1",
                                      expected_version=shown.version + 1)  # fmt: skip
    return owner, uni, other


async def test_the_report_groups_payouts_and_times_them_in_the_database(backend: Any) -> None:
    days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 40]  # nearest rank: p50 the 5th (5 days), p90 the 9th (9 days)
    _, uni, other = await _paid(days)
    inputs = ReportInputs(
        programme_id=7, programme_name="测试项目", currency="CNY", budget_minor=10_000_000, committed_minor=2_000_000,
        captured={
            "category": [CapturedGroup("tech_results", 10, 550_000), CapturedGroup("testing", 1, 5_000)],
            "region": [CapturedGroup("330100", 10, 550_000), CapturedGroup("320500", 1, 5_000)],
            "provider": [CapturedGroup(str(uni.org_id), 10, 550_000), CapturedGroup(str(other.org_id), 1, 5_000)],
        },
        issued_by_region={"330100": 1_500_000, "320500": 500_000, "110000": 0},
    )  # fmt: skip
    report = await reports.build(inputs, lang="zh")
    assert (report.captured.minor, report.paid.minor, report.claims_captured, report.payouts) == (555_000, 555_000,
                                                                                                    11, 11)
    assert report.redemption_rate_bp == 2775  # 555,000 / 2,000,000
    assert (report.p50_days, report.p90_days) == (5.0, 9.0)  # 11 payouts: 3,1,2,...; the 6th and the 10th
    tech = next(g for g in report.by_category if g.key == "tech_results")
    assert (tech.payouts, tech.paid.minor, tech.p50_days, tech.p90_days) == (10, 550_000, 5.0, 9.0)
    assert tech.label == "科技成果购买" and tech.redemption_rate_bp == 9910  # share of what was captured
    hangzhou = next(g for g in report.by_region if g.key == "330100")
    assert hangzhou.issued and hangzhou.issued.minor == 1_500_000 and hangzhou.redemption_rate_bp == 3667
    assert hangzhou.label == "浙江省 330100"
    assert next(g for g in report.by_region if g.key == "110000").redemption_rate_bp is None  # nothing issued
    provider = next(g for g in report.by_provider if g.key == str(other.org_id))
    assert (provider.label, provider.paid.minor, provider.p50_days) == (other.org_name, 5_000, 3.0)
    rows = list(csv.reader(io.StringIO(reports.to_csv(report).decode("utf-8-sig"))))
    assert rows[0] == list(reports.CSV_COLUMNS)
    assert rows[1] == ["programme", "7", "测试项目", "11", "5550.00", "20000.00", "27.75", "11", "5550.00", "5", "9"]
    assert ["category", "testing", "检验检测", "1", "50.00", "", "0.90", "1", "50.00", "3", "3"] in rows
    assert len(rows) == 1 + 1 + 2 + 3 + 2


def test_rates_round_half_up_and_need_something_issued() -> None:
    assert reports.rate_bp(1, 3) == 3333 and reports.rate_bp(2, 3) == 6667 and reports.rate_bp(5, 0) is None
