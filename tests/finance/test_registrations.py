"""Pledge registrations: documents rendered with the terms CNIPA requires, both parties' signed clicks, the CNIPA
registration machine (conditional updates, the paused clock), the patent pledged in listings, the pledgee's consent
and Art 86(4) / Art 444 across modules, the bank's alerts, on both databases; the races on PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from finance.desk import service as desk
from finance.registrations import machine
from finance.registrations import service as registrations
from finance.registrations.service import PledgeTerms
from finance.signatures import service as signing
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.patents import service as patents
from market import runtime
from market.accounts.principal import Principal
from market.audit.service import Actor
from market.errors import Conflict, Forbidden, MarketError, ValidationFailed
from market.events.tables import DomainEvent as Event
from market.i18n import gettext
from market.jobs import unit_of_work
from market.kit.money import Money
from market.notifications.tables import Notification
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.support import drain, principal_of
from tests.listings.support import eligible, record

pytestmark = pytest.mark.usefixtures("backend")


ACCOUNTS: dict[int, Account] = {}  # each party's account by its organisation (to sign in as it)


async def parties() -> tuple[Principal, Principal]:
    out = []
    for kind, name in (("sme", "深圳市青禾智能科技有限公司"), ("bank", "交通银行深圳分行")):
        account = await make_account(kind, org_name=name)
        ACCOUNTS[account.org_id] = account
        out.append(await principal_of(account))
    return out[0], out[1]


async def pledge(
    *, term_months: int = 24, numbers: tuple[str, ...] = ("CN108982325B",), application: int = 12
) -> tuple[Principal, Principal, int, list[int]]:
    """An SME with its patents, a bank, and the registration of an accepted pledge of them."""
    sme, bank = await parties()
    ids = [await record(sme, eligible(n, patentees=[sme.org_name])) for n in numbers]
    async with unit_of_work():
        reg = await registrations.start(
            terms=PledgeTerms(
                application_id=application,
                pledgor_org=sme.org_id,
                pledgee_org=bank.org_id,
                amount=Money("CNY", 300_000_000),
                term_months=term_months,
                patent_ids=tuple(ids),
                rate_bp=385,
            ),
            data_dir=runtime.current().settings.data_dir,
        )
    return sme, bank, reg.id, ids


async def version(registration_id: int) -> int:
    row = await registrations.registration_by_id(registration_id)
    assert row is not None
    return row.version


async def both_sign(sme: Principal, bank: Principal, reg: int) -> None:
    for who in (sme, bank):
        async with unit_of_work():
            await registrations.sign(
                principal=who, registration_id=reg, expected_version=await version(reg), ip="10.0.0.1"
            )


async def registered(sme: Principal, bank: Principal, reg: int, on: date = date(2026, 12, 10)) -> None:
    await both_sign(sme, bank, reg)
    async with unit_of_work():
        await registrations.file(principal=bank, registration_id=reg, expected_version=await version(reg), filed_on=on)
    async with unit_of_work():
        await registrations.register(
            principal=bank,
            registration_id=reg,
            expected_version=await version(reg),
            number="Y2026980001234",
            registered_on=on + timedelta(days=3),
        )
    await drain()


def pdftext(path: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout


async def test_an_accepted_pledge_gets_its_contract_and_form_with_the_terms_cnipa_requires() -> None:
    sme, bank, reg, [patent_id] = await pledge()
    docs = await registrations.documents(reg)
    assert [d.kind for d in docs] == ["pledge_contract", "pledge_registration_form"]
    for d in docs:
        assert hashlib.sha256(Path(d.path).read_bytes()).hexdigest() == d.sha256
    contract = pdftext(docs[0].path)
    for words in (
        "专利权质押合同",
        "CN108982325B",
        "2018年7月30日",
        "2020年5月12日",
        "质押担保的范围",
        "第四百四十四条",
        "维持专利权有效",
        "宣告无效",
        "争议的解决",
        "¥3,000,000.00",
        "Civil Code Art 444",
    ):
        assert words in contract, words
    form = pdftext(docs[1].path)
    assert "专利权质押登记申请表" in form and "资产评估报告" in form and sme.org_name in form and bank.org_name in form
    row = await registrations.registration_by_id(reg)
    assert row is not None and row.state == "awaiting_signatures" and row.reference.startswith("PR-")
    # sealed by the platform (PAdES): the stored PDF verifies, one byte changed does not
    pdf = Path(docs[0].path).read_bytes()
    check = await signing.verify(pdf)
    assert check.valid and check.intact
    at = pdf.index(b"Pledge Contract") if b"Pledge Contract" in pdf else len(pdf) // 3
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    assert not (await signing.verify(tampered)).valid
    async with unit_of_work():  # once per application
        again = await registrations.start(
            terms=PledgeTerms(12, sme.org_id, bank.org_id, Money("CNY", 1), 12, (patent_id,)),
            data_dir=runtime.current().settings.data_dir,
        )
    assert again.id == reg and len(await registrations.documents(reg)) == 2
    await drain()
    for who in (sme, bank):  # both asked to sign, once
        notes = [n for n in await notes_of(who.user_id) if n["kind"] == "pledge_registration"]
        assert [n["code"] for n in notes] == ["registration.notice.started"]


async def test_a_debt_running_past_the_patents_expiry_is_refused_with_ground_06() -> None:
    with pytest.raises(Conflict) as caught:
        await pledge(term_months=12 * 13)  # filed 2018: expires 2038
    assert [(e.code, e.article) for e in caught.value.errors] == [("pledge.ground.06", "law.pledge.reg461.ground06")]


async def test_a_contract_lacking_a_term_cnipa_requires_is_not_made_ground_07() -> None:
    sme, bank = await parties()
    patent_id = await record(sme, eligible("CN108982325B", patentees=[sme.org_name], grant_date=None))
    with pytest.raises(Conflict) as caught:
        async with unit_of_work():
            await registrations.start(
                terms=PledgeTerms(3, sme.org_id, bank.org_id, Money("CNY", 100_000_000), 12, (patent_id,)),
                data_dir=runtime.current().settings.data_dir,
            )
    assert {(e.code, e.field) for e in caught.value.errors} == {("pledge.ground.07", "patents.0.grant_date")}
    assert await registrations.registration_of_application(3) is None  # nothing half-written


async def test_both_parties_sign_each_document_with_identity_and_hash_then_it_is_ready_to_file() -> None:
    sme, bank, reg, _ = await pledge()
    async with unit_of_work():
        after = await registrations.sign(
            principal=sme, registration_id=reg, expected_version=1, ip="10.0.0.9", user_agent="test"
        )
    assert after.state == "awaiting_signatures" and after.version == 2
    with pytest.raises(Conflict):  # once per party
        async with unit_of_work():
            await registrations.sign(principal=sme, registration_id=reg, expected_version=2)
    async with unit_of_work():
        done = await registrations.sign(principal=bank, registration_id=reg, expected_version=2)
    assert done.state == "ready_to_file"
    docs = {d.id: d for d in await registrations.documents(reg)}
    sigs = await registrations.signatures(reg)
    assert {(docs[s.document_id].kind, s.role) for s in sigs} == {
        (k, r) for k in ("pledge_contract", "pledge_registration_form") for r in ("pledgor", "pledgee")
    }
    assert all(s.sha256 == docs[s.document_id].sha256 and s.method == "click" for s in sigs)
    assert {(s.signer, s.organisation, s.ip) for s in sigs if s.role == "pledgor"} == {
        (sme.user_id, sme.org_id, "10.0.0.9")
    }


async def test_the_registration_machine_pauses_on_correction_and_marks_the_patent_pledged() -> None:
    sme, bank, reg, [patent_id] = await pledge()
    await both_sign(sme, bank, reg)
    with pytest.raises(Forbidden):  # the pledgee records CNIPA's handling
        await registrations.file(
            principal=sme, registration_id=reg, expected_version=await version(reg), filed_on=date(2026, 12, 7)
        )
    async with unit_of_work():
        filed = await registrations.file(
            principal=bank, registration_id=reg, expected_version=await version(reg), filed_on=date(2026, 12, 7)
        )  # a Monday
    assert filed.due_on == date(2026, 12, 16)  # 7 working days
    async with unit_of_work():
        await registrations.request_correction(
            principal=bank,
            registration_id=reg,
            expected_version=filed.version,
            on=date(2026, 12, 9),
            note="合同缺少第八条内容",
        )
    with pytest.raises(Conflict):  # not from correction_requested
        await registrations.register(
            principal=bank,
            registration_id=reg,
            expected_version=filed.version + 1,
            number="X",
            registered_on=date(2026, 12, 10),
        )
    async with unit_of_work():
        back = await registrations.resubmit(
            principal=bank, registration_id=reg, expected_version=filed.version + 1, on=date(2026, 12, 14)
        )  # paused Wed..Mon: 3 working days
    assert back.state == "filed" and back.paused_working_days == 3 and back.due_on == date(2026, 12, 21)
    with pytest.raises(Conflict):  # a stale version
        await registrations.register(
            principal=bank,
            registration_id=reg,
            expected_version=filed.version,
            number="Y2026980001234",
            registered_on=date(2026, 12, 15),
        )
    patent = await patents.patent_by_id(patent_id)
    assert patent is not None and not patent.pledged
    async with unit_of_work():
        done = await registrations.register(
            principal=bank,
            registration_id=reg,
            expected_version=back.version,
            number="Y2026980001234",
            registered_on=date(2026, 12, 15),
        )
    assert done.state == "registered" and done.registration_number == "Y2026980001234"
    patent = await patents.patent_by_id(patent_id)
    assert patent is not None and patent.pledged and not patent.pledgee_consent


async def test_cnipas_seven_working_days_skip_the_calendars_holidays() -> None:
    sme, bank, reg, _ = await pledge()
    await both_sign(sme, bank, reg)
    async with unit_of_work():
        await desk.set_calendar_day(date(2026, 12, 8), "holiday", "测试假日", Actor.system(), source="test")
        filed = await registrations.file(
            principal=bank, registration_id=reg, expected_version=await version(reg), filed_on=date(2026, 12, 7)
        )
    assert filed.due_on == date(2026, 12, 17)  # Tuesday 8th is a holiday: one working day later than without it


async def test_cnipas_handling_is_recorded_as_decisions_on_the_applications_desk_case() -> None:
    sme, bank, reg, _ = await pledge(application=41)
    async with unit_of_work():
        case = await desk.open_case(
            kind="pledge_loan",
            subject=41,
            reviewer_org=bank.org_id,
            applicant_org=sme.org_id,
            amount=Money("CNY", 300_000_000),
            machine=machine.RegistrationMachine,
            reference_prefix="PL",
            sla_working_days=15,
            actor=Actor.system(),
        )
    await both_sign(sme, bank, reg)
    async with unit_of_work():
        await registrations.file(principal=bank, registration_id=reg, expected_version=3, filed_on=date(2026, 12, 7))
        await registrations.refuse(principal=bank, registration_id=reg, expected_version=4, ground="pledge.ground.05")
    [decision] = await desk.decisions(case.id)
    assert (decision.kind, decision.outcome, decision.role) == ("registration", "refused", "pledgee")
    assert [(r.code, r.source) for r in decision.reasons] == [("pledge.ground.05", "law.pledge.reg461.ground05")]
    assert decision.snapshot["ground"] == "pledge.ground.05"


async def test_a_refusal_names_its_ground() -> None:
    sme, bank, reg, _ = await pledge()
    await both_sign(sme, bank, reg)
    async with unit_of_work():
        await registrations.file(principal=bank, registration_id=reg, expected_version=3, filed_on=date(2026, 12, 7))
    with pytest.raises(ValidationFailed):
        await registrations.refuse(principal=bank, registration_id=reg, expected_version=4, ground="pledge.ground.13")
    async with unit_of_work():
        out = await registrations.refuse(
            principal=bank, registration_id=reg, expected_version=4, ground="pledge.ground.09"
        )
    assert out.state == "refused" and out.refusal_ground == "pledge.ground.09"
    assert "refused" in machine.final_states()


async def art86_reasons(sme: Principal, patent_id: int) -> set[tuple[str, str | None]]:
    """The open-licence declaration check of listings (dry run) for this patent: its refusal reasons."""
    terms = TermsIn(payment_mode="running_royalty", royalty_rate_bp=300)
    report = await declarations.declare(
        principal=sme, data=DeclareIn(patent_ids=[patent_id], terms=terms), dry_run=True
    )
    return {
        ("pledged_without_consent" if r.code.startswith("pledged_without") else r.code, r.article)
        for r in report.results[0].reasons
    }


async def test_a_pledged_patent_is_declared_for_open_licence_only_with_the_pledgees_consent() -> None:
    sme, bank, reg, [patent_id] = await pledge()
    assert ("pledged_without_consent", "law.regs.art86.4") not in await art86_reasons(sme, patent_id)
    await registered(sme, bank, reg)
    assert ("pledged_without_consent", "law.regs.art86.4") in await art86_reasons(sme, patent_id)
    with pytest.raises(Forbidden):  # the pledgee's consent, never the pledgor's
        await registrations.record_consent(
            principal=sme, registration_id=reg, patent_id=patent_id, scope="open_licence"
        )
    async with unit_of_work():
        await registrations.record_consent(
            principal=bank, registration_id=reg, patent_id=patent_id, scope="open_licence"
        )
    patent = await patents.patent_by_id(patent_id)
    assert patent is not None and patent.pledged and patent.pledgee_consent
    assert ("pledged_without_consent", "law.regs.art86.4") not in await art86_reasons(sme, patent_id)


async def notes_of(user_id: int) -> list[dict[str, Any]]:
    return await Notification.select().where(Notification.user == user_id)  # type: ignore[no-any-return]


async def alerted() -> list[dict[str, Any]]:
    return await Event.select().where(Event.name == "registrations.alerted")  # type: ignore[no-any-return]


async def test_the_bank_is_alerted_once_when_a_pledged_patents_fee_falls_due_or_its_status_changes() -> None:
    sme, bank, reg, [patent_id] = await pledge()
    await registered(sme, bank, reg)
    today = date(2027, 3, 1)
    async with unit_of_work():
        await patents.update_patent(patent_id, {"annual_fees_paid_through": today + timedelta(days=40)})
        assert await registrations.fee_alerts(on=today) == 0  # 40 days away: not yet
        await patents.update_patent(patent_id, {"annual_fees_paid_through": today + timedelta(days=20)})
        assert await registrations.fee_alerts(on=today) == 1
        assert await registrations.fee_alerts(on=today + timedelta(days=1)) == 0  # once per due date
    notes = [n for n in await notes_of(bank.user_id) if n["kind"] == "pledge_alert"]
    assert [n["code"] for n in notes] == ["registration.alert.fee_due"]
    assert all(n["kind"] != "pledge_alert" for n in await notes_of(sme.user_id))
    async with unit_of_work():
        await patents.update_patent(patent_id, {"legal_status": "lapsed"})
        assert await registrations.patent_changed(patent_id=patent_id, fields=["legal_status"]) == 1
        assert await registrations.patent_changed(patent_id=patent_id, fields=["title_zh"]) == 0
    assert {json.loads(e["payload"])["alert"] for e in await alerted()} == {"fee_due", "status_changed"}


async def test_a_patent_not_pledged_alerts_nobody() -> None:
    _sme, _bank, _reg, [patent_id] = await pledge()  # awaiting signatures: no pledge yet
    async with unit_of_work():
        await patents.update_patent(patent_id, {"annual_fees_paid_through": date(2027, 1, 5)})
        assert await registrations.fee_alerts(on=date(2027, 1, 1)) == 0
        assert await registrations.patent_changed(patent_id=patent_id, fields=["legal_status"]) == 0


# ------------------------------------------------------------------------------------------------ API, races


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_parallel_registrations_give_one_success_and_409s(backend: Backend, client: Client) -> None:
    sme_account = await make_account("sme", org_name="杭州智造科技有限公司")
    bank_account = await make_account("bank", org_name="招商银行杭州分行")
    sme, bank = await principal_of(sme_account), await principal_of(bank_account)
    patent_id = await record(sme, eligible("CN108982325B", patentees=[sme.org_name]))
    async with unit_of_work():
        reg = await registrations.start(
            terms=PledgeTerms(7, sme.org_id, bank.org_id, Money("CNY", 100_000_000), 12, (patent_id,)),
            data_dir=runtime.current().settings.data_dir,
        )
    await sign_in(client, sme_account)
    r = await client.send_json("POST", f"/api/pledge-registrations/{reg.id}/sign", {"version": 1})
    assert r.status_code == 200, r.text
    await sign_in(client, bank_account)
    r = await client.send_json("POST", f"/api/pledge-registrations/{reg.id}/sign", {"version": 2})
    assert r.status_code == 200 and r.json()["state"] == "ready_to_file", r.text
    assert {s["role"] for s in r.json()["signatures"]} == {"pledgor", "pledgee"}
    r = await client.send_json(
        "POST", f"/api/pledge-registrations/{reg.id}/filed", {"version": 3, "filed_on": "2026-12-07"}
    )
    assert r.status_code == 200, r.text
    token = await client.csrf()
    body = {"version": 4, "registration_number": "Y2026980001234", "registered_on": "2026-12-10"}
    answers = await asyncio.gather(
        *(
            client.post(f"/api/pledge-registrations/{reg.id}/registered", json=body, headers={"x-csrftoken": token})
            for _ in range(20)
        )
    )
    assert Counter(a.status_code for a in answers) == Counter({200: 1, 409: 19}), [a.text for a in answers][:3]
    problems = [a for a in answers if a.status_code == 409]
    assert all(a.headers["content-type"].startswith("application/problem+json") for a in problems)
    pdf = await client.get(f"/api/pledge-registrations/{reg.id}/documents/pledge_contract")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    view = (await client.get(f"/api/pledge-registrations/{reg.id}")).json()
    assert view["state"] == "registered" and view["patents"][0]["pledged"] is True
    await sign_in(client, await make_account("bank", org_name="另一家银行"))
    assert (await client.get(f"/api/pledge-registrations/{reg.id}")).status_code == 404  # another bank's: not there


def test_every_ground_has_its_words_and_the_machine_is_one_graph() -> None:
    for n in range(1, 13):
        assert gettext("zh", f"registration.ground.{n:02d}") != f"registration.ground.{n:02d}"
        assert gettext("en", f"registration.ground.{n:02d}") != f"registration.ground.{n:02d}"
    for state in (
        "awaiting_signatures",
        "ready_to_file",
        "filed",
        "correction_requested",
        "registered",
        "release_due",
        "release_filed",
    ):
        assert machine.events_from(state), state
    with pytest.raises(MarketError):
        machine.next_state("released", "register")
