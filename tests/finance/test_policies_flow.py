"""IP insurance policies, from an accepted application to cancellation, on both databases: bound (number, the
application moved to ``bound``), the premium paid by bank transfer and confirmed by the insurer (a premium entry;
the policy in force for its period from the next day; the schedule rendered, sealed and its SHA-256 stored and
checked on download, for the two parties only), a patent added by endorsement (pro rata, a new schedule version),
cancelled with the unearned premium refunded pro rata (hand-computed to the fen) and the refund marked paid; bad
input refused with a clear error and nothing written."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from finance.insurance import service as insurance
from finance.insurance_products import service as products
from finance.policies import service as policies
from finance.policies.tables import Endorsement, InsurancePolicy, PremiumEntry, PremiumPayment
from finance.signatures import service as signing
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import Backend, make_account
from tests.finance.insurance_support import accepted_application, sme
from tests.finance.policy_support import bound_policy, clock, in_force_policy, pay_by_transfer
from tests.finance.support import drain, payee_account, principal_of
from tests.listings.support import eligible, record

PAID = date(2026, 12, 31)  # the premium received: cover runs 2027-01-01 .. 2027-12-31 (365 days)


async def test_bind_makes_a_numbered_policy_awaiting_its_premium_and_binds_the_application(backend: Backend) -> None:
    made = await bound_policy()
    row = await policies.policy(made.policy_id)
    assert re.fullmatch(r"PB-\d{4}-\d{6}", row.number)
    assert row.state == "awaiting_premium" and row.starts_on is None
    app = await insurance.application(made.accepted.application_id)
    assert app.state == "bound"
    assert (row.premium_minor, row.aggregate_limit_minor) == (
        int(app.quote["premium_minor"]), int(app.quote["aggregate_limit_minor"]))
    assert row.patent_ids == app.patent_ids
    assert await policies.premium_paid(made.policy_id) == Money("CNY", 0)
    assert await policies.paid_proof(made.policy_id) is None
    with pytest.raises(Conflict):  # bound once
        async with unit_of_work():
            await policies.bind(principal=made.insured, application_id=made.accepted.application_id)


async def test_premium_by_bank_transfer_confirmed_by_the_insurer_puts_the_policy_in_force(backend: Backend) -> None:
    made = await bound_policy()
    with clock(PAID):
        async with unit_of_work():
            out = await policies.pay_premium(principal=made.insured, policy_id=made.policy_id, method="bank_transfer")
        [payment] = out.payments
        assert payment.reference.startswith("OL-") and payment.status == "awaiting_payer"
        assert payment.instructions is not None and payment.reference in str(payment.instructions.params)
        assert payment.instructions.code == "policies.transfer_instructions_no_account"  # no account recorded
        assert out.premium_due_minor == 220_000
        waiting = await policies.transfers_awaited(principal=made.underwriter)
        assert [p.id for _, p in waiting] == [payment.id]
        async with unit_of_work():
            done = await policies.confirm_premium_received(principal=made.underwriter, payment_id=payment.id)
        await drain()
    assert done.state == "in_force"
    assert (done.starts_on, done.ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
    product = await products.version((await policies.policy(made.policy_id)).product_version)
    assert done.retroactive_date == date(2027, 1, 1) - timedelta(days=product.retroactive_days)
    assert await policies.premium_paid(made.policy_id) == Money("CNY", 220_000)
    proof = await policies.paid_proof(made.policy_id)
    assert proof is not None
    assert (proof.paid_on, proof.amount_minor, proof.reference, proof.method) == (
        PAID, 220_000, payment.reference, "bank_transfer")
    assert [r.id for r in await policies.in_force_for(made.insured.org_id)] == [made.policy_id]
    # received once: a second confirmation is refused and writes nothing
    with pytest.raises(Conflict):
        async with unit_of_work():
            await policies.confirm_premium_received(principal=made.underwriter, payment_id=payment.id)
    assert await PremiumEntry.count().where(PremiumEntry.policy == made.policy_id) == 1


async def test_the_schedule_is_sealed_hashed_and_served_to_the_two_parties_only(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)
    row = await policies.policy(made.policy_id)
    assert row.schedule_version == 1 and len(row.schedule_sha256) == 64
    for party in (made.insured, made.underwriter):
        name, pdf = await policies.schedule_pdf(principal=party, policy_id=made.policy_id)
        assert name == f"{row.number}-schedule-v1.pdf"
        assert hashlib.sha256(pdf).hexdigest() == row.schedule_sha256
    check = await signing.verify(pdf)
    assert check.valid, check  # sealed by the platform (PAdES), not changed since
    audit = await AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "finance.policy_schedule_issued")
    assert row.schedule_sha256 in str(audit)
    stranger = await principal_of(await make_account("sme", org_name="路人科技有限公司"))  # words: data
    with pytest.raises(NotFound):
        await policies.schedule_pdf(principal=stranger, policy_id=made.policy_id)


async def test_endorsement_pro_rata_then_cancellation_refund_hand_computed(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)  # CNY 2,200.00 a year for one patent (2,000 + 200)
    second = await record(made.insured, eligible("CN109000002B", patentees=[made.insured.org_name]))
    row = await policies.policy(made.policy_id)
    with clock(date(2027, 7, 1)):
        async with unit_of_work():
            out = await policies.endorse_add_patent(principal=made.insured, policy_id=made.policy_id,
                                                    patent_id=second, version=row.version)
    [endorsement] = out.endorsements
    # one more patent: CNY 200.00 a year; 1 July - 31 December 2027 = 184 of 365 days; 20,000 x 184 / 365 = 10,082.19
    assert (endorsement.annual_delta_minor, endorsement.days, endorsement.days_in_period) == (20_000, 184, 365)
    assert endorsement.amount_minor == 10_082 and endorsement.state == "awaiting_premium"
    assert out.premium_due_minor == 10_082 and second not in [p.id for p in out.patents]
    with clock(date(2027, 7, 1)):
        await pay_by_transfer(made)
    row = await policies.policy(made.policy_id)
    assert second in row.patent_ids and row.premium_minor == 240_000
    assert row.aggregate_limit_minor == 240_000 * 15  # the table's limit for two patents
    assert row.schedule_version == 2
    assert await policies.premium_paid(made.policy_id) == Money("CNY", 230_082)

    with clock(date(2027, 10, 1)):
        async with unit_of_work():
            out = await policies.cancel(principal=made.insured, policy_id=made.policy_id, on=date(2027, 10, 1),
                                        version=row.version)
        await drain()
    assert out.state == "cancelled" and out.cancelled_on == date(2027, 10, 1) and out.cancelled_by == "insured"
    cancellation = out.endorsements[-1]
    # CNY 2,400.00 a year; 1 October - 31 December = 92 of 365 days unearned; 240,000 x 92 / 365 = 60,493.15 -> 60,493
    assert (cancellation.kind, cancellation.days, cancellation.amount_minor) == ("cancellation", 92, 60_493)
    assert cancellation.state == "refund_due"
    assert await policies.premium_paid(made.policy_id) == Money("CNY", 230_082 - 60_493)
    owed = await policies.refunds_owed(principal=made.underwriter)
    assert [e.id for e in owed] == [cancellation.id]
    async with unit_of_work():
        await policies.mark_refund_paid(principal=made.underwriter, endorsement_id=cancellation.id,
                                        reference="HK-0001")
    assert await policies.refunds_owed(principal=made.underwriter) == []
    with pytest.raises(Conflict):  # paid once
        async with unit_of_work():
            await policies.mark_refund_paid(principal=made.underwriter, endorsement_id=cancellation.id)


async def test_cancelling_before_the_premium_closes_the_transfer_and_refunds_nothing(backend: Backend) -> None:
    made = await bound_policy()
    async with unit_of_work():
        out = await policies.pay_premium(principal=made.insured, policy_id=made.policy_id, method="bank_transfer")
    row = await policies.policy(made.policy_id)
    async with unit_of_work():
        done = await policies.cancel(principal=made.underwriter, policy_id=made.policy_id, on=policies.today(),
                                     version=row.version)
    assert done.state == "cancelled" and done.cancelled_by == "insurer"
    assert [p.status for p in done.payments] == ["canceled"]
    assert await PremiumEntry.count().where(PremiumEntry.policy == made.policy_id) == 0
    # a transfer that still arrives is received as to be refunded, never lost, and puts nothing in force
    async with unit_of_work():
        late = await policies.confirm_premium_received(principal=made.underwriter, payment_id=out.payments[0].id)
    assert late.state == "cancelled" and [p.status for p in late.payments] == ["refund_due"]
    assert await PremiumEntry.count().where(PremiumEntry.policy == made.policy_id) == 0


async def test_bind_after_the_quote_expired_is_refused_and_writes_nothing(backend: Backend) -> None:
    accepted = await accepted_application()
    app = await insurance.application(accepted.application_id)
    valid_until = date.fromisoformat(str(app.quote["valid_until"])[:10])
    before = await AuditEvent.count()
    with clock(valid_until + timedelta(days=1)), pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await policies.bind(principal=accepted.sme.principal, application_id=accepted.application_id)
    assert refused.value.message.code == "policies.quote_expired"
    assert [e.code for e in refused.value.errors] == ["quote_expired"]
    assert await InsurancePolicy.count() == 0
    assert await AuditEvent.count() == before
    assert (await insurance.application(accepted.application_id)).state == "accepted"


async def test_bind_by_another_firm_or_of_a_pending_application_is_refused(backend: Backend) -> None:
    accepted = await accepted_application()
    other = await sme("另一家科技有限公司")  # words: data
    with pytest.raises(NotFound):
        async with unit_of_work():
            await policies.bind(principal=other.principal, application_id=accepted.application_id)
    assert await InsurancePolicy.count() == 0


async def test_endorsing_a_cancelled_policy_or_an_ineligible_patent_is_refused_and_writes_nothing(
    backend: Backend,
) -> None:
    made = await in_force_policy(paid_at=PAID)
    row = await policies.policy(made.policy_id)
    foreign = (await sme("别家科技有限公司")).patent  # words: data (not the insured's patent)
    with clock(date(2027, 3, 1)), pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await policies.endorse_add_patent(principal=made.insured, policy_id=made.policy_id, patent_id=foreign,
                                              version=row.version)
    assert refused.value.errors and all(e.field == "patent_id" for e in refused.value.errors)
    assert await Endorsement.count() == 0
    assert (await policies.policy(made.policy_id)).version == row.version
    with clock(date(2027, 3, 1)):
        async with unit_of_work():
            await policies.cancel(principal=made.insured, policy_id=made.policy_id, on=date(2027, 3, 1),
                                  version=row.version)
    row = await policies.policy(made.policy_id)
    second = await record(made.insured, eligible("CN109000005B", patentees=[made.insured.org_name]))
    endorsements = await Endorsement.count()
    with clock(date(2027, 3, 2)), pytest.raises(Conflict) as refused_state:
        async with unit_of_work():
            await policies.endorse_add_patent(principal=made.insured, policy_id=made.policy_id, patent_id=second,
                                              version=row.version)
    assert refused_state.value.message.code == "policies.not_in_force"
    assert await Endorsement.count() == endorsements
    assert await PremiumPayment.count().where(PremiumPayment.status == "awaiting_payer") == 0


async def test_cancellation_in_the_past_is_refused(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)
    row = await policies.policy(made.policy_id)
    with clock(date(2027, 5, 1)), pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await policies.cancel(principal=made.insured, policy_id=made.policy_id, on=date(2027, 4, 30),
                                  version=row.version)
    assert [e.field for e in refused.value.errors] == ["on"]
    assert (await policies.policy(made.policy_id)).state == "in_force"


async def test_the_insurers_book(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)
    second = await bound_policy(await accepted_application(cover=made.insurer,
                                                           applicant=await sme("第二家科技有限公司")))  # words: data
    book = await policies.book(insurer_org=made.underwriter.org_id, on=date(2027, 1, 10),
                               claims_by_state={"notified": 2, "paid": 1}, claims_paid_minor=3_000)
    assert book.policies_by_state == {"awaiting_premium": 1, "in_force": 1, "cancelled": 0, "expired": 0}
    assert book.premium_written_by_month == [("2026-12", 220_000)]
    assert book.limits_in_force_minor == 220_000 * 15
    # 10 of 365 days earned: 220,000 x 10 / 365 = 6,027.39 -> 6,027; loss ratio 3,000 / 6,027 = 49.77% -> 4977 bp
    assert book.premium_earned_minor == 6_027
    assert book.loss_ratio_bp == 4_977
    assert book.claims_by_state == {"notified": 2, "paid": 1}
    assert second.policy_id != made.policy_id


async def test_a_transfer_names_the_insurers_receiving_account_when_it_has_recorded_one(backend: Backend) -> None:
    made = await bound_policy()
    await payee_account(made.underwriter, number="6222020200112233445")
    async with unit_of_work():
        out = await policies.pay_premium(principal=made.insured, policy_id=made.policy_id, method="bank_transfer")
    [payment] = out.payments
    assert payment.payee is not None and payment.payee.account_number == "6222020200112233445"
    assert payment.instructions is not None and payment.instructions.code == "policies.transfer_instructions"
    assert payment.instructions.params["reference"] == payment.reference


async def test_a_policy_expires_the_day_after_its_period_once(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)
    assert await policies.expire_ended(on=date(2027, 12, 31)) == 0  # its last day is still covered
    async with unit_of_work():
        assert await policies.expire_ended(on=date(2028, 1, 1)) == 1
    async with unit_of_work():
        assert await policies.expire_ended(on=date(2028, 1, 2)) == 0
    assert (await policies.policy(made.policy_id)).state == "expired"
    assert await policies.in_force_for(made.insured.org_id) == []


async def test_a_schedule_changed_on_disk_is_refused(backend: Backend) -> None:
    made = await in_force_policy(paid_at=PAID)
    name, data, sha256 = await policies.schedule_document(made.policy_id)
    assert hashlib.sha256(data).hexdigest() == sha256 and name.endswith("-schedule-v1.pdf")
    row = await policies.policy(made.policy_id)
    Path(row.schedule_path).write_bytes(data + b"%tampered")
    with pytest.raises(Conflict) as refused:
        await policies.schedule_pdf(principal=made.insured, policy_id=made.policy_id)
    assert refused.value.message.code == "policies.hash_mismatch"
