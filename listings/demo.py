"""Demo listings for `market seed --demo`: at least 2,000 published open licences over the demo universities.

With the real records beside the project (``../shared/data``), the patents are real Chinese patents still in force
(CNKI lists: granted inventions, utility models and designs), each assigned to a demo university and labelled so in
its ``source``: the original applicant is named there, and its IPC code, which those lists lack, is inferred from
title keywords (also said there). Without them, a generator of our own makes patents labelled as generated.
The facts a declaration needs (fees paid, evaluation report for utility models and designs) are set for the demo,
and every declaration goes through the same service and legal checks as a university's own.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pricing
from listings.advice.service import engine_for
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.patents import service as patent_service
from listings.patents.lifetimes import remaining_years
from listings.patents.numbers import check_digit
from listings.patents.schemas import PatentIn
from listings.patents.service import record_values, today
from market.accounts import service as accounts
from market.errors import MarketError
from market.jobs import unit_of_work
from market.kit.law import ROYALTY_CAP_BP, PatentKind
from market.kit.money import Money
from market.orgs import service as org_service
from market.orgs.records import OrgWithOwnerRecord

DEMO_MARK = "（演示）"  # words: data
SOURCE_REAL = (
    "demo: real record from CNKI (applicant {applicant}), assigned to a demo university; IPC inferred from title"
)
SOURCE_GENERATED = "demo: generated record (not a real patent)"

# Title keyword -> an IPC code of that technology (the CNKI lists have no IPC; for the demo only).
KEYWORD_IPC: tuple[tuple[str, str], ...] = (  # words: data
    ("液晶", "G02F 1/1333"), ("显示", "G09G 3/36"), ("面板", "G09F 9/30"), ("电视", "H04N 5/64"),
    ("摄像", "H04N 23/50"), ("图像", "G06T 7/00"), ("手机", "H04M 1/02"), ("天线", "H01Q 1/24"),
    ("通信", "H04W 72/04"), ("数据", "G06F 16/00"), ("芯片", "H01L 23/00"), ("半导体", "H01L 21/00"),
    ("电路", "H05K 1/02"), ("电源", "H02M 3/00"), ("充电", "H02J 7/00"), ("锂", "H01M 10/0525"),
    ("电池", "H01M 10/00"), ("电机", "H02K 1/00"), ("变压器", "H01F 27/00"), ("开关", "H01H 13/00"),
    ("连接器", "H01R 13/00"), ("插座", "H01R 13/00"), ("LED", "F21V 19/00"), ("照明", "F21V 23/00"),
    ("灯", "F21S 8/00"), ("空调", "F24F 11/00"), ("冰箱", "F25D 11/00"), ("制冷", "F25B 1/00"),
    ("压缩机", "F04B 39/00"), ("风扇", "F04D 25/08"), ("风机", "F04D 29/00"), ("洗衣机", "D06F 37/00"),
    ("锅", "A47J 27/00"), ("净化", "B01D 46/00"), ("过滤", "B01D 35/00"), ("玻璃", "C03B 18/00"),
    ("合金", "C22C 21/00"), ("钢", "C21D 8/00"), ("材料", "C08L 23/00"), ("化合物", "C07D 401/00"),
    ("药", "A61K 31/00"), ("检测", "G01N 21/00"), ("测试", "G01R 31/00"), ("传感", "G01D 5/00"),
    ("控制", "G05B 19/00"), ("遥控", "G08C 17/02"), ("音频", "H04R 1/00"), ("耳机", "H04R 1/10"),
    ("包装", "B65D 81/00"), ("模具", "B29C 45/00"), ("印刷", "B41J 2/00"), ("焊接", "B23K 37/00"),
    ("切割", "B26D 1/00"), ("车", "B60R 16/00"), ("泵", "F04B 53/00"), ("阀", "F16K 31/00"),
    ("轴承", "F16C 33/00"), ("齿轮", "F16H 55/00"), ("油", "C10M 169/00"), ("纸", "D21H 27/00"),
)  # fmt: skip

GENERATED_TOPICS: tuple[tuple[str, str, str], ...] = (  # words: data
    ("图像识别", "image recognition", "G06V 10/82"), ("污水处理", "wastewater treatment", "C02F 3/00"),
    ("锂离子电池", "lithium-ion battery", "H01M 10/0525"), ("无人机", "unmanned aerial vehicle", "B64C 39/02"),
    ("中药提取", "herbal extraction", "A61K 36/00"), ("智能传感", "smart sensing", "G01D 5/00"),
    ("土壤修复", "soil remediation", "B09C 1/00"), ("轴承润滑", "bearing lubrication", "F16C 33/66"),
    ("语音识别", "speech recognition", "G10L 15/00"), ("光伏组件", "photovoltaic module", "H02S 20/00"),
    ("合金材料", "alloy material", "C22C 21/00"), ("数据加密", "data encryption", "H04L 9/00"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoPatent:
    data: PatentIn
    source: str


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the project (or beside the working directory), where the real records live."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd().resolve().parent):
        candidate = base / "shared" / "data"
        if (candidate / "cn_cnki_company_patent_lists.csv").exists():
            return candidate
    return None


def ipc_from_title(title: str) -> list[str]:
    return next(([code] for word, code in KEYWORD_IPC if word in title), [])


def _in_force(data: PatentIn, on: date) -> bool:
    """Granted and with at least a year left: a listing about to expire makes a poor demo."""
    values = record_values(data, on=on)
    expiry = values["expiry_date"]
    return values["legal_status"] == "granted" and expiry is not None and expiry > on + timedelta(days=366)


def real_patents(shared: Path, on: date) -> Iterator[DemoPatent]:
    """Granted, unexpired CNKI records (kind codes B, U, S), as demo university patents."""
    with (shared / "cn_cnki_company_patent_lists.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            number = row["publication_number"]
            if not number.endswith(("B", "U", "S")):
                continue
            try:
                data = PatentIn(
                    number=number,
                    title_zh=row["title"],
                    inventors=row["inventors"],
                    filing_date=row["application_date"],
                    publication_date=row["publication_date"],
                    grant_date=row["publication_date"],
                    ipc_codes=ipc_from_title(row["title"]),
                )
                if not _in_force(data, on):
                    continue
            except (ValueError, MarketError):
                continue
            applicant = row["applicants"].split(";")[0]
            yield DemoPatent(data, SOURCE_REAL.format(applicant=applicant)[:200])


def generated_patents(count: int, on: date, rng: random.Random) -> Iterator[DemoPatent]:
    """Patents of our own making, with valid numbers and check digits, labelled as generated."""
    for n in range(count):
        zh, en, ipc = GENERATED_TOPICS[n % len(GENERATED_TOPICS)]
        kind_digit = rng.choice("11223")  # inventions, utility models and designs
        filed = on - timedelta(days=rng.randint(400, 2800))
        digits = f"{filed.year}{kind_digit}{1_000_000 + n:07d}"
        variant = ("一种", "基于", "用于")[n % 3]  # words: data
        data = PatentIn(  # words: data
            number=f"{digits}.{check_digit(digits)}",
            title_zh=f"{variant}{zh}的装置及方法（生成 #{n + 1}）",
            title_en=f"Device and method for {en} (generated #{n + 1})",
            abstract=f"本发明（演示生成数据）涉及{zh}领域，提供一种结构简单、成本较低的实现方式。",
            filing_date=filed,
            grant_date=filed + timedelta(days=365),
            ipc_codes=[] if kind_digit == "3" else [ipc],  # designs are classified under Locarno, not IPC
        )
        yield DemoPatent(data, SOURCE_GENERATED)


async def seed_sme_patents(*, count: int = 4, seed: int = 2026) -> int:
    """Patents of the demo SMEs (generated, labelled so, the SME as patentee), for the pledge-loan demo: most in force
    with fees paid, one with its annual fees unpaid so that a pre-check refuses it. Once: a second run adds none."""
    on = today()
    made = 0
    for sme in await org_service.orgs_with_owner("sme"):
        if not sme.name.endswith(DEMO_MARK) or await patent_service.count_for_org(sme.id):
            continue
        rng = random.Random(f"{seed}-{sme.id}")
        rows = []
        for n, item in enumerate(generated_patents(count, on, rng)):
            unpaid = n == count - 1  # Patent Law Art 44: a patent lapses when its annual fee is not paid
            paid_through = on - timedelta(days=40) if unpaid else on.replace(year=on.year + 1)
            rows.append(_demo_row(item, sme.id, sme.name, n, paid_through, rng, on))
        async with unit_of_work():
            made += len(await patent_service.insert_patents(rows))
    return made


async def demo_universities() -> list[OrgWithOwnerRecord]:
    """The demo universities, each with its owner (who declares)."""
    rows = await org_service.orgs_with_owner("university")
    return [u for u in rows if u.name.endswith(DEMO_MARK)]


def _terms(rng: random.Random, row: dict[str, Any], data_dir: Path, on: date) -> TermsIn:
    """Varied terms around the pricing suggestion for the patent: some below, most within, some above the band."""
    engine = engine_for(str(data_dir))
    years = remaining_years(row["expiry_date"], on)
    facts = pricing.PatentFacts(
        kind=PatentKind(row["kind"]),
        ipc_codes=tuple(row["ipc_codes"]),
        remaining_years=years,
        claims_count=row["claims_count"] or 5,
    )
    sales = pricing.LicenseeFacts(Money("CNY", rng.choice([50, 200, 1000, 5000]) * 1_000_000))
    suggestion = engine.suggest(facts, sales)
    spread = Decimal(rng.choice(["0.6", "0.9", "1.0", "1.0", "1.1", "1.5"]))
    rate_bp = max(10, min(ROYALTY_CAP_BP, int(suggestion.running_royalty.mid * spread * 100)))
    term = rng.choice([None, None, 3, 5]) if years > 5 else None
    mode = rng.choice(["lump_sum", "lump_sum", "running_royalty", "entry_plus_royalty"])
    if mode == "lump_sum":
        base = suggestion.lump_sum.mid.minor if suggestion.lump_sum else 5_000_000
        amount = 0 if rng.random() < 0.1 else min(2_000_000_000, int(base * spread) // 100 * 100)
        return TermsIn(payment_mode="lump_sum", lump_sum_minor=amount, term_years=term)
    if mode == "running_royalty":
        return TermsIn(payment_mode="running_royalty", royalty_rate_bp=rate_bp, term_years=term)
    entry = suggestion.entry_plus_royalty.entry_fee
    fee = max(100_000, min(2_000_000_000, int((entry.mid.minor if entry else 2_000_000) * spread) // 100 * 100))
    return TermsIn(
        payment_mode="entry_plus_royalty",
        entry_fee_minor=fee,
        royalty_rate_bp=max(10, rate_bp * 7 // 10),
        term_years=term,
    )


async def seed_listings(*, data_dir: Path, target: int = 2400, seed: int = 2026) -> dict[str, Any]:
    """Create and publish the demo listings once; a second run finds them and changes nothing."""
    universities = await demo_universities()
    if not universities:
        return {"created": 0, "published": 0, "origin": "none", "note": "no demo universities"}
    existing = sum([await patent_service.count_for_org(u.id) for u in universities])
    if existing:  # already seeded: say how many listings are published (not how many patents exist)
        published = sum(
            [(await declarations.of_org(u.id, status="published", limit=1, offset=0))[1] for u in universities]
        )
        return {"created": 0, "published": published, "origin": "existing", "note": "already seeded"}
    rng = random.Random(seed)
    on = today()
    shared = shared_data_dir()
    records = list(real_patents(shared, on)) if shared else []
    rng.shuffle(records)
    records = records[:target]
    real = len(records)
    if real < target:
        records += list(generated_patents(target - real, on, rng))
    origin = ", ".join(
        part
        for part in (
            f"{real} real records (CNKI) assigned to demo universities" if real else "",
            f"{len(records) - real} generated records" if len(records) > real else "",
        )
        if part
    )
    published = 0
    for index, university in enumerate(universities):
        mine = records[index :: len(universities)]
        published += await _seed_university(university, mine, rng, data_dir, on)
    return {"created": len(records), "published": published, "origin": origin}


def _demo_row(
    item: DemoPatent, org_id: int, org_name: str, n: int, paid_through: date, rng: random.Random, on: date
) -> dict[str, Any]:
    """The stored row of a demo patent of ``org_id`` (its patentee), with the facts a declaration or a pledge needs:
    annual fees paid through ``paid_through``, an evaluation report for utility models and designs."""
    values = record_values(item.data, on=on)
    values.update(  # words: data
        {
            "organisation": org_id,
            "source": item.source,
            "patentees": [org_name],
            "annual_fees_paid_through": paid_through,
            "claims_count": values["claims_count"] or rng.randint(3, 15),
            "evaluation_report_ref": "" if values["kind"] == "invention" else f"演示评价报告-{org_id}-{n + 1}",
            "other_fee_reduction_pct": 0,
        }
    )
    return values


async def _seed_university(
    university: OrgWithOwnerRecord, mine: list[DemoPatent], rng: random.Random, data_dir: Path, on: date
) -> int:
    paid_through = on.replace(year=on.year + 1)
    rows = []
    for n, item in enumerate(mine):
        rows.append(_demo_row(item, university.id, university.name, n, paid_through, rng, on))
    async with unit_of_work():
        ids = await patent_service.insert_patents(rows)
    principal = await accounts.principal_for(user_id=university.owner_id, org_id=university.id)
    assert principal is not None
    published = 0
    groups: dict[str, list[int]] = {}
    terms_of: dict[str, TermsIn] = {}
    for patent_id, row in zip(ids, rows, strict=True):
        terms = _terms(rng, {**row, "id": patent_id}, data_dir, on)
        key = terms.model_dump_json()
        groups.setdefault(key, []).append(patent_id)
        terms_of[key] = terms
    for key, patent_ids in groups.items():
        for start in range(0, len(patent_ids), 200):
            async with unit_of_work():
                report = await declarations.declare(
                    principal=principal, data=DeclareIn(patent_ids=patent_ids[start : start + 200], terms=terms_of[key])
                )
            published += report.published
    return published
