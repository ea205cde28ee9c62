"""Verified organisations: the unified social credit code (GB 32100-2015), duplicate names and codes, e-mail
verification, the platform administrator's approval with evidence, the gates on publishing and licensing,
suspension, the verified mark, the seed and the contract."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from finance.contracts import service as contracts
from finance.licences import repository as licences_repo
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.needs import service as needs
from listings.needs.schemas import NEED_EXAMPLE, NeedIn
from market import jobs
from market.accounts import service as accounts
from market.accounts.schemas import SignUpIn
from market.accounts.tables import User
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import Conflict, ValidationFailed
from market.kit import credit_code as cc
from market.notifications.tables import Notification
from market.orgs import service as orgs
from market.orgs.errors import NotApproved
from market.orgs.schemas import DecisionAction, DecisionIn, OrgKind, OrgStatus
from market.orgs.tables import Organisation, OrgDecision
from market.seed import DEMO_ORGS, seed_demo
from tests.conftest import PASSWORD, Account, Backend, Client, approve, make_account, sign_in
from tests.finance.support import ROYALTY, firm, offer, principal_of
from tests.listings.support import eligible, record

REAL_CODES = ["91350100M000100Y43", "12100000400000624D", "91110000802100433B"]
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = {"accept": "text/html"}


# ------------------------------------------------------------------------------------------------ the credit code


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code: str) -> None:
    assert cc.problem(code) is None
    assert orgs.credit_code_error(code) is None
    assert orgs.credit_code_error(f" {code.lower()} ") is None  # as typed: spaces and lower case
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert orgs.credit_code_error(full_width) is None  # full-width characters from a Chinese input method


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y4", "length"),  # 17
        ("91350100M000100Y433", "length"),  # 19
        ("", "length"),
        ("91350100M000100I43", "chars"),  # I is not in the alphabet
        ("91350100M000100O43", "chars"),  # nor O
        ("91350100M000100S43", "chars"),  # nor S, V, Z
        ("91350100M000100-43", "chars"),
        ("9135010０M000100中43", "chars"),
        (cc.with_check("91ABCDEFM000100Y4"), "division"),  # characters 3-8 are the division code
        ("91350100M000100Y44", "check"),  # the real code with its check character changed
        ("12100000400000624E", "check"),
        ("91350100M000100Y34", "check"),  # two characters swapped
    ],
)
def test_every_kind_of_bad_credit_code_is_named(code: str, problem: str) -> None:
    error = orgs.credit_code_error(code)
    assert error is not None and error.field == "credit_code"
    assert error.code == f"credit_code.{problem}"


def test_names_compare_trimmed_without_width_or_case() -> None:
    assert orgs.name_key(" 清华大学（演示） ") == orgs.name_key("清华大学(演示)")
    assert orgs.name_key("ＡＣＭＥ Ltd") == orgs.name_key("acme LTD") == orgs.name_key("ACME  ltd")
    assert orgs.name_key("清华大学") != orgs.name_key("清华大学（演示）")


# ----------------------------------------------------------------------------------------------------- sign-up


def sign_up(email: str, org_name: str, code: str, kind: OrgKind = OrgKind.university) -> SignUpIn:
    return SignUpIn(
        email=email,
        password="long enough pw",
        display_name="王芳",
        org_name=org_name,
        org_kind=kind,
        credit_code=code,
        address="北京市海淀区学院路 1 号",
    )


async def test_a_bad_credit_code_is_a_field_error_and_writes_nothing(backend: Backend) -> None:
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await accounts.sign_up(data=sign_up("a@example.cn", "某某大学", "12100000400000624E"))
    assert [(e.field, e.code) for e in caught.value.errors] == [("credit_code", "credit_code.check")]
    assert await User.count() == 0 and await Organisation.count() == 0


async def test_the_impersonation_path_and_a_taken_code_are_refused_at_sign_up(backend: Backend) -> None:
    await seed_demo()
    real = await Organisation.select().where(Organisation.name == "清华大学（演示）").first()
    before = await Organisation.count()
    for copied in ("清华大学（演示）", " 清华大学(演示)"):  # the demo university's name, as copied or retyped
        with pytest.raises(Conflict) as caught:
            async with jobs.unit_of_work():
                await accounts.sign_up(data=sign_up("fake@example.cn", copied, cc.with_check("12110000MD0000001")))
        assert [(e.field, e.code) for e in caught.value.errors] == [("org_name", "org.name_taken")]
    with pytest.raises(Conflict) as caught:
        async with jobs.unit_of_work():
            await accounts.sign_up(data=sign_up("fake@example.cn", "另一所大学", real["credit_code"]))
    assert [(e.field, e.code) for e in caught.value.errors] == [("credit_code", "org.credit_code_taken")]
    assert await Organisation.count() == before


async def test_the_database_refuses_a_duplicate_name_key_and_code_too(backend: Backend) -> None:
    """The unique indexes hold even for a writer that skips the service's check."""
    from market.orgs import repository

    account = await make_account("university", org_name="重复大学")
    org = await repository.get_org(account.org_id)
    assert org is not None and org.credit_code
    for values in ({"name_key": org.name_key, "credit_code": None}, {"name_key": "x", "credit_code": org.credit_code}):
        with pytest.raises(Exception, match=r"(?i)unique"):
            async with jobs.unit_of_work():
                await repository.create_org(name="x", kind="university", region="", **values)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------- e-mail verification


async def test_the_verification_link_verifies_once_and_a_forged_or_old_one_does_not(backend, job_queue) -> None:
    async with jobs.unit_of_work():
        principal = await accounts.sign_up(data=sign_up("li@example.cn", "测试大学", REAL_CODES[1]))
    await job_queue.drain()
    note = await Notification.select().where(Notification.kind == "verify_email").first()
    assert note is not None
    token = re.search(r"token=([\w.]+)", note["params"] if isinstance(note["params"], str) else str(note["params"]))
    assert token is not None
    secret = backend.settings.secret_key.get_secret_value()
    assert not await accounts.email_verified(principal.user_id)
    for bad in (token.group(1) + "0", token.group(1).replace(".", ".9", 1), "1.1.abc"):
        with pytest.raises(accounts.BadEmailToken):
            async with jobs.unit_of_work():
                await accounts.confirm_email(token=bad, secret=secret)
    old = accounts.email_token(
        user_id=principal.user_id, email="li@example.cn", secret=secret, issued_at=datetime.now(UTC) - timedelta(days=4)
    )
    with pytest.raises(accounts.BadEmailToken) as expired:
        async with jobs.unit_of_work():
            await accounts.confirm_email(token=old, secret=secret)
    assert expired.value.message_code == "account.email_token_expired"
    for _ in range(2):  # confirming twice is harmless and audited once
        async with jobs.unit_of_work():
            assert await accounts.confirm_email(token=token.group(1), secret=secret) == principal.user_id
    assert await accounts.email_verified(principal.user_id)
    assert await AuditEvent.count().where(AuditEvent.action == "accounts.email_verified") == 1


# ---------------------------------------------------------------------------------------------------- the gates


async def test_pending_organisations_cannot_publish_or_take_licences_but_an_sme_posts_needs(backend: Backend) -> None:
    pending_uni = await principal_of(await make_account("university", org_name="待审大学", approved=False))
    patent_id = await record(pending_uni, eligible(patentees=["待审大学"]))
    terms = TermsIn(**ROYALTY)
    with pytest.raises(NotApproved) as caught:
        async with jobs.unit_of_work():
            await declarations.declare(principal=pending_uni, data=DeclareIn(patent_ids=[patent_id], terms=terms))
    assert caught.value.message_code == "org.not_approved" and caught.value.extra["org_status"] == "pending"
    async with jobs.unit_of_work():  # checking and drafting are not acting
        await declarations.declare(
            principal=pending_uni, data=DeclareIn(patent_ids=[patent_id], terms=terms), dry_run=True
        )

    _, _, declaration_id = await offer(ROYALTY)
    pending_sme = await principal_of(await make_account("sme", org_name="待审企业", approved=False))
    request = LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)
    with pytest.raises(NotApproved):
        async with jobs.unit_of_work():
            await licences.request_licence(principal=pending_sme, data=request)
    async with jobs.unit_of_work():
        need = await needs.create_need(principal=pending_sme, data=NeedIn.model_validate(NEED_EXAMPLE))
    assert need.id


async def test_a_suspended_university_is_not_paid_and_cannot_publish_until_reinstated(backend: Backend) -> None:
    uni, _, declaration_id = await offer(ROYALTY, name="暂停大学")
    await decide(uni.org_id, DecisionAction.suspend, "org.reason.complaint")
    request = LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)
    buyer = await firm()
    with pytest.raises(NotApproved) as caught:
        async with jobs.unit_of_work():
            await licences.request_licence(principal=buyer, data=request)
    assert caught.value.message_code == "org.counterparty_not_approved"
    assert caught.value.extra["org_status"] == "suspended"
    suspended = await principal_of(await account_of(uni.org_id, uni.user_id))
    assert suspended.org_status == "suspended"
    with pytest.raises(NotApproved):  # nor publishes a new version of its terms
        async with jobs.unit_of_work():
            await declarations.revise(principal=suspended, declaration_id=declaration_id, terms=TermsIn(**ROYALTY))
    await decide(uni.org_id, DecisionAction.reinstate, "org.reason.resolved")
    async with jobs.unit_of_work():
        licence = await licences.request_licence(principal=buyer, data=request)
    assert licence.status == "active"


async def account_of(org_id: int, user_id: int) -> Account:
    return Account(user_id=user_id, org_id=org_id, email="", org_name="", kind="university")


async def decide(org_id: int, action: DecisionAction, reason: str, note: str = "") -> Any:
    org = await Organisation.select(Organisation.version).where(Organisation.id == org_id).first()
    async with jobs.unit_of_work():
        return await orgs.apply_decision(
            actor=Actor(None, None),
            org_id=org_id,
            data=DecisionIn(action=action, reason_code=reason, note=note, version=org["version"]),
        )


async def test_approval_needs_a_verified_email_and_evidence_and_keeps_a_snapshot(backend: Backend) -> None:
    account = await make_account("bank", org_name="某银行", approved=False)
    with pytest.raises(Conflict) as caught:
        await decide(account.org_id, DecisionAction.approve, "org.reason.evidence_ok")
    assert caught.value.message_code == "org.email_unverified"
    with pytest.raises(ValidationFailed):  # a reason that does not fit the action
        await decide(account.org_id, DecisionAction.approve, "org.reason.fraud")
    await approve(account)  # e-mail verified, a scan on file, approved
    row = await Organisation.select().where(Organisation.id == account.org_id).first()
    assert row["status"] == "approved" and row["version"] == 2
    [decision] = await OrgDecision.select().where(OrgDecision.organisation == account.org_id)
    raw = decision["snapshot"]
    snapshot = raw if isinstance(raw, dict) else json.loads(raw)
    assert snapshot["credit_code"] == row["credit_code"] and snapshot["email_verified"] is True
    assert len(snapshot["documents"]) == 1 and len(snapshot["documents"][0]["sha256"]) == 64
    events = await AuditEvent.select().where(AuditEvent.action == "orgs.status_changed")
    assert len(events) == 1
    with pytest.raises(Conflict):  # a second approval of the same version: stale
        async with jobs.unit_of_work():
            await orgs.apply_decision(
                actor=Actor(None, None),
                org_id=account.org_id,
                data=DecisionIn(action=DecisionAction.approve, reason_code="org.reason.evidence_ok", version=1),
            )


async def test_seed_organisations_are_approved_with_valid_codes(backend: Backend) -> None:
    await seed_demo()
    rows = await Organisation.select()
    assert len(rows) == len(DEMO_ORGS)
    assert {r["kind"] for r in rows} == {k.value for k in OrgKind}
    for row in rows:
        assert row["status"] == OrgStatus.approved and cc.is_valid(row["credit_code"]), row
    assert all(u["email_verified_at"] for u in await User.select(User.email_verified_at))


async def test_the_contract_names_both_parties_credit_codes_and_addresses(backend: Backend) -> None:
    uni, _, declaration_id = await offer(ROYALTY, name="合同大学")
    buyer = await firm("合同企业有限公司")
    request = LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)
    async with jobs.unit_of_work():
        licence = await licences.request_licence(principal=buyer, data=request)
    stored = await licences_repo.get(licence.id)
    assert stored is not None
    context = await contracts.contract_context(stored)
    codes = {
        r["id"]: (r["credit_code"], r["address"])
        for r in await Organisation.select(Organisation.id, Organisation.credit_code, Organisation.address)
    }
    assert (context["licensor"]["credit_code"], context["licensor"]["address_zh"]) == codes[uni.org_id]
    assert (context["licensee"]["credit_code"], context["licensee"]["address_zh"]) == codes[buyer.org_id]


# ------------------------------------------------------------------------------------------------ pages and API


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_parallel_sign_ups_with_one_name_one_wins(backend: Backend, tmp_path: Any) -> None:
    from market.app import create_app
    from market.integrations.search import build_search
    from market.settings import Settings
    from tests.conftest import running

    # twenty sign-ups from one client: above the per-client limit's default, which is not what is tested here
    settings = Settings(**{**backend.settings.model_dump(), "sign_up_rate_per_hour": 1000})
    app = create_app(settings, queue=jobs.InProcessQueue(), search=build_search(settings, path=tmp_path / "index"))

    def body(n: int) -> dict[str, Any]:
        return {
            "email": f"racer{n}@example.cn", "password": "correct horse battery", "display_name": "甲",
            "org_name": "竞速科技大学" if n % 2 else " 竞速科技大学 ", "org_kind": "university",
            "credit_code": cc.with_check(f"12330000ME{n:07d}"),
        }  # fmt: skip

    async with running(app), Client(app) as client:
        token = await client.csrf()
        answers = await asyncio.gather(
            *(client.post("/api/auth/sign-up", json=body(n), headers={"x-csrftoken": token}) for n in range(20))
        )
        await app.state.job_queue.drain()
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(202) == 1 and statuses.count(409) == 19, statuses
    assert await Organisation.count().where(Organisation.name == "竞速科技大学") == 1
    assert await User.count() == 1  # the losers' users rolled back with them


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_the_api_refuses_a_pending_university_with_org_not_approved(backend: Backend, client: Client) -> None:
    account = await make_account("university", org_name="待审大学", approved=False)
    uni = await principal_of(account)
    patent_id = await record(uni, eligible(patentees=["待审大学"]))
    await sign_in(client, account)
    body = {"patent_ids": [patent_id], "terms": ROYALTY, "publish": True}
    r = await client.send_json("POST", "/api/declarations", body)
    assert r.status_code == 403, r.text
    problem = r.json()
    assert problem["type"].endswith("org-not-approved") and problem["message_code"] == "org.not_approved"
    assert problem["org_status"] == "pending"
    bad_code = {"email": "x@example.cn", "password": "correct horse battery", "display_name": "x",
                "org_name": "某大学", "org_kind": "university", "credit_code": "91350100M000100Y4"}  # fmt: skip
    client.cookies.clear()
    r = await client.send_json("POST", "/api/auth/sign-up", bad_code)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_code", r.text
    assert r.json()["errors"][0]["code"] == "credit_code.length"


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_sign_up_verify_upload_evidence_and_approval_through_the_admin_page(
    backend: Backend, client: Client, app: Any
) -> None:
    # a university signs up on the page, with its credit code; a copy of its name is refused beside the field
    form = {"email": "new.uni@example.cn", "password": PASSWORD, "display_name": "王芳", "org_name": "新建大学",
            "org_kind": "university", "region": "330000", "credit_code": "12100000400000624D",
            "address": "浙江省杭州市新建路 1 号"}  # fmt: skip
    r = await client.post("/sign-up", data=form, headers={**HTML, "x-csrftoken": await client.csrf()})
    assert r.status_code == 200 and 'id="sign-up-done"' in r.text, r.text[:500]
    user = await User.select(User.id).where(User.email == "new.uni@example.cn").first()
    uni = Account(user_id=user["id"], org_id=0, email="new.uni@example.cn", org_name="新建大学", kind="university")
    await sign_in(client, uni)
    r = await client.get("/dashboard", headers=HTML)
    assert 'id="verification-status"' in r.text and 'id="email-unverified"' in r.text
    await app.state.job_queue.drain()

    # the verification link from the e-mail (written as a notification too), then the button
    note = await Notification.select(Notification.params).where(Notification.kind == "verify_email").first()
    link = re.search(r"(/verify-email\?token=[\w.]+)", str(note["params"]))
    assert link is not None
    page = await client.get(link.group(1), headers=HTML)
    assert 'id="confirm-email"' in page.text
    token = link.group(1).split("token=")[1]
    r = await client.post("/verify-email", data={"token": token}, headers={**HTML, "x-csrftoken": await client.csrf()})
    assert 'id="email-verified"' in r.text

    # evidence: a text file is refused by its content, a PDF is kept
    csrf = {"x-csrftoken": await client.csrf(), **HTML}
    bad = await client.post("/org/verification/documents", files={"file": ("licence.pdf", b"not a pdf")},
                            data={"kind": "business_licence"}, headers=csrf)  # fmt: skip
    assert bad.status_code == 422 and "PDF" in bad.text
    ok = await client.post("/org/verification/documents", files={"file": ("营业执照.pdf", PDF)},
                           data={"kind": "legal_person_certificate"}, headers=csrf)  # fmt: skip
    assert ok.status_code == 200 and 'id="uploaded"' in ok.text and "营业执照.pdf" in ok.text
    api = await client.post("/api/evidence/", files={"file": ("scan.png", PNG)}, data={"kind": "other"}, headers=csrf)
    assert api.status_code == 201 and api.json()["content_type"] == "image/png", api.text

    org = await Organisation.select().where(Organisation.name == "新建大学").first()
    assert org["status"] == "pending"

    # the platform administrator reviews: credit code, e-mail flag, documents; approves with a reason
    admin = await make_account("platform_admin", org_name="平台运营")
    client.cookies.clear()
    await sign_in(client, admin)
    review = await client.get("/admin/orgs", headers=HTML)
    assert "12100000400000624D" in review.text and 'data-verified="1"' in review.text
    doc = re.search(rf'href="(/admin/orgs/{org["id"]}/documents/\d+)"', review.text)
    assert doc is not None
    assert (await client.get(doc.group(1))).content == PDF
    decided = await client.post(
        f"/admin/orgs/{org['id']}/decide",
        data={"action": "approve", "reason_code": "org.reason.evidence_ok", "note": "与执照一致",
              "version": str(org["version"]), "back_status": "pending"},
        headers={**HTML, "x-csrftoken": await client.csrf()},
    )  # fmt: skip
    assert decided.status_code == 200 and 'id="decided"' in decided.text
    assert (await Organisation.select().where(Organisation.id == org["id"]).first())["status"] == "approved"
    events = await AuditEvent.select().where(
        (AuditEvent.action == "orgs.status_changed") & (AuditEvent.entity_id == str(org["id"]))
    )
    assert len(events) == 1
    [decision] = await OrgDecision.select().where(OrgDecision.organisation == org["id"])
    assert decision["note"] == "与执照一致" and decision["reason_code"] == "org.reason.evidence_ok"
    await app.state.job_queue.drain()  # the owners are told
    told = await Notification.select(Notification.user).where(Notification.kind == "org_decided")
    owner = await User.select(User.id).where(User.email == "new.uni@example.cn").first()
    assert [t["user"] for t in told] == [owner["id"]]
    # a second click on the same (now stale) form is refused with the reason
    again = await client.post(
        f"/admin/orgs/{org['id']}/decide",
        data={"action": "approve", "reason_code": "org.reason.evidence_ok", "version": str(org["version"])},
        headers={**HTML, "x-csrftoken": await client.csrf()},
    )
    assert again.status_code == 409
    # the public page shows the verified mark
    public = await client.get(f"/orgs/{org['id']}", headers=HTML)
    assert "新建大学" in public.text and 'data-verified="1"' in public.text


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_the_verified_mark_on_listing_pages_and_suspended_listings_not_offered(
    backend: Backend, client: Client, app: Any
) -> None:
    uni, _, declaration_id = await offer(ROYALTY, name="标记大学")
    await app.state.job_queue.drain()
    page = await client.get(f"/listings/{declaration_id}", headers=HTML)
    assert 'data-verified="1"' in page.text and 'id="request-licence"' in page.text
    listings = await client.get("/listings", headers=HTML)
    assert 'data-verified="1"' in listings.text
    search = await client.get("/search?q=防污", headers=HTML)
    assert "标记大学" in search.text and 'data-verified="1"' in search.text
    public_page = await client.get(f"/orgs/{uni.org_id}", headers=HTML)
    assert re.search(r'id="org-listings"><a [^>]*>1</a>', public_page.text), public_page.text
    assert 'data-verified="1"' in public_page.text
    await decide(uni.org_id, DecisionAction.suspend, "org.reason.complaint")
    page = await client.get(f"/listings/{declaration_id}", headers=HTML)
    assert 'data-verified="0"' in page.text and 'id="not-offered"' in page.text
    assert 'id="request-licence"' not in page.text
    public = await client.get(f"/api/public/orgs/{uni.org_id}")
    assert public.json()["verified"] is False and public.json()["name"] == "标记大学"


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_parallel_decisions_on_one_organisation_one_wins(backend: Backend, client: Client) -> None:
    """The conditional update on (status, version): of twenty administrators' clicks one decides, nineteen are told
    the organisation changed (409); one decision row, one audit event."""
    account = await make_account("voucher_issuer", org_name="某科技局", approved=False)
    await approve_prerequisites(account)
    await sign_in(client, await make_account("platform_admin", org_name="平台运营"))
    queue = await client.get("/api/admin/orgs", params={"status": "pending"})
    [item] = queue.json()
    assert item["email_verified"] is True and item["org"]["credit_code"] and len(item["documents"]) == 1
    token = await client.csrf()
    decision = {"action": "approve", "reason_code": "org.reason.evidence_ok", "version": item["org"]["version"]}
    answers = await asyncio.gather(
        *(
            client.post(f"/api/admin/orgs/{account.org_id}/decisions", json=decision, headers={"x-csrftoken": token})
            for _ in range(20)
        )
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    assert await OrgDecision.count().where(OrgDecision.organisation == account.org_id) == 1
    changed = AuditEvent.action == "orgs.status_changed"
    assert await AuditEvent.count().where(changed & (AuditEvent.entity_id == str(account.org_id))) == 1
    reviewed = await client.get(f"/api/admin/orgs/{account.org_id}")
    assert reviewed.json()["org"]["status"] == "approved" and len(reviewed.json()["decisions"]) == 1


async def approve_prerequisites(account: Account) -> None:
    """What approval needs, without the approval: the owner's e-mail verified and a scan on file."""
    import hashlib

    from market.accounts import repository as accounts_repo
    from market.orgs import repository as orgs_repo

    async with jobs.unit_of_work():
        await accounts_repo.mark_email_verified(user_id=account.user_id, email=account.email, at=datetime.now(UTC))
        await orgs_repo.add_document(
            org_id=account.org_id, kind="business_licence", filename="scan.pdf", content_type="application/pdf",
            content=PDF, sha256=hashlib.sha256(PDF).hexdigest(), uploaded_by=account.user_id,
        )  # fmt: skip


async def test_the_access_declaration_can_require_an_approved_organisation(backend: Backend) -> None:
    """``signed_in(kind, approved=True)``: the guard answers 403 org-not-approved with the status before the handler."""
    from litestar import post

    from market.app import create_app
    from market.web.access import signed_in as declared
    from tests.conftest import running

    @post("/api/approved-only", opt=declared(OrgKind.sme, approved=True), status_code=200)
    async def approved_only() -> dict[str, bool]:
        return {"ok": True}

    app = create_app(backend.settings, queue=jobs.InProcessQueue())
    app.register(approved_only)
    pending = await make_account("sme", org_name="待审企业", approved=False)
    approved = await make_account("sme", org_name="已审企业")
    async with running(app), Client(app) as client:
        await sign_in(client, pending)
        refused = await client.send_json("POST", "/api/approved-only")
        client.cookies.clear()
        await sign_in(client, approved)
        allowed = await client.send_json("POST", "/api/approved-only")
    assert refused.status_code == 403 and refused.json()["org_status"] == "pending"
    assert refused.json()["message_code"] == "org.not_approved"
    assert allowed.status_code == 200


async def test_a_demo_seeded_before_verification_is_approved_again_by_the_seed(backend: Backend) -> None:
    """After the migration the old demo's organisations are pending without a code; seeding again completes them."""
    await seed_demo()
    await Organisation.update({Organisation.status: "pending", Organisation.credit_code: None}).where(
        Organisation.kind == "university"
    )
    await seed_demo()
    rows = await Organisation.select().where(Organisation.kind == "university")
    assert rows and all(r["status"] == "approved" and cc.is_valid(r["credit_code"]) for r in rows)
    assert await AuditEvent.count().where(AuditEvent.action == "seed.demo_approved") == len(rows)
    await seed_demo()  # and once more: nothing to do
    assert await AuditEvent.count().where(AuditEvent.action == "seed.demo_approved") == len(rows)


async def test_a_rejected_organisation_uploading_new_evidence_is_reviewed_again(backend: Backend) -> None:
    account = await make_account("service_provider", org_name="某服务机构", approved=False)
    await approve_prerequisites(account)
    await decide(account.org_id, DecisionAction.reject, "org.reason.evidence_mismatch", "名称与执照不符")
    owner = await principal_of(account)
    assert owner.org_status == "rejected"
    async with jobs.unit_of_work():
        await orgs.upload_document(
            principal=owner, kind=orgs.DocumentKind.business_licence, filename="新.pdf", content=PDF
        )
    row = await Organisation.select(Organisation.status).where(Organisation.id == account.org_id).first()
    assert row["status"] == "pending"
    actions = await AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "orgs.status_changed")
    assert len(actions) == 2  # the rejection, the resubmission
