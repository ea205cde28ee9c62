"""The audit trail in plain words (issue 16, point 4): every action the code base records has a sentence in both
catalogues (``audit.action.<code>``), found by reading the source: each ``record(action=...)`` call, its literal code,
both branches of a conditional, and each f-string expanded over the values its placeholder can take."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from finance.insurance_products import service as insurance_products
from finance.loan_products import service as loan_products
from finance.policies.machine import PolicyMachine
from finance.qualifications.machine import STATUSES as QUALIFICATION_STATUSES
from finance.registrations.machine import RegistrationMachine
from finance.subsidies import service as subsidies
from finance.voucher_programmes import service as voucher_programmes
from finance.voucher_providers.machine import VoucherProviderMachine
from finance.voucher_redemptions.machine import RedemptionMachine
from frontend.audit_words import OTHER, action_code, audit_text
from market.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("market", "listings", "finance", "pricing", "frontend")


def _events(machine: type) -> tuple[str, ...]:
    return tuple(e.id for e in machine.events)  # type: ignore[attr-defined]


def _states(machine: type) -> tuple[str, ...]:
    return tuple(s.id for s in machine.states)  # type: ignore[attr-defined]


def _targets(transitions: dict[str, tuple[object, str]]) -> tuple[str, ...]:
    return tuple(sorted({to for _, to in transitions.values()}))


# Each f-string an action is made of, as written in the source, and the values its placeholder takes. A new
# f-string action fails test_every_action_is_found until it is added here (with its values).
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "finance.voucher_redemption_{event}": _events(RedemptionMachine),
    "dossiers.{to_status}": ("verified", "rejected"),
    "finance.voucher_programme_{to}": _targets(voucher_programmes.TRANSITIONS),
    "finance.subsidy_programme_{to}": _targets(subsidies.TRANSITIONS),
    "finance.insurance_consent_{state}": ("granted", "refused"),
    "finance.policy_{event}": _events(PolicyMachine),
    "finance.registration_{event}": _events(RegistrationMachine),
    "finance.insurance_product_{to}": _targets(insurance_products.TRANSITIONS),
    "finance.voucher_provider_{moved.state}": _states(VoucherProviderMachine),
    "finance.voucher_objection_{status}": ("upheld", "dismissed"),
    "finance.qualification_{to_status}": QUALIFICATION_STATUSES,
    "finance.loan_product_{to}": _targets(loan_products.TRANSITIONS),
    "finance.loan_{kind}": ("disbursement", "repayment"),
}


def _is_record_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name == "record" and any(k.arg == "action" for k in node.keywords)


def _pattern(node: ast.JoinedStr) -> str:
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        else:
            assert isinstance(value, ast.FormattedValue)
            parts.append("{" + ast.unparse(value.value) + "}")
    return "".join(parts)


def _codes(node: ast.expr, where: str) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _codes(node.body, where)
        yield from _codes(node.orelse, where)
    elif isinstance(node, ast.JoinedStr):
        pattern = _pattern(node)
        assert pattern in EXPANSIONS, f"{where}: the action {pattern!r} is not in EXPANSIONS (add its values)"
        head, _, rest = pattern.partition("{")
        tail = rest.partition("}")[2]
        for value in EXPANSIONS[pattern]:
            yield head + value + tail
    else:
        raise AssertionError(f"{where}: an action this test cannot read: {ast.unparse(node)}")


def recorded_actions() -> dict[str, str]:
    """Every action code the code base records -> where (file:line)."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "piccolo_migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _is_record_call(node):
                    action = next(k.value for k in node.keywords if k.arg == "action")
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    for code in _codes(action, where):
                        found.setdefault(code, where)
    return found


def test_every_action_is_found() -> None:
    actions = recorded_actions()
    assert len(actions) > 150  # the collector reads the whole code base, f-strings expanded
    for known in ("listings.declaration_published", "listings.declaration_drafted", "finance.policy_cancel",
                  "orgs.status_changed", "desk.sla_breached", "finance.voucher_programme_closed"):  # fmt: skip
        assert known in actions


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_recorded_action_has_a_sentence(lang: str) -> None:
    words = catalogue(lang)
    missing = [f"{code} ({where})" for code, where in sorted(recorded_actions().items())
               if words.gettext(action_code(code)) == action_code(code)]  # fmt: skip
    assert not missing, f"{len(missing)} audit actions without words in {lang}:\n" + "\n".join(missing)


def test_an_unknown_action_gets_a_general_sentence() -> None:
    assert audit_text("nobody.ever_did_this", "zh") == catalogue("zh").gettext(OTHER) != OTHER
    assert audit_text("listings.declaration_published", "en") == "Published an open-licence declaration"
