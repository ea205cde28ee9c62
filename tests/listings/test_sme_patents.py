"""SMEs' patents: recorded and imported as universities do (API and pages, per-row reports, patentee warnings
against the SME's own names), private to the SME, never declared for open licence by it; and the pledge facts on
the register (pledgee, registration, recorded consents) that the Art 86(4) declaration check reads, with
``patents.changed`` emitted when legal status, fees or pledge facts change."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from typing import Any

import pytest

from finance.loan_products import service as loan_products
from finance.loan_products.schemas import ProductCreateIn
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.imports.service import import_file
from listings.patents import service as patents
from listings.patents.schemas import PatentFactsIn, RecordedLicenceIn
from listings.patents.tables import Patent, PledgeeConsent
from market import jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import Conflict, Forbidden
from market.events.tables import DomainEvent
from market.i18n.localized import localized
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.listings.support import eligible, record, university

HTML = {"accept": "text/html"}
TERMS = TermsIn(payment_mode="running_royalty", royalty_rate_bp=300, term_years=5)
NEXT_YEAR = date.today() + timedelta(days=365)
PRODUCT: dict[str, Any] = {
    "name_zh": "知识产权质押贷", "name_en": "IP pledge loan", "kinds": ["invention"], "ltv_bp": {"invention": 3000},
    "min_remaining_years": {"invention": 5}, "max_amount_minor": 500_000_000, "max_term_months": 24,
    "documents": [{"code": "identity", "accepted_types": ["application/pdf"], "label_zh": "营业执照"}],
    "approval_thresholds": [{"above_minor": 100_000_000, "approvals": 2}],
}  # fmt: skip

SME_CSV = """number,title_zh,patentees,filing_date,grant_date,annual_fees_paid_through
CN108982325B,地下防污屏障材料化学相容性测试装置及方法,{me},2018-07-30,2020-05-12,{fees}
CN202223220665.2,一种无人机机载多功能盒,{me},2022-12-02,2023-03-28,{fees}
CN202223220665.3,校验位错误,{me},2022-12-02,,
CN216774847U,一种可拍照便携式实时语音播报端测摄像头,杭州旧名科技有限公司,2021-11-30,,
"""


async def principal_of(account: Account) -> Principal:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


async def sme(name: str | None = None) -> tuple[Account, Principal]:
    account = await make_account("sme", org_name=name)
    return account, await principal_of(account)


async def changed_events() -> list[dict[str, Any]]:
    rows = await DomainEvent.select(DomainEvent.payload).where(DomainEvent.name == "patents.changed")
    return [json.loads(r["payload"]) for r in rows]


# ---------------------------------------------------------------------------------------- SMEs' own patents


async def test_an_sme_imports_a_csv_of_its_patents_with_a_per_row_report(backend: Backend, client: Client) -> None:
    firm = await make_account("sme", org_name="杭州智造科技有限公司")
    await sign_in(client, firm)
    body = SME_CSV.format(me=firm.org_name, fees=NEXT_YEAR.isoformat()).encode()
    r = await client.post(
        "/api/imports/", files={"file": ("mine.csv", body, "text/csv")}, headers={"x-csrftoken": await client.csrf()}
    )
    assert r.status_code == 202, r.text
    await client.app.state.job_queue.drain()
    run = (await client.get(f"/api/imports/{r.json()['id']}", headers={"accept-language": "en"})).json()
    assert (run["status"], run["total_rows"], run["inserted"], run["rejected"]) == ("done", 4, 3, 1)
    [bad] = run["rejections"]
    assert (bad["row"], bad["field"]) == (4, "number") and "check digit" in bad["message"]
    # a patentee that is neither the SME nor one of its aliases: imported, with the SME's warning (no pledge)
    [warning] = run["warnings"]
    assert (warning["row"], warning["code"]) == (5, "import.patentee_not_yours_sme")
    assert "pledge loan" in warning["message"] and "杭州智造科技有限公司" in warning["message"]
    listed = (await client.get("/api/patents/")).json()
    assert listed["total"] == 3 and {p["org_id"] for p in listed["items"]} == {firm.org_id}

    # the SME records its former name as an alias; the same file again warns of nothing and changes nothing
    alias = {"name": "杭州旧名科技有限公司", "kind": "former", "evidence_note": "更名通知", "evidence_ref": "HZ-1"}
    assert (await client.send_json("POST", "/api/university/aliases/", alias)).status_code == 201
    r = await client.post(
        "/api/imports/", files={"file": ("mine.csv", body, "text/csv")}, headers={"x-csrftoken": await client.csrf()}
    )
    await client.app.state.job_queue.drain()
    again = (await client.get(f"/api/imports/{r.json()['id']}")).json()
    assert (again["inserted"], again["unchanged"], again["rejected"], again["warnings"]) == (0, 3, 1, [])

    # its pages: the list (no declaring), one patent (a clear word instead of "declare"), the import, the report
    page = await client.get("/patents", headers=HTML)
    assert page.status_code == 200 and "CN108982325B" in page.text
    assert 'id="sme-no-declarations"' in page.text and 'id="declare-selected"' not in page.text
    patent_id = next(p["id"] for p in listed["items"] if p["number"] == "CN108982325B")
    detail = await client.get(f"/patents/{patent_id}", headers=HTML)
    assert detail.status_code == 200 and "/declarations/new" not in detail.text
    assert "企业不能在此声明开放许可" in detail.text
    assert (await client.get("/patents/import", headers=HTML)).status_code == 200
    report = await client.get(f"/patents/import/{run['id']}", headers=HTML)
    assert report.status_code == 200 and 'data-code="import.patentee_not_yours_sme"' in report.text
    dashboard = await client.get("/dashboard", headers=HTML)
    assert all(f'id="{i}"' in dashboard.text for i in ("dash-sme-patents", "dash-sme-import", "dash-sme-finance"))


async def test_an_smes_patents_are_not_found_by_another_organisation(backend: Backend, client: Client) -> None:
    firm, principal = await sme()
    patent_id = await record(principal, eligible(patentees=[firm.org_name]))
    for kind in ("sme", "university"):
        other = await make_account(kind)
        await sign_in(client, other)
        assert (await client.get(f"/api/patents/{patent_id}")).status_code == 404
        patch = await client.send_json("PATCH", f"/api/patents/{patent_id}", {"legal_status": "lapsed"})
        assert patch.status_code == 404
        licence = {"kind": "ordinary", "licensee_name": "某公司", "starts_on": "2026-01-01"}
        assert (await client.send_json("POST", f"/api/patents/{patent_id}/licences", licence)).status_code == 404
        assert (await client.get(f"/patents/{patent_id}", headers=HTML)).status_code == 404
        form = await client.post(
            f"/patents/{patent_id}/facts",
            data={"legal_status": "lapsed"},
            headers={"x-csrftoken": await client.csrf(), **HTML},
        )
        assert form.status_code == 404
        assert (await client.get("/api/patents/")).json()["total"] == 0
        await client.post("/sign-out", headers={"x-csrftoken": await client.csrf()})
    row = await Patent.select(Patent.legal_status).where(Patent.id == patent_id).first()
    assert row["legal_status"] == "granted"  # nothing changed


async def test_an_sme_may_not_declare_an_open_licence(backend: Backend, client: Client) -> None:
    firm, principal = await sme()
    patent_id = await record(principal, eligible(patentees=[firm.org_name]))
    await sign_in(client, firm)
    body = {"patent_ids": [patent_id], "terms": TERMS.model_dump(mode="json")}
    r = await client.send_json("POST", "/api/declarations/", body, headers={"accept-language": "en"})
    assert r.status_code == 403 and r.json()["allowed_kinds"] == ["university"]
    assert "universities" in r.json()["detail"]  # the kind named in words (issue 16), its code in allowed_kinds
    page = await client.get(f"/declarations/new?patent_id={patent_id}", headers=HTML)
    assert page.status_code == 403
    assert await Patent.count().where(Patent.declaration.is_not_null()) == 0


async def published_product(bank: Account) -> None:
    owner = await principal_of(bank)
    async with jobs.unit_of_work():
        made = await loan_products.create_product(principal=owner, data=ProductCreateIn(code="ip-loan", **PRODUCT))
        await loan_products.change_status(principal=owner, product_id=made.id, action="publish", expected_version=1)


def product_cell(page: str, number: str) -> str:
    row = re.search(rf'<tr class="products-row" data-products-for="{re.escape(number)}".*?</tr>', page, re.S)
    assert row is not None, number
    return row.group(0)


async def test_the_finance_page_lists_the_facts_and_the_products_each_patent_may_support(
    backend: Backend, client: Client
) -> None:
    firm, principal = await sme()
    bank = await make_account("bank", org_name="交通银行测试支行")
    await published_product(bank)
    pledged = await record(principal, eligible(patentees=[firm.org_name]))
    await record(principal, eligible("CN108982326B", patentees=[firm.org_name]))
    await record(principal, eligible("CN202223220665.2", title_zh="无人机", filing_date=date(2022, 12, 2),
                                     grant_date=date(2023, 3, 28), annual_fees_paid_through=None,
                                     patentees=[firm.org_name]))  # fmt: skip
    async with jobs.unit_of_work():
        await patents.mark_pledged(pledged, pledgee_org=bank.org_id, registration_number="Y2026980000123",
                                   registered_on=date(2026, 3, 1), actor=Actor(None, None))  # fmt: skip
    await sign_in(client, firm)
    page = await client.get("/sme/patents", headers=HTML)
    assert page.status_code == 200 and 'id="finance-facts"' in page.text
    assert "交通银行测试支行" in page.text and "Y2026980000123" in page.text
    assert page.text.count("年费未缴至今日") == 1  # the utility model's fees are not recorded as paid
    # each patent against the published product: may support it, or why not with the article
    free = product_cell(page.text, "CN108982326B")
    assert 'class="product eligible"' in free and "可支持" in free and "最高" in free
    taken = product_cell(page.text, "CN108982325B")
    assert 'class="product refused"' in taken and 'data-code="pledge.ground.09"' in taken
    assert "不能再次出质" in taken and "不予登记情形第（九）项" in taken
    utility = product_cell(page.text, "CN202223220665.2")
    assert 'data-code="pledge.floor.kind"' in utility and 'data-code="pledge.ground.04"' in utility
    client.cookies.set("lang", "en")
    english = await client.get("/sme/patents", headers=HTML)
    assert "May support" in product_cell(english.text, "CN108982326B")
    university_account = await make_account("university")
    await client.post("/sign-out", headers={"x-csrftoken": await client.csrf()})
    await sign_in(client, university_account)
    assert (await client.get("/sme/patents", headers=HTML)).status_code == 403


# ------------------------------------------------------------------------------------- pledges and consents


async def pledged_university_patent() -> tuple[Principal, int, Account]:
    _, principal = await university()
    patent_id = await record(principal, eligible())
    bank = await make_account("bank", org_name="测试银行")
    async with jobs.unit_of_work():
        await patents.mark_pledged(
            patent_id,
            pledgee_org=bank.org_id,
            registration_number="Y2026110000001",
            registered_on=date(2026, 5, 1),
            actor=Actor(None, None),
        )
    return principal, patent_id, bank


async def check(principal: Principal, patent_id: int) -> Any:
    async with jobs.unit_of_work():
        report = await declarations.declare(
            principal=principal, data=DeclareIn(patent_ids=[patent_id], terms=TERMS), dry_run=True
        )
    return report.results[0]


async def test_a_registered_pledge_refuses_the_declaration_under_art_86_4_until_the_pledgee_consents(
    backend: Backend,
) -> None:
    principal, patent_id, bank = await pledged_university_patent()
    row = await patents.patent_by_id(patent_id)
    assert row is not None and (row.pledged, row.pledgee_consent, row.pledgee_org) == (True, False, bank.org_id)
    refused = await check(principal, patent_id)
    [reason] = refused.reasons
    assert (refused.outcome, reason.code, reason.article) == ("refused", "pledged_without_recorded_consent",
                                                              "law.regs.art86.4")  # fmt: skip
    said = localized(reason, "zh").message
    assert "测试银行" in said and "Y2026110000001" in said and "第八十六条第（四）项" in said

    # only the pledgee records consent; a consent to licensing is not a consent to the open licence
    with pytest.raises(Forbidden):
        async with jobs.unit_of_work():
            await patents.record_pledgee_consent(
                patent_id, pledgee_org=bank.org_id, scope="open_licence", actor=Actor(principal.user_id,
                                                                                      principal.org_id))  # fmt: skip
    bank_actor = Actor(bank.user_id, bank.org_id)
    async with jobs.unit_of_work():
        await patents.record_pledgee_consent(patent_id, pledgee_org=bank.org_id, scope="licence", actor=bank_actor)
    assert (await check(principal, patent_id)).outcome == "refused"
    assert (await patents.current_consent(patent_id, "licence")) is not None
    async with jobs.unit_of_work():
        consent = await patents.record_pledgee_consent(
            patent_id, pledgee_org=bank.org_id, scope="open_licence", actor=bank_actor
        )
        again = await patents.record_pledgee_consent(
            patent_id, pledgee_org=bank.org_id, scope="open_licence", actor=bank_actor
        )
    assert again.id == consent.id and await PledgeeConsent.count() == 2
    row = await patents.patent_by_id(patent_id)
    assert row is not None and row.pledgee_consent is True
    assert (await check(principal, patent_id)).outcome == "eligible"

    # declared: its audit event cites the consent record it rests on
    async with jobs.unit_of_work():
        report = await declarations.declare(principal=principal, data=DeclareIn(patent_ids=[patent_id], terms=TERMS))
    assert report.published == 1
    published = AuditEvent.action == "listings.declaration_published"
    event = await AuditEvent.select(AuditEvent.after).where(published).first()
    after = event["after"] if isinstance(event["after"], dict) else json.loads(event["after"])
    assert after["pledgee_consent"]["consent"] == consent.id
    assert after["pledgee_consent"]["registration_number"] == "Y2026110000001"


async def test_a_patentee_cannot_edit_a_registered_pledge_away_and_an_import_keeps_it(
    backend: Backend, tmp_path: Any
) -> None:
    principal, patent_id, bank = await pledged_university_patent()
    for change in ({"pledged": False}, {"pledgee_consent": True}):
        with pytest.raises(Conflict) as caught:
            async with jobs.unit_of_work():
                await patents.update_facts(principal=principal, patent_id=patent_id, data=PatentFactsIn(**change))
        assert caught.value.errors[0].article == "law.regs.art86.4"
    # the same file as at first (no pledge columns, so "not pledged"): the registered pledge stays, with a warning
    path = tmp_path / "again.csv"
    path.write_text(f"number,title_zh,patentees,filing_date,grant_date,annual_fees_paid_through,claims_count,"
                    f"ipc_codes\nCN108982325B,地下防污屏障材料化学相容性测试装置及方法,浙江大学,2018-07-30,2020-05-12,"
                    f"{NEXT_YEAR.isoformat()},8,G01N15/08\n")  # fmt: skip
    report = await import_file(org_id=principal.org_id, user_id=principal.user_id, path=path)
    assert (report.unchanged, report.updated) == (1, 0)
    assert [w.code for w in report.warnings] == ["import.pledge_on_record_kept"]
    row = await patents.patent_by_id(patent_id)
    assert row is not None and row.pledged and row.pledgee_org == bank.org_id
    # released: the patentee states the facts again, and the old pledge's consent counts no more
    async with jobs.unit_of_work():
        await patents.record_pledgee_consent(
            patent_id, pledgee_org=bank.org_id, scope="open_licence", actor=Actor(bank.user_id, bank.org_id)
        )
        released = await patents.mark_released(patent_id, actor=Actor(bank.user_id, bank.org_id))
    assert (released.pledged, released.pledgee_consent, released.pledgee_org) == (False, False, None)
    async with jobs.unit_of_work():
        again = await patents.mark_pledged(patent_id, pledgee_org=bank.org_id, registration_number="Y2027110000009",
                                           registered_on=date(2027, 1, 5), actor=Actor(None, None))  # fmt: skip
    assert again.pledged and not again.pledgee_consent
    assert (await check(principal, patent_id)).outcome == "refused"


async def test_mark_pledged_twice_is_once_and_another_pledge_is_a_conflict(backend: Backend) -> None:
    _, patent_id, bank = await pledged_university_patent()
    async with jobs.unit_of_work():
        same = await patents.mark_pledged(patent_id, pledgee_org=bank.org_id, registration_number="Y2026110000001",
                                          registered_on=date(2026, 5, 1), actor=Actor(None, None))  # fmt: skip
    assert same.pledge_registration_number == "Y2026110000001"
    other_bank = await make_account("bank")
    with pytest.raises(Conflict):
        async with jobs.unit_of_work():
            await patents.mark_pledged(patent_id, pledgee_org=other_bank.org_id, registration_number="Y2026119999999",
                                       registered_on=date(2026, 6, 1), actor=Actor(None, None))  # fmt: skip
    with pytest.raises(Conflict):  # consent by an organisation the patent is not pledged to
        async with jobs.unit_of_work():
            await patents.record_pledgee_consent(patent_id, pledgee_org=other_bank.org_id, scope="licence",
                                                 actor=Actor(other_bank.user_id, other_bank.org_id))  # fmt: skip
    assert await AuditEvent.count().where(AuditEvent.action == "listings.patent_pledged") == 1


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite serialises writers: races pass there
async def test_twenty_registrations_at_once_pledge_the_patent_once(backend: Backend) -> None:
    _, principal = await university()
    patent_id = await record(principal, eligible())
    banks = [await make_account("bank") for _ in range(20)]

    async def register(i: int) -> str:
        try:
            async with jobs.unit_of_work():
                await patents.mark_pledged(patent_id, pledgee_org=banks[i].org_id,
                                           registration_number=f"Y20261100000{i:02d}", registered_on=date(2026, 5, 1),
                                           actor=Actor(None, None))  # fmt: skip
        except Conflict:
            return "conflict"
        return "pledged"

    outcomes = await asyncio.gather(*(register(i) for i in range(20)))
    assert sorted(outcomes).count("pledged") == 1 and outcomes.count("conflict") == 19
    assert await AuditEvent.count().where(AuditEvent.action == "listings.patent_pledged") == 1


# ------------------------------------------------------------------------------------------ patents.changed


async def test_patents_changed_is_emitted_when_status_fees_or_pledge_change(backend: Backend, tmp_path: Any) -> None:
    firm, principal = await sme()
    patent_id = await record(principal, eligible(patentees=[firm.org_name]))
    assert await changed_events() == []
    async with jobs.unit_of_work():
        await patents.update_facts(principal=principal, patent_id=patent_id,
                                   data=PatentFactsIn(legal_status="lapsed", evaluation_report_ref="PJ-1"))  # fmt: skip
    assert await changed_events() == [{"patent_id": patent_id, "fields": ["legal_status"]}]
    async with jobs.unit_of_work():  # neither status, fees nor pledge: nothing to tell a bank
        await patents.update_facts(principal=principal, patent_id=patent_id,
                                   data=PatentFactsIn(legal_status="lapsed", claims_count=9))  # fmt: skip
    assert len(await changed_events()) == 1
    # an import that changes the fees paid through
    path = tmp_path / "fees.csv"
    later = NEXT_YEAR + timedelta(days=365)
    path.write_text(f"number,title_zh,patentees,filing_date,grant_date,legal_status,annual_fees_paid_through,"
                    f"claims_count,evaluation_report_ref\nCN108982325B,地下防污屏障材料化学相容性测试装置及方法,"
                    f"{firm.org_name},2018-07-30,2020-05-12,lapsed,{later.isoformat()},9,PJ-1\n")  # fmt: skip
    report = await import_file(org_id=principal.org_id, user_id=principal.user_id, path=path)
    assert report.updated == 1
    assert (await changed_events())[-1] == {"patent_id": patent_id, "fields": ["annual_fees_paid_through"]}
    bank = await make_account("bank")
    async with jobs.unit_of_work():
        await patents.mark_pledged(patent_id, pledgee_org=bank.org_id, registration_number="Y1",
                                   registered_on=date(2026, 5, 1), actor=Actor(None, None))  # fmt: skip
    assert (await changed_events())[-1]["fields"] == [
        "pledged", "pledgee_org", "pledge_registration_number", "pledge_registered_on"]  # fmt: skip


async def test_the_licence_situation_for_pre_checks(backend: Backend) -> None:
    _, principal = await university()
    patent_id = await record(principal, eligible())
    async with jobs.unit_of_work():
        await patents.record_licence(principal=principal, patent_id=patent_id, data=RecordedLicenceIn(
            kind="exclusive", licensee_name="甲公司", starts_on=date(2025, 1, 1), ends_on=date(2027, 12, 31)))
        await patents.record_licence(principal=principal, patent_id=patent_id, data=RecordedLicenceIn(
            kind="ordinary", licensee_name="乙公司", starts_on=date(2025, 1, 1)))  # fmt: skip
    situation = await patents.licence_situation(patent_id)
    assert [(lic.kind, lic.ends_on) for lic in situation.licences] == [("exclusive", date(2027, 12, 31)),
                                                                       ("ordinary", None)]  # fmt: skip
    assert situation.open_licence is False


async def test_a_registered_pledge_shows_on_the_patent_page_and_its_form_keeps_it(
    backend: Backend, client: Client
) -> None:
    firm, principal = await sme()
    bank = await make_account("bank", org_name="测试银行")
    patent_id = await record(principal, eligible(patentees=[firm.org_name]))
    async with jobs.unit_of_work():
        await patents.mark_pledged(patent_id, pledgee_org=bank.org_id, registration_number="Y2026110000001",
                                   registered_on=date(2026, 5, 1), actor=Actor(None, None))  # fmt: skip
        await patents.record_pledgee_consent(patent_id, pledgee_org=bank.org_id, scope="licence",
                                             actor=Actor(bank.user_id, bank.org_id))  # fmt: skip
    await sign_in(client, firm)
    page = await client.get(f"/patents/{patent_id}", headers=HTML)
    assert 'id="pledge-record"' in page.text and "测试银行" in page.text and "Y2026110000001" in page.text
    assert 'id="pledgee-consents"' in page.text and "许可他人实施" in page.text
    assert 'type="checkbox" name="pledged"' not in page.text and 'id="pledge-on-record"' in page.text
    # the form as the page sends it (the pledge kept in hidden fields) saves the other facts
    saved = await client.post(
        f"/patents/{patent_id}/facts",
        data={"legal_status": "granted", "evaluation_report_ref": "PJ-9", "pledged": "on", "suspension": ""},
        headers={"x-csrftoken": await client.csrf(), **HTML},
    )
    assert saved.status_code == 200 and "PJ-9" in saved.text
    # the pledge edited away through the API: 409, citing Art 86(4)
    r = await client.send_json("PATCH", f"/api/patents/{patent_id}", {"pledged": False})
    assert r.status_code == 409 and r.json()["errors"][0]["article"] == "law.regs.art86.4"
