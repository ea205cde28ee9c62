"""The claim's coverage checks and the insurer's assessment, pure (no database, no web).

Coverage (the whole claim; each a reason code with its source, registered with the desk):
- ``insurance_claim.outside_period``: the claim first made (or the loss found) is not inside the policy's period;
- ``insurance_claim.before_retroactive_date``: the infringement began before the retroactive date (the start of
  the period when the policy has none);
- ``insurance_claim.dispute_known_before_inception``: the dispute was known before the policy started: a "yes" to
  a dispute question of the frozen questionnaire, an earlier claim on record for the same patent and counterparty,
  or the insured's own notice;
- ``insurance_claim.not_listed_product``: the patent is not one the policy lists.

Costs (each cost; an excluded cost is shown with its reason and counts for nothing):
- ``insurance_claim.no_case_acceptance``: enforcement cover pays legal costs (lawyers, the forum's fees) only once
  the case is accepted (立案/受理: its number and date), and only those incurred on or after that date;
  investigation costs may come before;
- ``insurance_claim.costs_not_pre_approved``: a cost the insurer has to approve first (every kind but the forum's
  own fees and a guarantee's loan loss) without the insurer's pre-approval.

The assessment: covered costs − deductible (not below zero), capped by the per-claim limit, then by what is left of
the aggregate limit after the policy's earlier paid claims; each step a line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finance.desk.reasons import Reason, ReasonCode, Severity, reason, register
from market.kit.message_json import params_to_json
from market.kit.messages import Msg, Param
from market.kit.money import Money

WORDING = "law.insurance_claim.policy_wording"  # the product's wording (its exclusions and conditions)
SCHEDULE = "law.insurance_claim.policy_schedule"  # the policy's schedule: period, retroactive date, patents
ENFORCEMENT = "law.insurance_claim.enforcement_cover"  # enforcement cover: legal costs once a case is accepted

OUTSIDE_PERIOD = "insurance_claim.outside_period"
BEFORE_RETROACTIVE = "insurance_claim.before_retroactive_date"
DISPUTE_KNOWN = "insurance_claim.dispute_known_before_inception"
NOT_PRE_APPROVED = "insurance_claim.costs_not_pre_approved"
NOT_LISTED = "insurance_claim.not_listed_product"
NO_ACCEPTANCE = "insurance_claim.no_case_acceptance"
NOT_IN_FORCE = "insurance_claim.policy_not_in_force"
OTHER = "insurance_claim.other"

DENIAL_CODES = (OUTSIDE_PERIOD, BEFORE_RETROACTIVE, DISPUTE_KNOWN, NOT_PRE_APPROVED, NOT_LISTED, NO_ACCEPTANCE, OTHER)

register(
    ReasonCode(OUTSIDE_PERIOD, SCHEDULE, Severity.block),
    ReasonCode(BEFORE_RETROACTIVE, SCHEDULE, Severity.block),
    ReasonCode(DISPUTE_KNOWN, WORDING, Severity.block),
    ReasonCode(NOT_PRE_APPROVED, WORDING, Severity.block),
    ReasonCode(NOT_LISTED, SCHEDULE, Severity.block),
    ReasonCode(NO_ACCEPTANCE, ENFORCEMENT, Severity.block),
    ReasonCode(NOT_IN_FORCE, SCHEDULE, Severity.block),
    ReasonCode(OTHER, WORDING, Severity.block),
)

FORUMS = ("court", "arbitration", "administrative")
COST_KINDS = (
    "investigation",
    "lawyer",
    "court_fee",
    "arbitration_fee",
    "administrative_fee",
    "expert",
    "travel",
    "other",
    "loan_loss",
)
LEGAL_KINDS = frozenset({"lawyer", "court_fee", "arbitration_fee", "administrative_fee"})
NO_PRE_APPROVAL = frozenset({"court_fee", "arbitration_fee", "administrative_fee", "loan_loss"})
DISPUTE_SOURCES = ("questionnaire", "claim_on_record", "notice")


@dataclass(frozen=True)
class Cover:
    """The policy as the checks read it (from its schedule)."""

    kind: str
    patent_ids: tuple[int, ...]
    starts_on: date
    ends_on: date
    retroactive_date: date | None
    per_claim_limit: Money
    aggregate_limit: Money
    deductible: Money

    @property
    def retroactive(self) -> date:
        return self.retroactive_date or self.starts_on


@dataclass(frozen=True)
class KnownDispute:
    """A dispute known before the policy started: where it is on record and since when."""

    source: str  # questionnaire | claim_on_record | notice
    known_on: date
    detail: str = ""


@dataclass(frozen=True)
class Notice:
    patent_id: int | None
    event_on: date
    first_claim_on: date
    known: tuple[KnownDispute, ...] = ()


@dataclass(frozen=True)
class CostLine:
    id: int
    kind: str
    amount: Money
    incurred_on: date
    pre_approved: bool
    invoice_number: str = ""


def coverage(cover: Cover, notice: Notice) -> list[Reason]:
    """The reasons the whole claim is not covered (none: it is)."""
    out: list[Reason] = []
    if not cover.starts_on <= notice.first_claim_on <= cover.ends_on:
        out.append(
            reason(
                OUTSIDE_PERIOD,
                field="first_claim_on",
                on=notice.first_claim_on,
                starts_on=cover.starts_on,
                ends_on=cover.ends_on,
            )
        )
    if notice.event_on < cover.retroactive:
        out.append(reason(BEFORE_RETROACTIVE, field="event_on", on=notice.event_on, retroactive=cover.retroactive))
    known = sorted((k for k in notice.known if k.known_on < cover.starts_on), key=lambda k: k.known_on)
    if known:
        first = known[0]
        out.append(
            reason(
                DISPUTE_KNOWN,
                field="first_known_on" if first.source == "notice" else "",
                on=first.known_on,
                starts_on=cover.starts_on,
                where=Msg(f"insurance_claim.dispute_source.{first.source}"),
            )
        )
    if cover.kind != "pledge_guarantee" and (notice.patent_id is None or notice.patent_id not in cover.patent_ids):
        out.append(reason(NOT_LISTED, field="patent_id"))
    return out


def cost_reasons(
    kind: str, cost: CostLine, *, acceptance_number: str, accepted_on: date | None
) -> list[Reason]:
    """Why one cost is not covered (none: it is)."""
    out: list[Reason] = []
    if kind == "enforcement" and cost.kind in LEGAL_KINDS:
        if not acceptance_number.strip() or accepted_on is None:
            out.append(reason(NO_ACCEPTANCE, field="kind", kind=Msg(f"insurance_claim.cost_kind.{cost.kind}")))
        elif cost.incurred_on < accepted_on:
            out.append(
                reason(
                    NO_ACCEPTANCE,
                    field="incurred_on",
                    kind=Msg(f"insurance_claim.cost_kind.{cost.kind}"),
                    on=cost.incurred_on,
                    accepted_on=accepted_on,
                )
            )
    if cost.kind not in NO_PRE_APPROVAL and not cost.pre_approved:
        out.append(reason(NOT_PRE_APPROVED, field="pre_approved", kind=Msg(f"insurance_claim.cost_kind.{cost.kind}")))
    return out


@dataclass(frozen=True)
class AssessmentLine:
    key: str  # cost | excluded | covered | deductible | after_deductible | per_claim_cap | aggregate_cap | payable
    label: Msg
    amount: Money
    cost_id: int | None = None
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Assessment:
    submitted: Money  # every cost as claimed
    covered: Money  # the costs covered
    excluded: Money
    after_deductible: Money
    payable: Money
    aggregate_used: Money  # by the policy's earlier paid claims
    aggregate_left: Money  # before this claim
    per_claim_capped: bool
    aggregate_capped: bool
    coverage: tuple[Reason, ...]  # the whole claim's reasons (any: nothing is payable)
    excluded_reasons: tuple[Reason, ...]  # the excluded costs' reasons
    lines: tuple[AssessmentLine, ...] = field(default=())

    @property
    def covered_at_all(self) -> bool:
        return not self.coverage

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return (*self.coverage, *self.excluded_reasons)

    def codes(self) -> list[str]:
        return list(dict.fromkeys(r.code for r in self.reasons))

    def as_json(self) -> dict[str, Any]:
        def money(m: Money) -> dict[str, Any]:
            return {"minor": m.minor, "currency": m.currency}

        return {
            "submitted": money(self.submitted),
            "covered": money(self.covered),
            "excluded": money(self.excluded),
            "after_deductible": money(self.after_deductible),
            "payable": money(self.payable),
            "aggregate_used": money(self.aggregate_used),
            "aggregate_left": money(self.aggregate_left),
            "per_claim_capped": self.per_claim_capped,
            "aggregate_capped": self.aggregate_capped,
            "coverage": [r.as_json() for r in self.coverage],
            "lines": [
                {
                    "key": line.key,
                    "label": line.label.code,
                    "params": params_to_json(line.label.params),
                    "amount": money(line.amount),
                    "cost_id": line.cost_id,
                    "reasons": [r.as_json() for r in line.reasons],
                }
                for line in self.lines
            ],
        }


def _min(a: Money, b: Money) -> Money:
    return a if a.minor <= b.minor else b


def assess(
    cover: Cover,
    notice: Notice,
    costs: Sequence[CostLine],
    *,
    acceptance_number: str,
    accepted_on: date | None,
    aggregate_used: Money,
) -> Assessment:
    """The claim assessed: every cost covered or excluded with its reasons, then the deductible, the per-claim limit
    and the aggregate limit left, line by line. A claim not covered at all (``coverage``) pays nothing."""
    currency = cover.per_claim_limit.currency
    zero = Money(currency, 0)
    lines: list[AssessmentLine] = []
    submitted = covered = zero
    excluded_reasons: list[Reason] = []
    for cost in costs:
        submitted = submitted + cost.amount
        why = cost_reasons(cover.kind, cost, acceptance_number=acceptance_number, accepted_on=accepted_on)
        label_params: dict[str, Param] = {
            "kind": Msg(f"insurance_claim.cost_kind.{cost.kind}"),
            "invoice": cost.invoice_number or "-",
            "on": cost.incurred_on,
            "amount": cost.amount,
        }
        if why:
            excluded_reasons.extend(why)
            lines.append(
                AssessmentLine(
                    "excluded",
                    Msg("insurance_claim.line.excluded", label_params),
                    zero,
                    cost_id=cost.id,
                    reasons=tuple(why),
                )
            )
        else:
            covered = covered + cost.amount
            lines.append(AssessmentLine("cost", Msg("insurance_claim.line.cost", label_params), cost.amount, cost.id))
    excluded = submitted - covered
    lines.append(AssessmentLine("covered", Msg("insurance_claim.line.covered", {"amount": covered}), covered))
    deducted = _min(covered, cover.deductible)
    after = covered - deducted
    lines.append(
        AssessmentLine(
            "deductible",
            Msg("insurance_claim.line.deductible", {"deductible": cover.deductible, "amount": deducted}),
            zero - deducted,
        )
    )
    lines.append(AssessmentLine("after_deductible", Msg("insurance_claim.line.after_deductible", {"amount": after}),
                                after))
    per_claim = _min(after, cover.per_claim_limit)
    per_claim_capped = per_claim.minor < after.minor
    lines.append(
        AssessmentLine(
            "per_claim_cap",
            Msg(
                f"insurance_claim.line.per_claim_{'capped' if per_claim_capped else 'within'}",
                {"limit": cover.per_claim_limit, "amount": per_claim},
            ),
            per_claim,
        )
    )
    left = cover.aggregate_limit - aggregate_used
    left = left if left.minor > 0 else zero
    payable = _min(per_claim, left)
    aggregate_capped = payable.minor < per_claim.minor
    lines.append(
        AssessmentLine(
            "aggregate_cap",
            Msg(
                f"insurance_claim.line.aggregate_{'capped' if aggregate_capped else 'within'}",
                {"limit": cover.aggregate_limit, "used": aggregate_used, "left": left, "amount": payable},
            ),
            payable,
        )
    )
    found = tuple(coverage(cover, notice))
    if found:
        payable = zero
        lines.append(AssessmentLine("not_covered", Msg("insurance_claim.line.not_covered"), zero, reasons=found))
    lines.append(AssessmentLine("payable", Msg("insurance_claim.line.payable", {"amount": payable}), payable))
    return Assessment(
        submitted=submitted,
        covered=covered,
        excluded=excluded,
        after_deductible=after,
        payable=payable,
        aggregate_used=aggregate_used,
        aggregate_left=left,
        per_claim_capped=per_claim_capped,
        aggregate_capped=aggregate_capped,
        coverage=found,
        excluded_reasons=tuple(excluded_reasons),
        lines=tuple(lines),
    )


def disputes_in_answers(answers: Mapping[str, Any], *, answered_on: date) -> list[KnownDispute]:
    """A "yes" to a questionnaire question about a dispute or litigation (its key says so: ``known_dispute``,
    ``pending_litigation``, ...) is a dispute known on the day the answers were frozen."""
    out = []
    for key, value in answers.items():
        lowered = key.lower()
        if ("dispute" in lowered or "litigation" in lowered or "claim" in lowered) and _yes(value):
            out.append(KnownDispute("questionnaire", answered_on, key))
    return out


def _yes(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"yes", "true", "1", "是"}  # words: data
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def total(amounts: Iterable[Money], currency: str) -> Money:
    out = Money(currency, 0)
    for amount in amounts:
        out = out + amount
    return out
