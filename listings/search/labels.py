"""What a facet value means to a reader, in Chinese and English: search tables keyed by value (data, marked so).
The index stores stable codes (``f13`` for WIPO field 13, ``MEDICAL_DEVICES``, ``330000``, ``under_10k``); the API and
the pages show these names beside them."""

from __future__ import annotations

from functools import lru_cache

from pricing import load_field_industry_map, load_royalty_table

FIELD_PREFIX = "f"
WIPO_FIELDS = range(1, 36)

KINDS = {  # words: data
    "invention": ("发明", "Invention"),
    "utility_model": ("实用新型", "Utility model"),
    "design": ("外观设计", "Design"),
}
PAYMENT_MODES = {  # words: data
    "lump_sum": ("一次性付费", "Lump sum"),
    "running_royalty": ("按销售额提成", "Running royalty"),
    "entry_plus_royalty": ("入门费加提成", "Entry fee plus royalty"),
}
# Price bands of what is paid up front (a lump sum or an entry fee), in CNY; codes are stable, bounds in fen.
PRICE_BANDS: tuple[tuple[str, int | None, str, str], ...] = (  # words: data
    ("under_10k", 1_000_000, "1万元以下", "Under CNY 10,000"),
    ("10k_100k", 10_000_000, "1万–10万元", "CNY 10,000–100,000"),
    ("100k_500k", 50_000_000, "10万–50万元", "CNY 100,000–500,000"),
    ("500k_1m", 100_000_000, "50万–100万元", "CNY 500,000–1 million"),
    ("over_1m", None, "100万元以上", "Over CNY 1 million"),
)
FREE_BAND = ("free", "免费许可", "Royalty-free")  # words: data
ROYALTY_ONLY_BAND = ("royalty_only", "仅按销售额提成（无首付）", "Royalty only (nothing up front)")  # words: data
IPC_SECTIONS = {  # words: data
    "A": ("A 部：人类生活必需", "A: Human necessities"),
    "B": ("B 部：作业、运输", "B: Operations, transport"),
    "C": ("C 部：化学、冶金", "C: Chemistry, metallurgy"),
    "D": ("D 部：纺织、造纸", "D: Textiles, paper"),
    "E": ("E 部：固定建筑物", "E: Fixed constructions"),
    "F": ("F 部：机械工程、照明、加热、武器、爆破", "F: Mechanical engineering, lighting, heating, weapons"),
    "G": ("G 部：物理", "G: Physics"),
    "H": ("H 部：电学", "H: Electricity"),
}
REGIONS = {  # words: data
    "110000": ("北京市", "Beijing"), "120000": ("天津市", "Tianjin"), "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"), "150000": ("内蒙古自治区", "Inner Mongolia"), "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"), "230000": ("黑龙江省", "Heilongjiang"), "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"), "330000": ("浙江省", "Zhejiang"), "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"), "360000": ("江西省", "Jiangxi"), "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"), "420000": ("湖北省", "Hubei"), "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"), "450000": ("广西壮族自治区", "Guangxi"), "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"), "510000": ("四川省", "Sichuan"), "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"), "540000": ("西藏自治区", "Tibet"), "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"), "630000": ("青海省", "Qinghai"), "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"), "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"), "820000": ("澳门特别行政区", "Macao"),
}  # fmt: skip


def field_code(number: int) -> str:
    return f"{FIELD_PREFIX}{number}"


def field_number(code: str) -> int | None:
    if code.startswith(FIELD_PREFIX) and code[1:].isdigit() and int(code[1:]) in WIPO_FIELDS:
        return int(code[1:])
    return None


@lru_cache(maxsize=1)
def field_names() -> dict[int, tuple[str, str]]:
    """WIPO field number -> (Chinese, English) name, for the 35 fields."""
    mapping = load_field_industry_map()
    return {n: (ref.name_zh, ref.name_en) for n in WIPO_FIELDS for ref in [mapping.field_ref(n)]}


@lru_cache(maxsize=1)
def industry_names() -> dict[str, tuple[str, str]]:
    """Industry code of the royalty data -> (Chinese, English) name (the first row naming it)."""
    out: dict[str, tuple[str, str]] = {}
    for row in load_royalty_table().rows:
        out.setdefault(row.industry_code, (row.industry_name_zh, row.industry_name_en))
    return out


def region_code(value: str) -> str:
    """A region as indexed: the province-level code (``330106`` -> ``330000``); other values as given."""
    value = value.strip()
    if len(value) == 6 and value.isdigit():
        return value[:2] + "0000"
    return value


def price_band(payment_mode: str, upfront_minor: int) -> str:
    if payment_mode == "running_royalty":
        return ROYALTY_ONLY_BAND[0]
    if upfront_minor == 0:
        return FREE_BAND[0]
    for code, below, _, _ in PRICE_BANDS:
        if below is None or upfront_minor < below:
            return code
    return PRICE_BANDS[-1][0]


def _price_band_names() -> dict[str, tuple[str, str]]:
    names = {code: (zh, en) for code, _, zh, en in PRICE_BANDS}
    names[FREE_BAND[0]] = FREE_BAND[1:]
    names[ROYALTY_ONLY_BAND[0]] = ROYALTY_ONLY_BAND[1:]
    return names


PRICE_BAND_NAMES = _price_band_names()
PRICE_BAND_ORDER = [FREE_BAND[0], *(c for c, *_ in PRICE_BANDS), ROYALTY_ONLY_BAND[0]]


def label(facet: str, value: str, org_names: dict[int, str] | None = None) -> tuple[str, str]:
    """(Chinese, English) of one facet value; the value itself when it has no name."""
    names: dict[str, tuple[str, str]]
    if facet == "tech_fields":
        number = field_number(value)
        return field_names()[number] if number else (value, value)
    if facet == "university_org_id":
        name = (org_names or {}).get(int(value)) if value.isdigit() else None
        return (name, name) if name else (value, value)
    names = {
        "industries": industry_names(),
        "kind": KINDS,
        "payment_mode": PAYMENT_MODES,
        "price_band": PRICE_BAND_NAMES,
        "ipc_sections": IPC_SECTIONS,
        "region": REGIONS,
    }.get(facet, {})
    return names.get(value, (value, value))
