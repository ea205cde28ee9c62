"""Voucher settlement batches on both databases: a batch of captured claims (an exception where the payee has no
account), four eyes (the maker refused, a different member approves), the bank file's layout and SHA-256, recorded
paid (payout entries, the university's ledger), the bank's return reconciled with a failed line carried to the
next batch; bad input refused and nothing written."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest

from finance.ledger import service as ledger
from finance.voucher_entitlements import service as entitlements
from finance.voucher_redemptions import service as redemptions
from finance.voucher_settlements import bankfile, documents, repository
from finance.voucher_settlements import service as settlements
from finance.voucher_settlements.records import ClaimToSettle
from finance.voucher_settlements.tables import VoucherBatch, VoucherBatchLine, VoucherPayout
from market.audit.service import Actor
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.events.tables import DomainEvent
from market.jobs import unit_of_work
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from market.webhooks.tables import WebhookDelivery
from tests.finance.pledge_support import member_of
from tests.finance.support import drain
from tests.finance.voucher_entitlement_support import assert_ledger_balanced
from tests.finance.voucher_redemption_support import LICENCE_PRICE
from tests.finance.voucher_settlement_support import captured_through_checkout, claim, issuer, payee, programme

HALF = LICENCE_PRICE // 2


async def _proposed(*, paid_lines: int = 2) -> tuple[Any, Any, Any, Any]:
    owner = await issuer()
    uni = await payee("university")
    bare = await payee("service_provider", account=False)
    claims = [await claim(uni.org_id, 2_000_000), await claim(uni.org_id, 150_050, category="novelty_search"),
              await claim(bare.org_id, 99_900, category="testing")][: paid_lines + 1]  # fmt: skip
    async with unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(), claims=claims,
                                          actor=Actor(owner.maker.user_id, owner.maker.org_id))  # fmt: skip
    current = await settlements.get_batch(principal=owner.maker, batch_id=made.id)
    async with unit_of_work():
        await settlements.propose(principal=owner.maker, batch_id=made.id, expected_version=current.version)
    return owner, uni, bare, await settlements.get_batch(principal=owner.maker, batch_id=made.id)


async def test_a_batch_needs_a_second_member_and_pays_what_it_proposed(backend: Any) -> None:
    owner, uni, bare, batch = await _proposed()
    assert batch.state == "proposed" and batch.number.startswith("VS-")
    by_status = {t.status: (t.lines, t.amount.minor) for t in batch.totals}
    assert by_status == {"payable": (2, 2_150_050), "exception": (1, 99_900)}
    exception = next(line for line in batch.lines if line.status == "exception")
    assert exception.payee_org_id == bare.org_id and exception.exception is not None
    assert exception.exception.code == "voucher_settlement.exception.no_payee_account"
    _, content = await settlements.bank_file(principal=owner.maker, batch_id=batch.id)
    assert hashlib.sha256(content).hexdigest() == batch.file_sha256 and content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig").split("\r\n")
    assert text[0] == ",".join(bankfile.COLUMNS)
    assert text[1].startswith(f"{batch.number},1,{uni.org_name},62220000{uni.org_id:010d},")
    assert ",20000.00,CNY," in text[1] and ",1500.50,CNY," in text[2] and text[3] == ""
    with pytest.raises(Forbidden):  # never the maker's own proposal
        async with unit_of_work():
            await settlements.approve(principal=owner.maker, batch_id=batch.id,
                                      proposal_id=batch.pending_proposal_id or 0, expected_version=batch.version)
    async with unit_of_work():
        approved = await settlements.approve(principal=owner.checker, batch_id=batch.id,
                                             proposal_id=batch.pending_proposal_id or 0,
                                             expected_version=batch.version)  # fmt: skip
    shown = await settlements.batch_out(approved)
    assert (shown.state, shown.proposed_by, shown.approved_by) == ("approved", owner.maker.user_id,
                                                                   owner.checker.user_id)
    async with unit_of_work():
        await settlements.record_paid(principal=owner.maker, batch_id=batch.id, paid_on=date.today(),
                                      reference="ICBC-0042", expected_version=shown.version)
    paid = await settlements.get_batch(principal=owner.maker, batch_id=batch.id)
    assert paid.state == "paid" and paid.paid.minor == 2_150_050
    assert {line.status for line in paid.lines} == {"paid", "carried"}
    payouts = await repository.payouts(batch_id=batch.id)
    assert sorted(p.amount_minor for p in payouts) == [150_050, 2_000_000]
    assert all(p.days_to_pay == 20 for p in payouts)
    income = await ledger.voucher_income(uni.org_id)
    assert sum(v.gross_minor for v in income) == 2_150_050 and {v.batch_number for v in income} == {paid.number}
    assert all(v.inventor_reward_minor == v.gross_minor // 2 for v in income)
    assert await repository.live_claims([line.claim_id for line in paid.lines]) == {
        line.claim_id for line in paid.lines if line.status == "paid"
    }


async def test_the_bank_return_fails_a_line_which_goes_to_the_next_batch(backend: Any) -> None:
    owner, _, _, batch = await _proposed()
    async with unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=batch.id,
                                  proposal_id=batch.pending_proposal_id or 0, expected_version=batch.version)
    approved = await settlements.get_batch(principal=owner.maker, batch_id=batch.id)
    payable = [line for line in approved.lines if line.status == "payable"]
    header = ",".join(bankfile.RETURN_COLUMNS)

    def row(line: Any, status: str, amount: str | None = None) -> str:
        amount = amount or bankfile.yuan(line.amount.minor)
        paid_on = date.today().isoformat() if status == "paid" else ""
        return (f"{approved.number},{line.line_no},{line.account_name},{line.account_number},{line.bank_name},"
                f"{amount},CNY,{line.claim_reference},{status},{paid_on},B{line.line_no},")  # fmt: skip

    wrong = "\r\n".join([header, row(payable[0], "paid", "1.00"), ""]).encode()
    with pytest.raises(ValidationFailed) as caught:
        async with unit_of_work():
            await settlements.reconcile(principal=owner.maker, batch_id=batch.id, content=wrong,
                                        expected_version=approved.version)  # fmt: skip
    assert {e.code for e in caught.value.errors} == {"amount", "missing"}
    assert await VoucherPayout.count() == 0
    good = "\r\n".join([header, row(payable[0], "paid"), row(payable[1], "failed"), ""]).encode()
    async with unit_of_work():
        await settlements.reconcile(principal=owner.maker, batch_id=batch.id, content=good,
                                    expected_version=approved.version)  # fmt: skip
    done = await settlements.get_batch(principal=owner.maker, batch_id=batch.id)
    assert done.state == "paid" and done.return_sha256 == hashlib.sha256(good).hexdigest()
    assert done.paid.minor == payable[0].amount.minor
    failed = next(line for line in done.lines if line.line_no == payable[1].line_no)
    assert failed.status == "carried"
    # the next cycle's batch takes the failed line and the exception again, naming where they came from; the paid
    # claim, still in its live line, is not taken twice
    def again(line: Any) -> Any:
        return ClaimToSettle(claim=line.claim_id, reference=line.claim_reference, payee=line.payee_org_id,
                             provider=line.provider_org_id, sme=None, category=line.category, region=line.region,
                             amount_minor=line.amount.minor, currency="CNY", claimed_at=None, captured_at=None)

    actor = Actor(owner.maker.user_id, owner.maker.org_id)
    later = date.today() + timedelta(days=1)
    async with unit_of_work():
        following = await settlements.assemble(programme=programme(owner.maker), up_to=later,
                                               claims=[again(line) for line in done.lines], actor=actor)
    taken = await repository.lines(following.id)
    assert sorted(t.claim for t in taken) == sorted(line.claim_id for line in done.lines if line.status == "carried")
    assert {t.carried_from for t in taken} == {line.id for line in done.lines if line.status == "carried"}
    lines_before = await VoucherBatchLine.count()
    with pytest.raises(Conflict):  # only claims already in live lines: nothing to settle, nothing written
        async with unit_of_work():
            await settlements.assemble(programme=programme(owner.maker), up_to=later + timedelta(days=1),
                                       claims=[again(line) for line in done.lines], actor=actor)
    assert await VoucherBatchLine.count() == lines_before and await VoucherBatch.count() == 2


async def test_each_payee_gets_its_statement_once_and_the_issuer_its_webhooks(backend: Any) -> None:
    owner, uni, bare, batch = await _proposed()
    async with unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=batch.id,
                                  proposal_id=batch.pending_proposal_id or 0, expected_version=batch.version)
    async with unit_of_work():
        await settlements.record_paid(principal=owner.maker, batch_id=batch.id, paid_on=date.today(),
                                      reference="ICBC-0042", expected_version=batch.version + 1)
    await drain()  # voucher.batch_paid: the statements are rendered
    async with unit_of_work():
        assert await documents.issue_statements(batch_id=batch.id) == 0  # once
    mine = await documents.statements_for(principal=uni)
    assert [(s.batch_number, s.paid.minor, s.unpaid.minor) for s in mine] == [(batch.number, 2_150_050, 0)]
    theirs = await documents.statements_for(principal=bare)
    assert [(s.paid.minor, s.unpaid.minor) for s in theirs] == [(0, 99_900)]
    name, pdf = await documents.statement_pdf(principal=uni, statement_id=mine[0].id)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == mine[0].sha256
    assert name == f"{batch.number}-{uni.org_id}.pdf"
    with pytest.raises(NotFound):  # another payee's statement
        await documents.statement_pdf(principal=bare, statement_id=mine[0].id)
    issued = {s.id for s in await documents.statements_for(principal=owner.checker, batch_id=batch.id)}
    assert issued == {mine[0].id, theirs[0].id}
    names = [e["name"] for e in await DomainEvent.select(DomainEvent.name).order_by(DomainEvent.id)]
    assert [n for n in names if n.startswith("voucher.")] == [
        "voucher.batch_assembled", "voucher.batch_proposed", "voucher.batch_approved", "voucher.batch_paid"]


async def test_batch_events_reach_the_issuers_webhooks_and_paid_the_payees(backend: Any) -> None:
    owner, uni, _, batch = await _proposed()
    await drain()  # the batch's earlier events handled before the endpoints exist
    for principal in (owner.maker, uni):
        async with unit_of_work():
            await webhooks.create_endpoint(principal=principal, allow_loopback_http=True,
                                           data=EndpointIn(url="http://127.0.0.1:9/hook", events=["voucher.*"]))
    async with unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=batch.id,
                                  proposal_id=batch.pending_proposal_id or 0, expected_version=batch.version)
    async with unit_of_work():
        await settlements.record_paid(principal=owner.maker, batch_id=batch.id, paid_on=date.today(),
                                      reference="ICBC-0042", expected_version=batch.version + 1)
    await drain()
    rows = await WebhookDelivery.select(WebhookDelivery.org, WebhookDelivery.event_type)
    got = sorted((r["org"] == uni.org_id, r["event_type"]) for r in rows)
    assert got == [(False, "voucher.batch_approved"), (False, "voucher.batch_paid"), (True, "voucher.batch_paid")]


async def test_the_checkout_claim_is_settled_paid_into_the_ledgers(
    backend: Any, job_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The acceptance journey's second half: the university's captured voucher claim in the next batch (made from
    the programme's captured claims, proposed by one member and approved by another), paid: a payout entry in the
    voucher ledger (the balance unmoved), the voucher income in the university's ledger, the claim settled."""
    w, claim_id = await captured_through_checkout(monkeypatch)
    checker = await member_of(w.issuer, email=f"checker-{w.issuer.org_id}@issuer.example.cn")
    before = await entitlements.balance(w.entitlement.id)
    async with unit_of_work():
        made = await settlements.create_batch(principal=w.issuer, programme_id=w.programme_id, up_to=date.today())
    shown = await settlements.get_batch(principal=w.issuer, batch_id=made.id)
    [line] = shown.lines
    assert (line.claim_id, line.payee_org_id, line.amount.minor, line.status) == (claim_id, w.university.org_id,
                                                                                 HALF, "payable")
    assert line.claim_reference.startswith("VC-") and shown.programme_name
    assert await redemptions.captured_unsettled(w.programme_id, up_to=date.today()) == []  # in this batch now
    async with unit_of_work():
        await settlements.propose(principal=w.issuer, batch_id=made.id, expected_version=shown.version)
    shown = await settlements.get_batch(principal=w.issuer, batch_id=made.id)
    async with unit_of_work():
        await settlements.approve(principal=checker, batch_id=made.id, proposal_id=shown.pending_proposal_id or 0,
                                  expected_version=shown.version)  # fmt: skip
    async with unit_of_work():
        await settlements.record_paid(principal=w.issuer, batch_id=made.id, paid_on=date.today(), reference="R-9",
                                      expected_version=shown.version + 1)  # fmt: skip
    entries = await entitlements.ledger(w.entitlement.id)
    assert [(e.kind, e.amount_minor) for e in entries if e.kind == "payout"] == [("payout", HALF)]
    after = await entitlements.balance(w.entitlement.id)
    assert after.available_minor == before.available_minor and after.captured_minor == before.captured_minor
    await assert_ledger_balanced(w.entitlement.id)
    income = await ledger.voucher_income(w.university.org_id)
    assert [(v.gross_minor, v.claim_reference, v.licensee_name) for v in income] == [
        (HALF, line.claim_reference, w.sme.org_name)]
    with pytest.raises(Conflict):  # settled: not in a second batch
        async with unit_of_work():
            await redemptions.mark_settled([claim_id], made.id + 1, Actor(w.issuer.user_id, w.issuer.org_id))
