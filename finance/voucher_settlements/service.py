"""Settlement of captured voucher claims (issue 14, Deliver 6): batches, four eyes, the bank payment file, payouts.

- A **batch** takes a programme's captured claims not yet settled, captured up to the end of a settlement cycle
  (``up_to``): the issuer makes it (or the daily job at the cycle's end), one per (programme, cycle end). Each claim
  is a line with its payee (the provider; the SME in the reimbursed mode) and the payee's account in force
  (``finance.payees``, read again when the batch is proposed). A payee without an account in force is an
  **exception** line: not in the bank file, not paid, carried to the next batch. The database keeps a claim in at
  most one live line (a unique ``open_claim``).
- **Four eyes** on the desk (kind ``voucher_batch``): a member of the issuer proposes the batch (the maker; the bank
  file is written then, its SHA-256 in the proposal's snapshot), a **different** member approves it (the checker;
  the maker is refused by the desk and by the database's CHECK). A proposal may be sent back or the batch
  cancelled (its claims go to the next batch).
- **Paid**: the issuer records the approved batch paid (date and bank reference: every payable line paid), or
  uploads the bank's return (lines paid or failed). Each paid line makes a **payout entry** (this module's table,
  once per claim; what a batch, a payee or a programme was paid is summed from them: the voucher ledger's balances
  in ``finance.voucher_entitlements`` are untouched, the capture already took the money from the entitlement); a
  university payee's payout is entered in its ledger (``finance.ledger.record_voucher_payout``); the claims are
  marked settled (``finance.voucher_redemptions``). Failed and exception lines are carried to the next batch.
  Statements per payee are rendered after (jobs).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from finance.desk import service as desk
from finance.desk.records import CaseRecord, DecisionRecord
from finance.desk.service import ApprovalPolicy
from finance.ledger import service as ledger
from finance.payees import service as payees
from finance.voucher_entitlements import service as entitlements
from finance.voucher_programmes import service as programmes
from finance.voucher_redemptions import service as redemptions
from finance.voucher_redemptions.records import CapturedClaim
from finance.voucher_settlements import bankfile, repository
from finance.voucher_settlements.machine import KIND, REFERENCE_PREFIX, VoucherBatchMachine
from finance.voucher_settlements.records import BatchRecord, ClaimToSettle, LineRecord, NewLine, StatusTotal
from finance.voucher_settlements.schemas import BatchOut, LineOut, MoneyOut, StatusTotalOut
from market import events, runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

CHINA = ZoneInfo("Asia/Shanghai")
SLA_WORKING_DAYS = 10  # from the proposal to the payment: the platform's choice, no programme sets one
ONE_CHECKER = ApprovalPolicy(thresholds=((0, 1),), refusal_needs_second=False)
NO_ACCOUNT = "voucher_settlement.exception.no_payee_account"
BANK_FAILED = "voucher_settlement.exception.bank_failed"
OTHER_CURRENCY = "voucher_settlement.exception.currency"
desk.register_case_page(KIND, "/issuer/voucher-settlements/{subject}")
ISSUER_EVENTS = {
    "assembled": ("propose", "cancel"),
    "proposed": ("approve", "send_back", "cancel"),
    "approved": ("pay", "reconcile"),
}


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().astimezone(CHINA).date()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


def _money(minor: int, currency: str) -> MoneyOut:
    return MoneyOut(minor=minor, currency=currency)


def _field_problem(field: str, message: Msg, code: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, code=code)])


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
    """What a batch needs of its programme (``finance.voucher_programmes``)."""

    id: int
    issuer: int
    name: str
    currency: str
    cycle: str  # monthly, quarterly, half_yearly


# ------------------------------------------------------------------------------------------------ cycles


def cycle_key(cycle: str, day: date) -> str:
    """The settlement cycle ``day`` falls in: "2027-03" (monthly), "2027Q1" (quarterly), "2027H1" (half-yearly)."""
    if cycle == "monthly":
        return f"{day.year}-{day.month:02d}"
    if cycle == "quarterly":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def cycle_end(cycle: str, day: date) -> date:
    """The last day of the settlement cycle ``day`` falls in."""
    months = {"monthly": 1, "quarterly": 3}.get(cycle, 6)
    last_month = ((day.month - 1) // months + 1) * months
    first_of_next = date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)
    return date.fromordinal(first_of_next.toordinal() - 1)


def previous_cycle_end(cycle: str, day: date) -> date:
    """The end of the last cycle that ended before ``day`` (the batch the daily job makes)."""
    months = {"monthly": 1, "quarterly": 3}.get(cycle, 6)
    first_month = ((day.month - 1) // months) * months + 1
    return date.fromordinal(date(day.year, first_month, 1).toordinal() - 1)


# ------------------------------------------------------------------------------------------------ reading


def _require_issuer(principal: Principal) -> None:
    if principal.org_kind is not OrgKind.voucher_issuer:
        raise Forbidden(Msg("voucher_settlement.issuer_only"))
    org_service.require_approved(principal)


async def batch(batch_id: int) -> BatchRecord:
    found = await repository.batch(batch_id)
    if found is None:
        raise NotFound(Msg("voucher_settlement.batch_not_found"))
    return found


async def of_issuer(principal: Principal, batch_id: int) -> BatchRecord:
    _require_issuer(principal)
    found = await repository.batch(batch_id)
    if found is None or found.issuer != principal.org_id:
        raise NotFound(Msg("voucher_settlement.batch_not_found"))
    return found


async def case_of(found: BatchRecord) -> CaseRecord:
    assert found.case is not None
    case = await desk.case(found.case)
    assert case is not None
    return case


lines_of = repository.lines
payouts_of = repository.payouts
totals_of = repository.totals


async def _expect(found: BatchRecord, expected_version: int, *states: str) -> CaseRecord:
    case = await case_of(found)
    if case.version != expected_version:
        raise Conflict(Msg("desk.stale", {"reference": case.reference}), version=case.version)
    if states and case.state not in states:
        raise Conflict(Msg("voucher_settlement.wrong_state", {"state": Msg(f"voucher_settlement.state.{case.state}")}),
                       state=case.state)  # fmt: skip
    return case


# ------------------------------------------------------------------------------------------------ making


async def _account_of(org_id: int) -> tuple[int | None, str, str, str]:
    account = await payees.current_account(org_id)
    if account is None:
        return None, "", "", ""
    return account.id, account.account_name, account.bank_name, account.account_number


async def _new_lines(claims: Sequence[ClaimToSettle], currency: str) -> list[NewLine]:
    accounts = {org: await _account_of(org) for org in dict.fromkeys(c.payee for c in claims)}
    earlier = await repository.last_lines([c.claim for c in claims])
    out = []
    for n, c in enumerate(sorted(claims, key=lambda c: (c.payee, c.claim)), start=1):
        account, name, bank, number = accounts[c.payee]
        code = NO_ACCOUNT if account is None else OTHER_CURRENCY if c.currency != currency else ""
        out.append(NewLine(claim=c, line_no=n, account=account, account_name=name, bank_name=bank,
                           account_number=number, status="exception" if code else "payable", exception_code=code,
                           carried_from=earlier.get(c.claim)))  # fmt: skip
    return out


async def assemble(
    *, programme: ProgrammeInfo, up_to: date, claims: Sequence[ClaimToSettle], actor: Actor
) -> BatchRecord:
    """The batch of ``claims`` (captured, unsettled, up to ``up_to``) for the programme, put on the issuer's desk.
    Claims already in a live line of another batch are left out; none left: 409 ``nothing_to_settle``. A batch for
    the same cycle end: 409 ``batch_exists``."""
    if await repository.batch_by_key(programme.id, up_to) is not None:
        raise Conflict(Msg("voucher_settlement.batch_exists", {"day": up_to}))
    live = await repository.live_claims([c.claim for c in claims])
    todo = [c for c in claims if c.claim not in live and c.amount_minor > 0]
    if not todo:
        raise Conflict(Msg("voucher_settlement.nothing_to_settle", {"day": up_to}))
    at = now()
    batch_id = await repository.insert_batch(
        programme=programme.id, issuer=programme.issuer, period_key=cycle_key(programme.cycle, up_to), up_to=up_to,
        currency=programme.currency, created_by=actor.user_id, at=at,
    )  # fmt: skip
    total = sum(c.amount_minor for c in todo)
    case = await desk.open_case(
        kind=KIND, subject=batch_id, reviewer_org=programme.issuer, applicant_org=programme.issuer,
        amount=Money(programme.currency, total), machine=VoucherBatchMachine, reference_prefix=REFERENCE_PREFIX,
        sla_working_days=SLA_WORKING_DAYS, actor=actor,
    )  # fmt: skip
    await repository.set_case(batch_id, case.id)
    lines = await _new_lines(todo, programme.currency)
    await repository.insert_lines(batch_id, lines, at=at)
    await redemptions.mark_settled([n.claim.claim for n in lines], batch_id, actor)
    await record(
        actor=actor, action="finance.voucher_batch_assembled", entity_type="voucher_batch", entity_id=batch_id,
        org_id=programme.issuer,
        after={"number": case.reference, "programme": programme.id, "up_to": up_to.isoformat(), "lines": len(lines),
               "total_minor": total, "exceptions": sum(1 for n in lines if n.status == "exception")},
    )  # fmt: skip
    found = await batch(batch_id)
    await _emit("assembled", found, total_minor=total, lines=len(lines))
    return found


def to_settle(c: CapturedClaim) -> ClaimToSettle:
    return ClaimToSettle(claim=c.claim_id, reference=c.reference, payee=c.payee_org, provider=c.provider_org,
                         sme=c.sme_org, category=c.category, region=c.region, amount_minor=c.amount_minor,
                         currency=c.currency, claimed_at=c.claimed_at, captured_at=c.captured_at)  # fmt: skip


async def create_batch(*, principal: Principal, programme_id: int, up_to: date) -> BatchRecord:
    """The issuer's batch of one of its programmes (another's: 404): the claims captured up to ``up_to`` (today at
    the latest) and in no batch yet."""
    _require_issuer(principal)
    await programmes.issuer_programme(principal=principal, programme_id=programme_id)
    if up_to > today():
        raise _field_problem("up_to", Msg("voucher_settlement.up_to_future"), "future")
    claims = [to_settle(c) for c in await redemptions.captured_unsettled(programme_id, up_to=up_to)]
    return await assemble(programme=await programme_info(programme_id), up_to=up_to, claims=claims,
                          actor=actor_of(principal))  # fmt: skip


async def batch_at_cycle_end(programme_id: int, *, on: date) -> BatchRecord | None:
    """The daily job's batch: the programme's claims up to the end of the settlement cycle that ended before ``on``,
    once (none when the batch exists or nothing waits)."""
    info = await programme_info(programme_id)
    up_to = previous_cycle_end(info.cycle, on)
    if await repository.batch_by_key(programme_id, up_to) is not None:
        return None
    claims = [to_settle(c) for c in await redemptions.captured_unsettled(programme_id, up_to=up_to)]
    if not claims:
        return None
    return await assemble(programme=info, up_to=up_to, claims=claims, actor=Actor.system())


async def batches_at_cycle_end(*, on: date) -> int:
    """Every open programme's batch of its last ended cycle. Returns how many were made."""
    made = 0
    for found in await programmes.open_programmes():
        if await batch_at_cycle_end(found.id, on=on) is not None:
            made += 1
    return made


async def _refresh_accounts(found: BatchRecord) -> list[LineRecord]:
    """The payees' accounts read again (an exception whose payee has since recorded one becomes payable)."""
    at = now()
    rows = await repository.lines(found.id)
    for payee in dict.fromkeys(r.payee for r in rows):
        account, name, bank, number = await _account_of(payee)
        for r in (r for r in rows if r.payee == payee and r.status in ("payable", "exception")):
            code = NO_ACCOUNT if account is None else OTHER_CURRENCY if r.currency != found.currency else ""
            if (r.account, r.exception_code) != (account, code):
                await repository.set_account(r.id, account=account, account_name=name, bank_name=bank,
                                             account_number=number, status="exception" if code else "payable",
                                             exception_code=code, at=at)  # fmt: skip
    return await repository.lines(found.id)


def _file_path(number: str, sha256: str) -> Path:
    return runtime.current().settings.data_dir / "voucher_batches" / f"{number}-{sha256[:12]}.csv"


async def propose(*, principal: Principal, batch_id: int, expected_version: int, text: str = "") -> BatchRecord:
    """The maker proposes the batch: the accounts are read again, the bank file of the payable lines is written
    and stored (its SHA-256 in the proposal's snapshot), and the proposal waits for a different member."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "assembled")
    rows = await _refresh_accounts(found)
    payable = [r for r in rows if r.status == "payable"]
    if not payable:
        raise Conflict(Msg("voucher_settlement.nothing_payable"))
    made = bankfile.write(case.reference, [
        bankfile.FileLine(line_no=r.line_no, payee_name=r.account_name, payee_account=r.account_number,
                          payee_bank=r.bank_name, amount_minor=r.amount_minor, currency=r.currency,
                          reference=r.claim_reference or str(r.claim))
        for r in payable
    ])  # fmt: skip
    path = _file_path(case.reference, made.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, made.content)
    exceptions = [r for r in rows if r.status == "exception"]
    snapshot = {
        "file_sha256": made.sha256, "file_name": made.name, "payable_lines": made.lines,
        "payable_minor": made.total_minor, "exception_lines": len(exceptions),
        "exception_minor": sum(r.amount_minor for r in exceptions), "up_to": found.up_to.isoformat(),
        "lines": [[r.line_no, r.claim, r.payee, r.amount_minor, r.status, r.account] for r in rows],
    }  # fmt: skip
    await desk.propose(case_id=case.id, outcome="approve", actor=actor_of(principal), role="maker",
                       amount=Money(found.currency, made.total_minor), text=text, snapshot=snapshot,
                       policy=ONE_CHECKER, expected_version=expected_version, machine=VoucherBatchMachine,
                       event="propose")  # fmt: skip
    await repository.set_file(found.id, name=made.name, sha256=made.sha256, path=str(path), lines=made.lines, at=now())
    await record(actor=actor_of(principal), action="finance.voucher_batch_proposed", entity_type="voucher_batch",
                 entity_id=found.id, org_id=found.issuer,
                 after={"number": case.reference, "file_sha256": made.sha256, "payable_minor": made.total_minor,
                        "lines": made.lines})  # fmt: skip
    after = await batch(found.id)
    await _emit("proposed", after, payable_minor=made.total_minor, file_sha256=made.sha256)
    return after


async def pending_proposal(case_id: int) -> DecisionRecord | None:
    """The proposal waiting for its checker, if any."""
    made = [d for d in await desk.decisions(case_id) if d.kind == "proposal"]
    if not made:
        return None
    status = await desk.proposal_status(made[-1].id)
    return made[-1] if status.pending else None


async def approve(
    *, principal: Principal, batch_id: int, proposal_id: int, expected_version: int, text: str = ""
) -> BatchRecord:
    """A different member approves the maker's proposal (the maker: 403 ``desk.four_eyes``)."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "proposed")
    proposal = await desk.decision(proposal_id)
    if proposal is None or proposal.case != case.id or proposal.kind != "proposal":
        missing = Msg("voucher_settlement.proposal_not_found")
        raise NotFound(missing, errors=[FieldError("proposal_id", missing, code="not_found")])
    _, complete = await desk.approve(proposal_id=proposal.id, actor=actor_of(principal), role="checker", text=text,
                                     expected_version=expected_version, machine=VoucherBatchMachine,
                                     event="approve")  # fmt: skip
    if complete:
        await repository.set_approved(found.id, at=now())
        await record(actor=actor_of(principal), action="finance.voucher_batch_approved", entity_type="voucher_batch",
                     entity_id=found.id, org_id=found.issuer,
                     after={"number": case.reference, "maker": proposal.decided_by, "checker": principal.user_id,
                            "file_sha256": found.file_sha256})  # fmt: skip
        await _emit("approved", await batch(found.id), maker=proposal.decided_by, checker=principal.user_id)
    return await batch(found.id)


async def send_back(*, principal: Principal, batch_id: int, expected_version: int, text: str = "") -> BatchRecord:
    """Back to assembled (the next proposal reads the accounts again and writes a new file)."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "proposed")
    await desk.transition(case_id=case.id, event="send_back", expected_version=expected_version,
                          actor=actor_of(principal), machine=VoucherBatchMachine)  # fmt: skip
    await desk.decide(case_id=case.id, kind="send_back", outcome="sent_back", actor=actor_of(principal),
                      role="checker", text=text, snapshot={"file_sha256": found.file_sha256})  # fmt: skip
    return await batch(found.id)


async def cancel(*, principal: Principal, batch_id: int, expected_version: int, text: str = "") -> BatchRecord:
    """Cancel a batch not yet approved: its claims are released to the next batch."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "assembled", "proposed")
    await desk.transition(case_id=case.id, event="cancel", expected_version=expected_version,
                          actor=actor_of(principal), machine=VoucherBatchMachine)  # fmt: skip
    unpaid = [r.claim for r in await repository.lines(found.id) if r.status in ("payable", "exception")]
    released = await repository.release_unpaid(found.id, to_status="released", at=now())
    await redemptions.unmark_settled(unpaid, found.id, actor_of(principal))
    await desk.decide(case_id=case.id, kind="cancellation", outcome="cancelled", actor=actor_of(principal),
                      role="reviewer", text=text, snapshot={"released_lines": released})  # fmt: skip
    await record(actor=actor_of(principal), action="finance.voucher_batch_cancelled", entity_type="voucher_batch",
                 entity_id=found.id, org_id=found.issuer, after={"number": case.reference, "released": released})
    after = await batch(found.id)
    await _emit("cancelled", after)
    return after


# ------------------------------------------------------------------------------------------------ paying


async def record_paid(
    *, principal: Principal, batch_id: int, paid_on: date, reference: str, expected_version: int
) -> BatchRecord:
    """The approved batch was paid: every payable line on ``paid_on`` with the bank's reference."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "approved")
    if paid_on > today():
        raise _field_problem("paid_on", Msg("voucher_settlement.paid_in_future"), "future")
    at = now()
    rows = await repository.lines(found.id)
    paid = await repository.move_lines([r.id for r in rows if r.status == "payable"], from_status="payable",
                                       to_status="paid", at=at, paid_on=paid_on, reference=reference)  # fmt: skip
    await _close(found, case, paid_ids=paid, paid_on=paid_on, reference=reference, return_sha256="",
                 actor=actor_of(principal))  # fmt: skip
    return await batch(found.id)


async def reconcile(*, principal: Principal, batch_id: int, content: bytes, expected_version: int) -> BatchRecord:
    """The bank's return for the approved batch: each payable line paid or failed (a failed line is carried to
    the next batch). The return must name every payable line once, with its amount; any problem is a 422 naming
    the rows, and nothing is written."""
    found = await of_issuer(principal, batch_id)
    case = await _expect(found, expected_version, "approved")
    try:
        returned = bankfile.read_return(content)
    except ValueError as exc:
        raise _field_problem("file", Msg(f"voucher_settlement.return_{exc.args[0]}"), str(exc.args[0])) from None
    rows = {r.line_no: r for r in await repository.lines(found.id) if r.status == "payable"}
    errors: list[FieldError] = []
    seen: set[int] = set()
    for r in returned:
        line = rows.get(r.line_no) if r.line_no is not None else None
        code = r.problem or (
            "batch" if r.batch_number != case.reference else
            "unknown_line" if line is None else
            "repeated" if r.line_no in seen else
            "amount" if r.amount_minor != line.amount_minor else
            "paid_on" if r.status == "paid" and (r.paid_on is None or r.paid_on > today()) else ""
        )  # fmt: skip
        if code:
            errors.append(FieldError(f"file.row{r.row}", Msg(f"voucher_settlement.return_row.{code}", {"row": r.row}),
                                     code=code))  # fmt: skip
        if r.line_no is not None:
            seen.add(r.line_no)
    for missing in sorted(set(rows) - seen):
        errors.append(FieldError(f"file.line{missing}", Msg("voucher_settlement.return_row.missing",
                                                             {"line": missing}), code="missing"))  # fmt: skip
    if errors:
        raise ValidationFailed(Msg("voucher_settlement.return_invalid"), errors=errors)
    at = now()
    paid_ids: list[int] = []
    for r in returned:
        line = rows[r.line_no or 0]
        if r.status == "paid":
            paid_ids += await repository.move_lines([line.id], from_status="payable", to_status="paid", at=at,
                                                    paid_on=r.paid_on, reference=r.bank_reference)  # fmt: skip
        else:
            await repository.move_lines([line.id], from_status="payable", to_status="failed", at=at, code=BANK_FAILED)
    days = [r.paid_on for r in returned if r.status == "paid" and r.paid_on is not None]
    await _close(found, case, paid_ids=paid_ids, paid_on=max(days) if days else today(),
                 reference=next((r.bank_reference for r in returned if r.bank_reference), ""),
                 return_sha256=hashlib.sha256(content).hexdigest(), actor=actor_of(principal))  # fmt: skip
    return await batch(found.id)


def days_between(claimed_at: datetime | None, paid_on: date) -> int:
    if claimed_at is None:
        return 0
    return max(0, (paid_on - claimed_at.astimezone(CHINA).date()).days)


async def _close(
    found: BatchRecord, case: CaseRecord, *, paid_ids: Sequence[int], paid_on: date, reference: str,
    return_sha256: str, actor: Actor,
) -> None:
    """Payout entries for the paid lines (and the universities' ledger entries), the claims settled, the unpaid
    lines carried to the next batch, the batch paid: one transaction."""
    at = now()
    paid_set = set(paid_ids)
    paid = [r for r in await repository.lines(found.id) if r.id in paid_set]
    made = await repository.insert_payouts([
        {"claim": r.claim, "line": r.id, "batch": found.id, "programme": found.programme, "payee": r.payee,
         "provider": r.provider, "category": r.category, "region": r.region, "amount_minor": r.amount_minor,
         "currency": r.currency, "paid_on": r.paid_on or paid_on,
         "days_to_pay": days_between(r.claimed_at, r.paid_on or paid_on), "reference": r.bank_reference or reference,
         "recorded_by": actor.user_id}
        for r in paid
    ], at=at)  # fmt: skip
    await _enter_ledgers(found, case, paid, made)
    await _voucher_payouts(case, paid, actor)
    unpaid = [r.claim for r in await repository.lines(found.id) if r.status in ("payable", "exception", "failed")]
    carried = await repository.release_unpaid(found.id, to_status="carried", at=at)
    await redemptions.unmark_settled(unpaid, found.id, actor)
    if not await repository.set_paid(found.id, paid_on=paid_on, reference=reference, return_sha256=return_sha256,
                                     at=at):  # fmt: skip
        raise Conflict(Msg("voucher_settlement.already_paid"))
    await desk.transition(case_id=case.id, event="pay", expected_version=case.version, actor=actor,
                          machine=VoucherBatchMachine)  # fmt: skip
    paid_minor = sum(r.amount_minor for r in paid)
    await desk.decide(case_id=case.id, kind="payment", outcome="paid", actor=actor, role="reviewer",
                      amount=Money(found.currency, paid_minor),
                      snapshot={"paid_on": paid_on.isoformat(), "reference": reference, "paid_lines": len(paid),
                                "carried_lines": carried, "return_sha256": return_sha256,
                                "file_sha256": found.file_sha256})  # fmt: skip
    await record(actor=actor, action="finance.voucher_batch_paid", entity_type="voucher_batch", entity_id=found.id,
                 org_id=found.issuer,
                 after={"number": case.reference, "paid_minor": paid_minor, "paid_lines": len(paid),
                        "carried_lines": carried, "paid_on": paid_on.isoformat(), "reference": reference,
                        "return_sha256": return_sha256})  # fmt: skip
    await _emit("paid", await batch(found.id), paid_minor=paid_minor, paid_lines=len(paid), carried_lines=carried,
                paid_on=paid_on.isoformat(), payee_orgs=sorted({r.payee for r in paid}))  # fmt: skip


async def _enter_ledgers(found: BatchRecord, case: CaseRecord, paid: Sequence[LineRecord],
                         payout_ids: Sequence[int]) -> None:  # fmt: skip
    """A university payee's payouts in its ledger (the voucher part of its licensing income)."""
    kinds = {org: await org_service.org_by_id(org) for org in dict.fromkeys(r.payee for r in paid)}
    smes = {org: await org_service.org_by_id(org) for org in dict.fromkeys(r.sme for r in paid if r.sme)}
    for line, payout_id in zip(paid, payout_ids, strict=True):
        org = kinds.get(line.payee)
        if org is None or org.kind != OrgKind.university:
            continue
        sme = smes.get(line.sme) if line.sme else None
        await ledger.record_voucher_payout(
            payout_id=payout_id, university_id=line.payee, received_on=line.paid_on or found.paid_on or today(),
            amount=Money(line.currency, line.amount_minor), claim_reference=line.claim_reference,
            batch_number=case.reference, programme_name=await programme_name(found.programme),
            licensee_name=sme.name if sme else "",
        )  # fmt: skip


async def _voucher_payouts(case: CaseRecord, paid: Sequence[LineRecord], actor: Actor) -> None:
    """Each paid claim's ``payout`` entry in the voucher ledger (``finance.voucher_entitlements``: where the
    captured money went; the balance does not move)."""
    holds = {c.claim_id: c.hold_id for c in await redemptions.captured_claims([r.claim for r in paid])}
    for line in paid:
        hold_id = holds.get(line.claim)
        if hold_id is not None:
            await entitlements.payout(hold_id=hold_id, amount_minor=line.amount_minor,
                                      ref=f"{case.reference}:{line.line_no}", actor=actor)  # fmt: skip


async def programme_name(programme_id: int) -> str:
    """The programme's name (its version in force), "" for a programme not found."""
    try:
        return (await programmes.programme(programme_id)).name_zh
    except NotFound:
        return ""


async def programme_info(programme_id: int) -> ProgrammeInfo:
    """What a batch needs of its programme: its issuer, name, currency and settlement cycle (the version in force)."""
    found = await programmes.programme(programme_id)
    return ProgrammeInfo(id=found.id, issuer=found.issuer, name=found.name_zh, currency=found.currency,
                         cycle=found.terms.settlement_cycle)  # fmt: skip


# ------------------------------------------------------------------------------------------------ events


async def _emit(name: str, found: BatchRecord, **more: Any) -> None:
    """``voucher.batch_<what>`` with the batch's ids: the issuer's webhooks (and, paid, the payees') hear it."""
    case = await case_of(found)
    await events.emit(
        f"voucher.batch_{name}", batch_id=found.id, number=case.reference, programme_id=found.programme,
        issuer_org=found.issuer, state=case.state, currency=found.currency, up_to=found.up_to.isoformat(), **more,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ output


def _status_totals(totals: Sequence[StatusTotal], currency: str) -> list[StatusTotalOut]:
    return [StatusTotalOut(status=t.status, lines=t.lines, amount=_money(t.amount_minor, currency)) for t in totals]


def line_out(r: LineRecord, names: Mapping[int, str]) -> LineOut:
    return LineOut(
        id=r.id, line_no=r.line_no, claim_id=r.claim, claim_reference=r.claim_reference, payee_org_id=r.payee,
        payee_name=names.get(r.payee, ""), provider_org_id=r.provider, category=r.category, region=r.region,
        amount=_money(r.amount_minor, r.currency), account_name=r.account_name, bank_name=r.bank_name,
        account_number=r.account_number, status=r.status,
        exception=MsgOut.of(Msg(r.exception_code)) if r.exception_code else None, carried_from_line=r.carried_from,
        paid_on=r.paid_on, bank_reference=r.bank_reference,
    )  # fmt: skip


async def batch_out(found: BatchRecord, *, with_lines: bool = True, events_for: bool = True) -> BatchOut:
    case = await case_of(found)
    totals = await repository.totals(found.id)
    made = await desk.decisions(case.id)
    proposals = [d for d in made if d.kind == "proposal"]
    approvals = [d for d in made if d.kind == "approval"]
    pending = await pending_proposal(case.id) if case.state == "proposed" else None
    rows = await repository.lines(found.id) if with_lines else []
    names = {o.id: o.name for o in await org_service.public_orgs(sorted({r.payee for r in rows}))} if rows else {}
    return BatchOut(
        id=found.id, number=case.reference, case_id=case.id, state=case.state, version=case.version,
        programme_id=found.programme, programme_name=await programme_name(found.programme),
        issuer_org_id=found.issuer, period_key=found.period_key, up_to=found.up_to, currency=found.currency,
        totals=_status_totals(totals, found.currency),
        payable=_money(sum(t.amount_minor for t in totals if t.status == "payable"), found.currency),
        paid=_money(await repository.paid_total(batch_id=found.id), found.currency),
        file_name=found.file_name, file_sha256=found.file_sha256, file_lines=found.file_lines,
        return_sha256=found.return_sha256, paid_on=found.paid_on, bank_reference=found.bank_reference,
        proposed_by=proposals[-1].decided_by if proposals else None,
        approved_by=approvals[-1].decided_by if approvals else None,
        pending_proposal_id=pending.id if pending else None,
        events=list(ISSUER_EVENTS.get(case.state, ())) if events_for else [],
        created_at=found.created_at, lines=[line_out(r, names) for r in rows],
    )  # fmt: skip


async def get_batch(*, principal: Principal, batch_id: int) -> BatchOut:
    return await batch_out(await of_issuer(principal, batch_id))


async def batches_of(*, principal: Principal, programme_id: int | None = None) -> list[BatchOut]:
    _require_issuer(principal)
    rows = await repository.batches(issuer=principal.org_id, programme=programme_id)
    return [await batch_out(b, with_lines=False) for b in rows]


async def bank_file(*, principal: Principal, batch_id: int) -> tuple[str, bytes]:
    """The stored bank file, checked against its recorded SHA-256 (a file changed on disk is refused)."""
    found = await of_issuer(principal, batch_id)
    if not found.file_path:
        raise NotFound(Msg("voucher_settlement.no_file"))
    content = await asyncio.to_thread(Path(found.file_path).read_bytes)
    if hashlib.sha256(content).hexdigest() != found.file_sha256:
        raise Conflict(Msg("voucher_settlement.file_hash_mismatch"))
    return found.file_name, content
