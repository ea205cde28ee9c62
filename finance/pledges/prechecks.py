"""The pledge application's own checks, pure: the amount against loan-to-value × value and the product's cap explained
line by line, which reasons block a submission and which need the SME's recorded acknowledgement, and
the reason codes of this module (registered with the desk). The 12 CNIPA grounds, the product floors and the
licence conflicts are ``finance.loan_products.rules.check``'s, per patent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from finance.desk.reasons import Reason, ReasonCode, Severity, register
from market.kit.messages import Bp, Msg, Param
from market.kit.money import Money

PRODUCT_TERMS = "law.pledge.product_terms"  # the bank's published product (pledges.po)
BANK_CREDIT = "law.pledge.bank_credit_policy"  # the bank's own credit assessment (pledges.po)
PLEDGE_REG = "law.pledge.reg461"  # 专利权质押登记办法 (the desk's and loan products' catalogues)

DOCUMENTS_INCOMPLETE = "pledge.documents.incomplete"
REFUSAL_CODES = (
    "pledge.refusal.valuation_insufficient",
    "pledge.refusal.credit_risk",
    "pledge.refusal.documents_not_provided",
    "pledge.refusal.patent_not_pledgeable",
    "pledge.refusal.other",
)

register(
    ReasonCode(DOCUMENTS_INCOMPLETE, PRODUCT_TERMS, Severity.block),
    ReasonCode("pledge.refusal.valuation_insufficient", BANK_CREDIT, Severity.block),
    ReasonCode("pledge.refusal.credit_risk", BANK_CREDIT, Severity.block),
    ReasonCode("pledge.refusal.documents_not_provided", PRODUCT_TERMS, Severity.block),
    ReasonCode("pledge.refusal.patent_not_pledgeable", PLEDGE_REG, Severity.block),
    ReasonCode("pledge.refusal.other", BANK_CREDIT, Severity.block),
)


@dataclass(frozen=True)
class PatentValue:
    """One pledged patent as the amount check reads it: its number, kind, value and the product's LTV for its kind."""

    number: str
    kind: str
    value: Money
    ltv_bp: int


@dataclass(frozen=True)
class AmountCheck:
    cap: Money  # the most the application may ask for
    lines: tuple[Msg, ...]  # how the cap is reached, line by line


def ltv_limit(value: Money, ltv_bp: int) -> Money:
    """Value × loan-to-value, rounded down to the minor unit."""
    return Money(value.currency, value.minor * ltv_bp // 10_000)


def amount_check(*, patents: Sequence[PatentValue], max_amount: Money, amount: Money) -> AmountCheck:
    """The cap is the lower of Σ(value × LTV of its kind) and the product's maximum amount, explained line by line
(the reasons themselves are the loan products' floors: ``pledge.floor.ltv``, ``pledge.floor.max_amount``)."""
    lines: list[Msg] = []
    total = Money(amount.currency, 0)
    for p in patents:
        limit = ltv_limit(p.value, p.ltv_bp)
        total = Money(total.currency, total.minor + limit.minor)
        lines.append(
            Msg(
                "pledge.amount.line_patent",
                {
                    "number": p.number,
                    "kind": Msg(f"patent.kind.{p.kind}"),
                    "value": p.value,
                    "ltv": Bp(p.ltv_bp),
                    "limit": limit,
                },
            )
        )
    lines.append(Msg("pledge.amount.line_ltv_total", {"total": total}))
    lines.append(Msg("pledge.amount.line_product_max", {"max": max_amount}))
    cap = min(total, max_amount, key=lambda m: m.minor)
    lines.append(Msg("pledge.amount.line_cap", {"cap": cap}))
    if amount.minor > cap.minor:
        excess = Money(amount.currency, amount.minor - cap.minor)
        lines.append(Msg("pledge.amount.line_above", {"amount": amount, "excess": excess}))
    else:
        lines.append(Msg("pledge.amount.line_within", {"amount": amount}))
    return AmountCheck(cap=cap, lines=tuple(lines))


class AnyReason(Protocol):
    """A reason of the desk's or of the loan products' rules (the same shape)."""

    @property
    def code(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Param]: ...
    @property
    def field(self) -> str: ...


def to_desk(r: AnyReason) -> Reason:
    """A rule's reason as the desk records it in a decision."""
    return Reason(code=r.code, source=r.source, severity=Severity(str(r.severity)), params=r.params, field=r.field)


def blocking(reasons: Iterable[Reason]) -> list[Reason]:
    return [r for r in reasons if str(r.severity) == Severity.block.value]


def to_acknowledge(reasons: Iterable[Reason]) -> list[Reason]:
    return [r for r in reasons if str(r.severity) == Severity.acknowledge.value]


def unacknowledged(reasons: Iterable[Reason], acknowledged: Iterable[str]) -> list[Reason]:
    """The acknowledge-reasons the SME has not acknowledged (by code)."""
    given = set(acknowledged)
    return [r for r in to_acknowledge(reasons) if r.code not in given]


def as_json(r: Reason) -> dict[str, object]:
    """A reason as stored in a snapshot: its code, source, severity, field and parameters (shown as text)."""
    return {
        "code": r.code,
        "source": r.source,
        "severity": str(r.severity),
        "field": r.field,
        "params": {k: plain(v) for k, v in r.params.items()},
    }


def plain(value: object) -> object:
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, Bp):
        return {"bp": value.value}
    if isinstance(value, Msg):
        return {"code": value.code}
    if isinstance(value, int | str | float) or value is None:
        return value
    return str(value)


def by_code(reasons: Iterable[Reason]) -> Mapping[str, Reason]:
    return {r.code: r for r in reasons}
