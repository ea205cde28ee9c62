"""The law's numbers and names live in one place (market.kit.law), with their sources; nobody defines them again."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from market.i18n import gettext
from market.kit import law
from market.kit.law import FIXED_FEE_CAP, ROYALTY_CAP_BP, STATUTORY_TERM_YEARS, PatentKind, PaymentMode, term_years

ROOT = Path(__file__).resolve().parents[2]
NAMES = {
    "PatentKind",
    "PaymentMode",
    "FIXED_FEE_CAP",
    "FIXED_FEE_CAP_FEN",
    "ROYALTY_CAP_BP",
    "MAX_FIXED_FEE",
    "STATUTORY_TERM_YEARS",
    "DESIGN_15_YEARS_FROM",
    "TERM_ARTICLE",
    "CAP_NOTICE",
    "CAP_CITATION",
}


def test_the_caps_and_terms_are_the_law() -> None:
    assert (FIXED_FEE_CAP.currency, FIXED_FEE_CAP.minor, ROYALTY_CAP_BP) == ("CNY", 20_000_000_00, 2000)  # 2024 notice
    assert STATUTORY_TERM_YEARS == {"invention": 20, "utility_model": 10, "design": 15}  # Art 42
    assert term_years(PatentKind.design, date(2021, 5, 31)) == 10  # filed under the 2008 law
    assert term_years(PatentKind.design, date(2021, 6, 1)) == 15
    assert [m.value for m in PaymentMode] == ["lump_sum", "running_royalty", "entry_plus_royalty"]
    assert "2024" in gettext("zh", law.CAP_NOTICE) and "2024" in gettext("en", law.CAP_NOTICE)
    assert "第四十二条" in gettext("zh", law.TERM_ARTICLE) and "Art 42" in gettext("en", law.TERM_ARTICLE)


def test_no_other_module_defines_the_laws_names() -> None:
    found = []
    for package in ("market", "listings", "pricing", "finance", "frontend"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "market/kit/law.py" or "piccolo_migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name in NAMES:
                    found.append(f"{path.relative_to(ROOT)}: class {node.name}")
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else [node.target]
                    if isinstance(node, ast.AnnAssign)
                    else []
                )
                found += [
                    f"{path.relative_to(ROOT)}: {t.id}" for t in targets if isinstance(t, ast.Name) and t.id in NAMES
                ]
    assert found == []
