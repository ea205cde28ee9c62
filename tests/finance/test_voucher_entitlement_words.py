"""Every code the voucher entitlements module speaks in is in both catalogues: the literal ``Msg`` codes of its
code and pages, each registered reason (``reason.<code>``) with its source, the states, statuses, ledger entries and
decisions its pages name, and the fixes a refusal letter lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finance.desk.reasons import REGISTRY
from finance.voucher_entitlements import applications, service
from finance.voucher_entitlements.machine import STATES
from finance.voucher_entitlements.records import ENTRY_KINDS
from market.i18n import gettext

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "finance" / "voucher_entitlements").glob("*.py")), ROOT / "frontend" /
           "voucher_entitlement_pages.py"]  # fmt: skip
LITERAL = re.compile(r'Msg\(\s*"([a-z_.]+)"')


def codes() -> set[str]:
    found = {m for path in SOURCES for m in LITERAL.findall(path.read_text(encoding="utf-8"))}
    mine = [c for c in REGISTRY.values() if c.code.startswith("voucher.")]
    found |= {f"reason.{c.code}" for c in mine} | {c.source for c in mine}
    found |= {f"voucher_entitlement.state.{s}" for s in STATES}
    found |= {f"voucher_entitlement.status.{s}" for s in ("active", "expired", "revoked")}
    found |= {f"voucher_entitlement.entry.{k}" for k in ENTRY_KINDS}
    found |= {f"voucher.fix.{c.removeprefix('voucher.refusal.')}" for c in applications.REFUSAL_CODES}
    found |= {f"reason.{c}" for c in service.REVOKE_CODES}
    found |= {"voucher.amount_minor_needed", "voucher.vouchers_needed"}
    found |= {f"voucher_entitlement.tier.{t}" for t in ("issuer", "district", "county", "city", "province")}
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_is_in_the_catalogue(lang: str) -> None:
    missing = sorted(c for c in codes() if gettext(lang, c) == c)
    assert missing == [], missing
