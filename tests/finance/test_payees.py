"""Payable transfers: a university records its payee account (validated, audited, history kept); the transfer
instructions and the contract name the account in force when the transfer was asked for; a university without one
cannot be paid by transfer; the university whose account receives the money confirms receipt (another university
cannot see the transfer), the platform admin can too. Services on SQLite and PostgreSQL; API and pages on
PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import pytest

from finance.contracts import service as contracts
from finance.licences import service as licences
from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from market.accounts.principal import Principal
from market.accounts.tables import User
from market.audit.service import verify
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import Msg, render
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.support import LUMP, PAYEE_NUMBER, firm, offer, payee_account, principal_of
from tests.finance.test_licence_flow import request
from tests.listings.support import eligible
from tests.listings.support import record as record_patent

BANK = PaymentStartIn(method="bank_transfer")


async def record(uni: Principal, **values: str) -> None:
    data = {"account_name": uni.org_name, "bank_name": "中国银行杭州分行", "account_number": "6222 0012 3456 7890"}
    async with unit_of_work():
        await payees.record_account(principal=uni, data=PayeeAccountIn(**{**data, **values}))


async def licence_awaiting_transfer(*, payee: bool = True) -> tuple[Principal, Principal, int, int]:
    """(university, firm, licence id, payment id): a lump-sum licence whose bank transfer was asked for."""
    uni, _, declaration_id = await offer(LUMP, payee=payee)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        payment = await payments.start(principal=sme, licence_id=licence.id, data=BANK)
    return uni, sme, licence.id, payment.id


async def test_a_payee_account_is_validated_recorded_with_its_history_and_audited(backend: Backend) -> None:
    uni, _, _ = await offer(LUMP, payee=False)
    with pytest.raises(ValidationFailed) as refused:
        await record(uni, account_name="浙江大学教育基金会", bank_name="", account_number="6222-ABC")
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("account_name", "name_mismatch"),
        ("bank_name", "required"),
        ("account_number", "number_invalid"),
    }
    for number in ("1234567", "1" * 31, "１２３４５６７８９"):  # too short, too long, full-width digits typed
        if number.startswith("１"):
            await record(uni, account_number=number)  # NFKC: full-width digits are digits
            continue
        with pytest.raises(ValidationFailed):
            await record(uni, account_number=number)
    assert (await payees.current_account(uni.org_id)).account_number == "123456789"  # type: ignore[union-attr]

    await record(uni, account_name=" 浙江 大学 ", account_number="6222 0012 3456 7890")  # spacing forgiven
    await record(uni, account_name="浙江大学", account_number="6222 0012 3456 7890")  # the same again: no change
    mine = await payees.mine(principal=uni)
    assert mine.current is not None
    assert (mine.current.account_name, mine.current.account_number) == ("浙江大学", "6222001234567890")
    assert [a.account_number for a in mine.history] == ["6222001234567890", "123456789"]
    assert mine.history[1].superseded_at is not None and mine.history[0].superseded_at is None

    events = await AuditEvent.select().where(AuditEvent.action == "finance.payee_account_recorded")
    assert len(events) == 2  # one per change, none for the repeat
    second = json.loads(events[1]["after"])
    assert second["account_number"] == "6222001234567890" and second["replaces"] == mine.history[1].id
    assert json.loads(events[1]["before"])["account_number"] == "123456789"
    assert (await verify()).ok


async def test_a_university_without_a_payee_account_cannot_be_paid_by_transfer(backend: Backend) -> None:
    uni, _, declaration_id = await offer(LUMP, payee=False)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
    with pytest.raises(Conflict) as refused:
        async with unit_of_work():
            await payments.start(principal=sme, licence_id=licence.id, data=BANK)
    assert refused.value.message_code == "payee.not_set_up"
    assert "浙江大学" in refused.value.text("zh") and "payee account" in refused.value.text("en")
    assert await payments.for_licence(principal=sme, licence_id=licence.id) == []  # nothing written
    assert not await payees.can_receive_transfers([uni.org_id])


async def test_the_instructions_and_the_contract_name_the_account_in_force_when_the_transfer_was_asked(
    backend: Backend, job_queue
) -> None:
    uni, sme, licence_id, payment_id = await licence_awaiting_transfer()
    [payment] = await payments.for_licence(principal=sme, licence_id=licence_id)
    assert payment.instructions is not None and payment.instructions.code == "payment.transfer_instructions"
    params = payment.instructions.params
    assert (params["account_name"], params["bank_name"], params["account_number"]) == (
        "浙江大学",
        "中国工商银行杭州玉泉支行",
        PAYEE_NUMBER,
    )
    said = render(Msg(payment.instructions.code, params), "en")
    assert params["reference"] == payment.reference and payment.reference in said
    assert PAYEE_NUMBER in said and "123,456.00" in said and "中国工商银行杭州玉泉支行" in said

    await payee_account(uni, number="9558800200123456789", bank="中国银行杭州分行")  # changed afterwards
    [payment] = await payments.for_licence(principal=sme, licence_id=licence_id)
    assert payment.payee is not None and payment.payee.account_number == PAYEE_NUMBER  # as instructed

    await job_queue.drain()  # the instructions reached the payer's members (in the app, and by e-mail)
    notes = await Notification.select().where(Notification.kind == "licence_transfer")
    assert len(notes) == 1 and notes[0]["body_code"] == "payment.transfer_instructions"

    async with unit_of_work():
        await payments.confirm_receipt(principal=uni, payment_id=payment_id)
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None
    context = await contracts.contract_context(licence)
    assert context["payee"] == {
        "account_name": "浙江大学",
        "bank_name": "中国工商银行杭州玉泉支行",
        "number": PAYEE_NUMBER,
    }


async def test_the_payee_university_confirms_receipt_and_no_other_can(backend: Backend, job_queue) -> None:
    uni, sme, licence_id, payment_id = await licence_awaiting_transfer()
    stranger = await principal_of(await make_account("university", org_name="复旦大学"))
    for outsider in (stranger, sme):
        with pytest.raises(NotFound):
            async with unit_of_work():
                await payments.confirm_receipt(principal=outsider, payment_id=payment_id)
    async with unit_of_work():
        confirmed = await payments.confirm_receipt(principal=uni, payment_id=payment_id)
    assert (confirmed.status, confirmed.confirmed_by, confirmed.confirmed_by_org) == (
        "succeeded",
        uni.user_id,
        uni.org_id,
    )
    assert (await licences.get(principal=sme, licence_id=licence_id)).status == "active"
    with pytest.raises(Conflict):  # once only
        async with unit_of_work():
            await payments.confirm_receipt(principal=uni, payment_id=payment_id)
    [event] = await AuditEvent.select().where(AuditEvent.action == "finance.payment_succeeded")
    assert event["actor_user_id"] == uni.user_id  # who confirmed


# ------------------------------------------------------------------------------------------- API and pages


async def test_the_api_records_the_account_for_owners_and_confirms_for_the_payee_only(client: Client) -> None:
    uni_account = await make_account("university", org_name="浙江大学")
    member = await make_account("university", org_name="浙江工业大学", role="member")  # a member, not an owner
    await sign_in(client, uni_account)
    bad = await client.send_json(
        "PUT",
        "/api/university/payee-account",
        {"account_name": "别的单位", "bank_name": "工行", "account_number": "12"},
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in bad.json()["errors"]} == {"account_name", "account_number"}
    good = {"account_name": "浙江大学", "bank_name": "中国工商银行杭州玉泉支行", "account_number": PAYEE_NUMBER}
    saved = await client.send_json("PUT", "/api/university/payee-account", good)
    assert saved.status_code == 200, saved.text
    assert (await client.get("/api/university/payee-account")).json()["current"]["account_number"] == PAYEE_NUMBER

    await switch(client, member)
    assert (await client.send_json("PUT", "/api/university/payee-account", good)).status_code == 403  # owners only


async def test_confirming_receipt_over_the_api_and_on_the_page(client: Client) -> None:
    uni, _, _, payment_id = await licence_awaiting_transfer()
    second_id = await second_licence(uni)
    stranger = await make_account("university", org_name="复旦大学")
    await sign_in(client, stranger)
    assert (await client.send_json("POST", f"/api/university/transfers/{payment_id}/confirm")).status_code == 404
    assert (await client.get(f"/university/transfers/{payment_id}/confirm")).status_code == 404
    assert (await client.get("/api/university/transfers")).json() == []

    await switch(client, await account_of(uni))
    pending = (await client.get("/api/university/transfers")).json()
    assert {p["id"] for p in pending} == {payment_id, second_id}
    step = await client.get(f"/university/transfers/{payment_id}/confirm")  # the confirmation step: nothing yet
    assert step.status_code == 200 and 'id="confirm-receipt"' in step.text
    assert (await payments.payment_by_id(payment_id)).status == "awaiting_payer"  # type: ignore[union-attr]
    url = f"/university/transfers/{payment_id}/confirm"
    unconfirmed = await client.post(url, headers={"x-csrftoken": await client.csrf()})  # the step again, no change
    assert 'id="confirm-receipt"' in unconfirmed.text
    assert (await payments.payment_by_id(payment_id)).status == "awaiting_payer"  # type: ignore[union-attr]
    done = await client.post(url, data={"confirmed": "yes"}, headers={"x-csrftoken": await client.csrf()})
    assert done.status_code == 200 and 'id="done"' in done.text
    confirmed = await client.send_json("POST", f"/api/university/transfers/{second_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"

    await switch(client, await make_account("platform_admin", org_name="平台运营"))
    again = await client.send_json("POST", f"/api/admin/payments/{payment_id}/confirm")
    assert again.status_code == 409  # the admin path too, and exactly once


async def test_the_admin_list_shows_payer_licence_listing_amount_and_reference(client: Client) -> None:
    _, _, licence_id, payment_id = await licence_awaiting_transfer()
    operator = await make_account("platform_admin", org_name="平台运营")
    await sign_in(client, operator)
    [row] = (await client.get("/api/admin/payments/transfers")).json()
    assert (row["id"], row["licence_id"], row["payer"], row["amount_minor"]) == (
        payment_id,
        licence_id,
        "深圳市青禾智能科技有限公司",
        12_345_600,
    )
    assert row["licence_number"] and row["reference"] and row["patent_number"] == "CN108982325B"
    assert row["declaration_id"] and row["licensor"] == "浙江大学" and row["payee"]["account_number"] == PAYEE_NUMBER
    desk = await client.get("/admin/transfers")
    assert (
        row["reference"] in desk.text
        and "深圳市青禾智能科技有限公司" in desk.text
        and row["licence_number"] in desk.text
    )
    assert f'href="/admin/transfers/{payment_id}/confirm"' in desk.text  # a link to the confirmation step
    step = await client.get(f"/admin/transfers/{payment_id}/confirm")
    assert step.status_code == 200 and 'id="confirm-receipt"' in step.text


async def test_the_listing_says_when_the_university_cannot_receive_transfers_yet(client: Client) -> None:
    uni, _, declaration_id = await offer(LUMP, payee=False)
    page = await client.get(f"/listings/{declaration_id}")
    assert page.status_code == 200 and 'id="payee-not-set-up"' in page.text
    await payee_account(uni)
    assert 'id="payee-not-set-up"' not in (await client.get(f"/listings/{declaration_id}")).text


async def second_licence(uni: Principal) -> int:
    """Another licence of the same university (another patent, another firm), its transfer asked for: the payment."""
    patent_id = await record_patent(uni, eligible("CN109000001B", patentees=[uni.org_name]))
    async with unit_of_work():
        report = await declarations.declare(
            principal=uni, data=DeclareIn(patent_ids=[patent_id], terms=TermsIn(**LUMP))
        )
    declaration_id = report.results[0].declaration_id
    assert declaration_id is not None
    sme = await firm("苏州澄明光电有限公司")
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        payment = await payments.start(principal=sme, licence_id=licence.id, data=BANK)
    return payment.id


async def account_of(principal: Principal) -> Account:
    row = await User.select(User.email).where(User.id == principal.user_id).first()
    assert row is not None
    return Account(principal.user_id, principal.org_id, row["email"], principal.org_name, "university")


async def switch(client: Client, account: Account) -> None:
    client.cookies.clear()
    await sign_in(client, account)


async def test_the_payee_page_records_the_account_with_errors_beside_the_fields(client: Client) -> None:
    owner = await make_account("university", org_name="浙江大学")
    await sign_in(client, owner)
    html = {"accept": "text/html"}
    empty = await client.get("/university/payee", headers=html)
    assert empty.status_code == 200 and 'id="payee-missing"' in empty.text and 'value="浙江大学"' in empty.text
    form = {"account_name": "浙江大学", "bank_name": "中国工商银行杭州玉泉支行", "account_number": "12-34"}
    bad = await client.post("/university/payee", data=form, headers={"x-csrftoken": await client.csrf(), **html})
    assert bad.status_code == 422 and 'id="account_number-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="12-34"' in bad.text  # what was typed stays
    good = {**form, "account_number": PAYEE_NUMBER}
    saved = await client.post("/university/payee", data=good, headers={"x-csrftoken": await client.csrf(), **html})
    assert saved.status_code == 200 and 'id="saved"' in saved.text and PAYEE_NUMBER in saved.text
    assert (await payees.current_account(owner.org_id)).account_number == PAYEE_NUMBER  # type: ignore[union-attr]


async def test_parallel_confirmations_confirm_once(backend: Backend, client: Client) -> None:
    """PostgreSQL: 20 confirmations at once (the university's owner and the platform admin, API and page paths
    alike) give one 200 and 409s, one payment_succeeded event, one activation."""
    if backend.name != "postgres":
        pytest.skip("the race is about PostgreSQL's concurrent transactions")
    uni, sme, licence_id, payment_id = await licence_awaiting_transfer()
    owner_client, admin_client = client, Client(client.app)
    await sign_in(owner_client, await account_of(uni))
    await sign_in(admin_client, await make_account("platform_admin", org_name="平台运营"))
    calls = [
        owner_client.send_json("POST", f"/api/university/transfers/{payment_id}/confirm")
        if n % 2
        else admin_client.send_json("POST", f"/api/admin/payments/{payment_id}/confirm")
        for n in range(20)
    ]
    answers = await asyncio.gather(*calls)
    await admin_client.aclose()
    assert sorted(a.status_code for a in answers) == [200] + [409] * 19, [a.status_code for a in answers]
    assert len(await AuditEvent.select().where(AuditEvent.action == "finance.payment_succeeded")) == 1
    assert (await licences.get(principal=sme, licence_id=licence_id)).status == "active"
