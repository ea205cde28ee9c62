"""Handcrafted listings and a plain-Python reference of filters and facet counts, against which every search
engine is checked."""

from __future__ import annotations

from collections import Counter
from datetime import date

from market.integrations.search import NumericRange, SearchDocument, SearchQuery
from market.integrations.search.analysis import normalise_facet_value

# ----------------------------------------------------------------------------------------------- handcrafted data


def _doc(doc_id: str, title_zh: str, title_en: str, **kw: object) -> SearchDocument:
    base: dict[str, object] = {
        "id": doc_id,
        "patent_number": f"CN1{int(doc_id[1:]):08d}A",
        "title_zh": title_zh,
        "title_en": title_en,
        "kind": "invention",
        "patentee": "浙江大学",
        "university_org_id": 101,
        "region": "330000",
        "payment_mode": "lump_sum",
        "price_band": "<10万",
    }
    base.update(kw)
    return SearchDocument.model_validate(base)


LONG_ABSTRACT = (
    "The invention relates to the field of industrial equipment. " * 6
    + "A gasket made of graphite is pressed between two flanges so that the valve stays tight. "
    + "Further embodiments are described. " * 4
)


def handcrafted() -> list[SearchDocument]:
    """Seventeen listings, each built for a test below; prices, remaining years and dates are all distinct so
    every sort has exactly one right order."""
    return [
        _doc(
            "h01",
            "一种待处理数据的缓存方法",
            "Caching method for pending data",
            tech_fields=["Computer technology"],
            industries=["I65"],
            price_minor=5_000_000,
            remaining_years=12.5,
            publication_date=date(2019, 3, 1),
            ipc_codes=["G06F 12/0802"],
        ),
        _doc(
            "h02",
            "图像处理装置及方法",
            "Image processing device and method",
            kind="utility_model",
            tech_fields=["Optics"],
            industries=["C39"],
            region="440000",
            payment_mode="running_royalty",
            price_band="10-50万",
            price_minor=20_000_000,
            royalty_rate_bp=300,
            remaining_years=6.0,
            publication_date=date(2016, 5, 10),
            patentee="清华大学",
            university_org_id=102,
        ),
        _doc(
            "h03",
            "基于神经网络的语音识别系统",
            "Speech recognition system based on a neural network",
            tech_fields=["Computer technology", "Audio-visual technology"],
            industries=["I65"],
            region="110000",
            payment_mode="entry_plus_royalty",
            price_band="50-100万",
            price_minor=60_000_000,
            royalty_rate_bp=150,
            remaining_years=15.0,
            publication_date=date(2021, 8, 20),
            patentee="清华大学",
            university_org_id=102,
        ),
        _doc(
            "h04",
            "锂离子电池正极材料的制备方法",
            "Preparation method of cathode material for lithium ion batteries",
            tech_fields=["Materials, metallurgy"],
            industries=["C38"],
            price_band="10-50万",
            price_minor=30_000_000,
            remaining_years=9.0,
            publication_date=date(2018, 11, 11),
        ),
        _doc(
            "h05",
            "LED显示屏的驱动电路",
            "Driving circuit for an LED display screen",
            kind="utility_model",
            tech_fields=["Electrical machinery, apparatus, energy"],
            industries=["C39"],
            region="440000",
            price_minor=8_000_000,
            remaining_years=3.0,
            publication_date=date(2015, 2, 2),
            patentee="华南理工大学",
            university_org_id=103,
        ),
        _doc(
            "h06",
            "污水处理用的生物反应器",
            "Bioreactor for wastewater treatment",
            tech_fields=["Environmental technology"],
            industries=["N77"],
            region="320000",
            payment_mode="running_royalty",
            price_band="10-50万",
            price_minor=15_000_000,
            royalty_rate_bp=500,
            remaining_years=11.0,
            publication_date=date(2020, 6, 30),
            patentee="南京大学",
            university_org_id=104,
        ),
        _doc(
            "h07",
            "手持式扫描仪",
            "Handheld scanner",
            kind="design",
            tech_fields=["Measurement"],
            industries=["C40"],
            region="440000",
            price_minor=2_000_000,
            remaining_years=8.0,
            publication_date=date(2022, 1, 15),
            patentee="华南理工大学",
            university_org_id=103,
        ),
        _doc(
            "h08",
            "基于注意力机制的机器翻译方法",
            "Machine translation with attention",
            tech_fields=["Computer technology"],
            industries=["I65"],
            region="110000",
            payment_mode="entry_plus_royalty",
            price_band=">100万",
            price_minor=150_000_000,
            royalty_rate_bp=200,
            remaining_years=17.5,
            publication_date=date(2023, 4, 1),
            patentee="北京大学",
            university_org_id=105,
        ),
        _doc(
            "h09",
            "无人机电池快速更换装置",
            "Quick battery replacement device for drones",
            kind="utility_model",
            tech_fields=["Transport"],
            industries=["C37"],
            region="320000",
            price_band="10-50万",
            price_minor=25_000_000,
            remaining_years=7.0,
            publication_date=date(2019, 9, 9),
            patentee="南京大学",
            university_org_id=104,
        ),
        _doc(
            "h10",
            "高压泵用阀门密封件",
            'Valve <seal> & gasket for "high" pressure pumps',
            abstract_en=LONG_ABSTRACT,
            tech_fields=["Mechanical elements"],
            industries=["C34"],
            payment_mode="running_royalty",
            price_minor=6_000_000,
            royalty_rate_bp=250,
            remaining_years=4.5,
            publication_date=date(2017, 7, 7),
        ),
        _doc(
            "h11",
            "温度传感器",
            "Temperature sensor",
            tech_fields=["Measurement"],
            industries=["C40"],
            price_minor=1_100_000,
            remaining_years=1.5,
            publication_date=date(2011, 1, 1),
        ),
        _doc(
            "h12",
            "湿度传感器",
            "Humidity sensor",
            tech_fields=["Measurement"],
            industries=["C40"],
            price_minor=1_200_000,
            remaining_years=2.5,
            publication_date=date(2012, 1, 1),
        ),
        _doc(
            "h13",
            "压力传感器",
            "Pressure sensor",
            tech_fields=["Measurement"],
            industries=["C40"],
            region="310000",
            price_minor=1_300_000,
            remaining_years=3.5,
            publication_date=date(2013, 1, 1),
        ),
        _doc(
            "h14",
            "气体传感器",
            "Gas sensor",
            tech_fields=["Measurement"],
            industries=["C40"],
            region="310000",
            price_minor=1_400_000,
            remaining_years=5.5,
            publication_date=date(2014, 1, 1),
        ),
        _doc(
            "h15",
            "光纤传感器",
            "Optical fibre sensor",
            tech_fields=["Measurement", "Optics"],
            industries=["C40"],
            region="310000",
            price_minor=1_500_000,
            remaining_years=10.5,
            publication_date=date(2010, 1, 1),
        ),
        _doc(
            "h16",
            "",
            "Autonomous drone landing gear",
            tech_fields=["Transport"],
            industries=["C37"],
            region="510000",
            price_minor=3_300_000,
            remaining_years=13.5,
            publication_date=date(2016, 9, 9),
        ),
        _doc(
            "h17",
            "石墨烯导热膜",
            "",
            tech_fields=["Materials, metallurgy"],
            industries=["C26"],
            region="510000",
            price_minor=4_400_000,
            remaining_years=16.5,
            publication_date=date(2018, 2, 2),
        ),
    ]


# ------------------------------------------------------------------------------------ reference implementation


def ref_filter(doc: SearchDocument, filters: dict[str, list[str]], ranges: dict[str, NumericRange]) -> bool:
    for facet, values in filters.items():
        wanted = {normalise_facet_value(v) for v in values}
        if not wanted & {normalise_facet_value(v) for v in doc.facet_values(facet)}:
            return False
    for field, bounds in ranges.items():
        value = getattr(doc, field)
        if value is None:
            return False
        if bounds.gte is not None and value < bounds.gte:
            return False
        if bounds.lte is not None and value > bounds.lte:
            return False
    return True


def ref_ids(docs: list[SearchDocument], query: SearchQuery, text_ids: set[str] | None = None) -> set[str]:
    """Ids matching the query's filters (and, when given, the ids its text matches)."""
    return {
        d.id
        for d in docs
        if (text_ids is None or d.id in text_ids) and ref_filter(d, dict(query.filters), dict(query.ranges))
    }


def ref_facets(
    docs: list[SearchDocument], query: SearchQuery, text_ids: set[str] | None = None
) -> dict[str, dict[str, int]]:
    """Disjunctive facet counts: each facet counted with every filter except its own."""
    out: dict[str, dict[str, int]] = {}
    for facet in query.facets:
        others = {k: v for k, v in query.filters.items() if k != facet}
        counts: Counter[str] = Counter()
        for d in docs:
            if (text_ids is None or d.id in text_ids) and ref_filter(d, others, dict(query.ranges)):
                counts.update(set(d.facet_values(facet)))
        out[facet] = dict(counts)
    return out
