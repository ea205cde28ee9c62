"""What the tenant-isolation walk needs to know: the victim's private objects, and how to name them in a request.

The walk (tests/market/test_tenant_isolation.py) finds every route of the app by itself. What it cannot guess is
which object a path parameter or a body field names. ``OBJECT_REFS`` maps each such name to the victim's object of
that kind; a route with a parameter missing from it fails the walk with a message saying to add it here. A later
issue that adds a new kind of private object adds one entry here and one object to ``make_victim`` .
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from market import jobs
from market.accounts import service as accounts
from market.accounts.schemas import TokenIn
from market.i18n import Msg
from market.kit.money import Money
from market.notifications.service import notify
from market.orgs import service as orgs
from market.orgs.schemas import InvitationIn, OrgKind
from tests.conftest import Account, make_account

MARK = "VICTIM-8d1f"  # in every name of the victim's, so a leak of any of them shows in a response body


@dataclass
class Victim:
    account: Account
    token_id: int
    token_prefix: str
    notification_id: int
    patent_id: int
    declaration_id: int
    import_run_id: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        """Strings that only the victim's private data contains."""
        return [MARK, self.account.email, self.token_prefix]


# path parameter or body field name -> the victim's object of that kind
OBJECT_REFS: dict[str, Callable[[Victim], Any]] = {
    "org_id": lambda v: v.account.org_id,
    "user_id": lambda v: v.account.user_id,
    "token_id": lambda v: v.token_id,
    "notification_id": lambda v: v.notification_id,
    "patent_id": lambda v: v.patent_id,
    "patent_ids": lambda v: [v.patent_id],
    "declaration_id": lambda v: v.declaration_id,
    "run_id": lambda v: v.import_run_id,
    "licence_id": lambda v: v.extra["licence_id"],
    "payment_id": lambda v: v.extra["payment_id"],
    "report_id": lambda v: v.extra["report_id"],
    "need_id": lambda v: v.extra["need_id"],
    "saved_search_id": lambda v: v.extra["saved_search_id"],
    "document_id": lambda v: v.extra["document_id"],
    "invitation_id": lambda v: v.extra["invitation_id"],
    "alias_id": lambda v: v.extra["alias_id"],
    "endpoint_id": lambda v: v.extra["webhook_endpoint_id"],
    "delivery_id": lambda v: v.extra["webhook_delivery_id"],
    "product_id": lambda v: v.extra["product_id"],  # a bank's draft loan product (published ones are public)
    "case_id": lambda v: v.extra["case_id"],
    "application_id": lambda v: v.extra["application_id"],
    "registration_id": lambda v: v.extra["registration_id"],
    "loan_id": lambda v: v.extra["loan_id"],
    "policy_id": lambda v: v.extra["policy_id"],
    "premium_payment_id": lambda v: v.extra["premium_payment_id"],
    "endorsement_id": lambda v: v.extra["endorsement_id"],
    # an issuer's draft subsidy programme (open ones are public), and a firm's subsidy claim (private to it and the
    # issuer)
    "programme_id": lambda v: v.extra["programme_id"],
    "subsidy_claim_id": lambda v: v.extra["subsidy_claim_id"],
    # a firm's recorded qualification (its certificate and evidence are private to it and the platform admin)
    "qualification_id": lambda v: v.extra["qualification_id"],
    # an insurer's withdrawn insurance product and its version (published ones are public)
    "insurance_product_id": lambda v: v.extra["insurance_product_id"],
    "product_version_id": lambda v: v.extra["product_version_id"],
    # a firm's IP insurance application (private to it and, once submitted, its insurer), and a licensee's request for
    # the victim university's consent to insure (the patentee's to answer)
    "insurance_application_id": lambda v: v.extra["insurance_application_id"],
    "consent_id": lambda v: v.extra["consent_id"],
    # an insurance claim of a firm of the victim's on its insurer, and a cost of it (private to the two)
    "claim_id": lambda v: v.extra["claim_id"],
    "cost_id": lambda v: v.extra["cost_id"],
    "pledge_application_id": lambda v: v.extra["application_id"],
    # a voucher redemption (an order, a licence's voucher share, a claim): private to its SME, its provider and the
    # programme's issuer
    "voucher_redemption_id": lambda v: v.extra["voucher_redemption_id"],
    # a voucher issuer's settlement batch, and its payee's statement of it (private to the issuer and the payee)
    "voucher_batch_id": lambda v: v.extra["voucher_batch_id"],
    "voucher_statement_id": lambda v: v.extra["voucher_statement_id"],
    # an issuer's draft voucher programme (open ones are public), a provider's application under review (private to
    # it and the issuer), a withdrawn service of a listed provider (active ones are public), an objection lodged on
    # the victim's provider in notice (the issuer decides it)
    "voucher_programme_id": lambda v: v.extra["voucher_programme_id"],
    "voucher_provider_id": lambda v: v.extra["voucher_provider_id"],
    "voucher_service_id": lambda v: v.extra["voucher_service_id"],
    "objection_id": lambda v: v.extra["objection_id"],
    # an SME's voucher application (its own and the issuer's) and the entitlement it was granted
    "voucher_application_id": lambda v: v.extra["voucher_application_id"],
    "voucher_entitlement_id": lambda v: v.extra["voucher_entitlement_id"],
}

# path parameters that name no private object, with a harmless value to use
NON_OBJECT_PARAMS: dict[str, str] = {
    "code": "en",  # /lang/{code}
    "file_path": "app.css",  # /static/{file_path}
    "month": "2026-11",  # /api/ledger/statements/{month}: the caller's own ledger
    "event_id": "1",  # /api/admin/events/{event_id}: the platform's own events, for its operators only
    # /orgs/{public_org_id}, /api/public/orgs/{public_org_id}: an organisation's public page (name, kind, region,
    # verified mark) is public by design; no other organisation's id names anything private there
    "public_org_id": "999999",
    "event": "declaration",  # /api/declarations/{declaration_id}/cnipa-filing/{event}: the kind of CNIPA filing
    "token": "not-a-token.signed",  # /invitations/{token}: a secret mailed to the invitee, not an object id
    "action": "publish",  # /bank/products/{product_id}/{action}: publish or withdraw (and /sme|bank/pledges/...)
    "year": "2026",  # /api/desk/calendar/{year}: the working-day calendar, the same for everyone
    "day": "2026-10-08",  # /api/admin/calendar/{day}: a day of that calendar, edited by the operators only
    "kind": "pledge_contract",  # /api/pledge-registrations/{registration_id}/documents/{kind}: which document
}


async def make_victim(kind: OrgKind = OrgKind.university) -> Victim:
    account = await make_account(kind.value, email=f"{MARK.lower()}@victim.example.cn", org_name=f"受害大学 {MARK}")
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    async with jobs.unit_of_work():
        token = await accounts.create_token(principal=principal, data=TokenIn(name=f"{MARK} bank link"))
        invitation = await orgs.invite(
            principal=principal, org_id=account.org_id, key="victim-key",
            data=InvitationIn(email=f"{MARK.lower()}-invitee@victim.example.cn"),
        )
        await notify(
            user_id=account.user_id, kind="test", message=Msg("notification.legacy", {"title": f"{MARK} private note"}),
            body=Msg("notification.legacy.body", {"body": MARK}), dedupe_key=f"{MARK}:1",
        )
    from market.notifications.tables import Notification

    row = await Notification.select(Notification.id).where(Notification.dedupe_key == f"{MARK}:1").first()
    patent_id, declaration_id, run_id = await _victim_listings(account)
    return Victim(
        account=account, token_id=token.id, token_prefix=token.prefix, notification_id=row["id"],
        patent_id=patent_id, declaration_id=declaration_id, import_run_id=run_id,
        extra={
            **await _victim_finance(account, patent_id, declaration_id),
            **await _victim_needs(),
            "document_id": await _victim_document(account),
            "alias_id": await _victim_alias(principal),
            "invitation_id": invitation.id,
            **await _victim_webhooks(principal),
            "product_id": await _victim_product(),
            "case_id": await _victim_case(account),
            "application_id": await _victim_pledge(),
            **await _victim_registration(),
            **await _victim_policy(),
            **await _victim_insurance_product(),
            **await _victim_insurance(account),
            **await _victim_subsidy(),
            **await _victim_claim(),
            "voucher_redemption_id": await _victim_voucher_redemption(account),
            **await _victim_voucher_settlement(),
            "qualification_id": await _victim_qualification(),
            **await _victim_vouchers(),
            **await _victim_voucher_entitlement(),
        },
    )


async def _victim_insurance(account: Account) -> dict[str, int]:
    """A submitted insurance application of a firm of the victim's (the insurer's published product is public by
    design: its name carries no mark), and the third firm's request for the victim's consent to insure the patent it
    licensed (written straight)."""
    from finance.insurance import repository as insurance_repo
    from finance.licences import repository as licences_repo
    from tests.finance.insurance_support import insurer, sme, submitted
    from tests.finance.support import drain

    cover = await insurer("受害者的保险公司")
    firm = await sme(f"受害申请投保企业 {MARK}")
    application = await submitted(firm, cover)
    [licence] = await licences_repo.for_org(account.org_id, side="licensor")
    async with jobs.unit_of_work():
        consent_id = await insurance_repo.insert_consent(
            licence=licence.id, patent=licence.patent, licensee=licence.licensee, patentee=account.org_id, by=None
        )
    await drain()  # its events handled now, not beside the walk's requests (SQLite has one writer)
    return {"insurance_application_id": int(application.id), "consent_id": consent_id}


async def _victim_webhooks(principal: Any) -> dict[str, int]:
    """A webhook endpoint of the victim's and a delivery to it (written straight, so no job sends it)."""
    from market.webhooks import repository as webhooks_repo
    from market.webhooks import service as webhooks
    from market.webhooks.schemas import EndpointIn

    async with jobs.unit_of_work():
        created = await webhooks.create_endpoint(
            principal=principal, data=EndpointIn(url=f"https://{MARK.lower()}.example.cn/hook", events=["*"],
                                                 description=MARK), allow_loopback_http=False,
        )
        delivery_id = await webhooks_repo.insert_delivery(
            endpoint_id=created.id, org_id=principal.org_id, event_id=f"{MARK}-evt", event_type="desk.case_moved",
            body=json.dumps({"id": f"{MARK}-evt", "data": {"note": MARK}}),
        )
    assert delivery_id is not None
    return {"webhook_endpoint_id": created.id, "webhook_delivery_id": delivery_id}


async def _victim_case(account: Account) -> int:
    """A review case of the victim's (the victim applies; its own bank reviews), on the desk."""
    from datetime import UTC, datetime

    from finance.desk import repository as desk_repo

    bank = await make_account("bank", org_name=f"受害银行 {MARK}")
    async with jobs.unit_of_work():
        return await desk_repo.insert_case(
            kind="pledge_loan", subject=999_999, reference=f"PL-{MARK}", reviewer_org=bank.org_id,
            applicant_org=account.org_id, state="submitted", amount_minor=100, currency="CNY", sla_working_days=5,
            at=datetime.now(UTC),
        )


async def _victim_document(account: Account) -> int:
    """An evidence scan of the victim's (its approval's), whose content names the victim."""
    import hashlib

    from market.orgs import repository as orgs_repo

    content = f"%PDF-1.4 {MARK} business licence".encode()
    async with jobs.unit_of_work():
        return await orgs_repo.add_document(
            org_id=account.org_id, kind="business_licence", filename=f"{MARK}.pdf", content_type="application/pdf",
            content=content, sha256=hashlib.sha256(content).hexdigest(), uploaded_by=account.user_id,
        )


async def _victim_alias(principal: Any) -> int:
    """A patentee alias of the victim university's (its evidence private to it)."""
    from listings.universities import service as universities
    from listings.universities.schemas import AliasIn

    data = AliasIn(name=f"受害学院 {MARK}", evidence_note=f"{MARK} 更名", evidence_ref=f"{MARK}-REF")
    async with jobs.unit_of_work():
        return (await universities.record_alias(principal=principal, data=data)).id


async def _victim_product() -> int:
    """A draft loan product of a bank of the victim's (private to that bank until published)."""
    from finance.loan_products import service as loan_products
    from finance.loan_products.schemas import ProductCreateIn

    bank = await make_account("bank", email=f"{MARK.lower()}-lender@victim.example.cn", org_name=f"受害贷款银行 {MARK}")
    principal = await accounts.principal_for(user_id=bank.user_id, org_id=bank.org_id)
    assert principal is not None
    data = ProductCreateIn(code="victim-loan", name_zh=f"{MARK} 质押贷", kinds=["invention"],
                           max_amount_minor=100_000_000, max_term_months=12, note=MARK)
    async with jobs.unit_of_work():
        return (await loan_products.create_product(principal=principal, data=data)).id


async def _victim_voucher_redemption(account: Account) -> int:
    """A voucher order of a firm of the victim's from the victim university (its row only: nobody else reaches it)."""
    from datetime import UTC, datetime

    from finance.voucher_redemptions import repository as redemptions

    firm = await make_account("sme", org_name=f"受害用券企业 {MARK}")
    at = datetime.now(UTC)
    async with jobs.unit_of_work():
        return await redemptions.insert({
            "source": "service", "programme": 0, "programme_version": 1, "entitlement": 0, "hold_ref": "",
            "sme": firm.org_id, "provider": account.org_id, "payee": account.org_id, "issuer": account.org_id,
            "category": "novelty_search", "title": f"{MARK} 查新", "price_minor": 100, "currency": "CNY",
            "share_bp": 5000, "voucher_minor": 50, "status": "ordered", "version": 0, "reference": f"VC-{MARK}",
            "created_at": at, "updated_at": at,
        })


async def _victim_subsidy() -> dict[str, int]:
    """A draft programme of an issuer of the victim's, and a claim of a firm of the victim's for its in-force policy on
    another issuer's open programme (open programmes and their issuers' names are public by design: no mark)."""
    from finance.subsidies import service as subsidies
    from finance.subsidies.records import Upload
    from finance.subsidies.schemas import ProgrammeCreateIn
    from tests.finance.insurance_support import accepted_application, insurer, sme
    from tests.finance.policy_support import in_force_policy
    from tests.finance.subsidy_support import BEIJING, issuer, open_programme
    from tests.finance.support import drain

    await drain()  # the earlier victims' events handled first (SQLite has one writer)
    owner = await issuer(f"受害补贴主管单位 {MARK}")
    async with jobs.unit_of_work():
        draft = await subsidies.create_programme(
            principal=owner, data=ProgrammeCreateIn(code="victim-draft", **{**BEIJING, "name_zh": f"{MARK} 补贴"})
        )
    programme_id = await open_programme(await issuer("受害者的补贴主管单位"), "victim-open", BEIJING)
    firm = await sme(f"受害补贴申请企业 {MARK}")
    made = await in_force_policy(await accepted_application(firm, await insurer("受害者的补贴保险公司")))
    pdf = f"%PDF-1.4 {MARK} bank slip".encode()
    async with jobs.unit_of_work():
        claim = await subsidies.file_claim(
            principal=firm.principal, policy_id=made.policy_id, programme_id=programme_id,
            proof_document=Upload(filename=f"{MARK}.pdf", content_type="application/pdf", content=pdf),
        )
    await drain()
    return {"programme_id": draft.id, "subsidy_claim_id": claim.id}


async def _victim_voucher_settlement() -> dict[str, int]:
    """A paid settlement batch of an issuer of the victim's, paying a university of the victim's, and that
    university's statement of it."""
    from datetime import date

    from finance.voucher_settlements import documents
    from finance.voucher_settlements import service as settlements
    from market.audit.service import Actor
    from tests.finance.support import drain
    from tests.finance.voucher_settlement_support import claim, issuer, payee, programme

    await drain()
    owner = await issuer(f"受害创新券主管单位 {MARK}")
    uni = await payee("university", f"受害收款大学 {MARK}")
    async with jobs.unit_of_work():
        made = await settlements.assemble(programme=programme(owner.maker), up_to=date.today(),
                                          claims=[await claim(uni.org_id, 123_400)],
                                          actor=Actor(owner.maker.user_id, owner.maker.org_id))  # fmt: skip
    async with jobs.unit_of_work():
        await settlements.propose(principal=owner.maker, batch_id=made.id, expected_version=0)
    shown = await settlements.get_batch(principal=owner.maker, batch_id=made.id)
    async with jobs.unit_of_work():
        await settlements.approve(principal=owner.checker, batch_id=made.id, proposal_id=shown.pending_proposal_id or 0,
                                  expected_version=shown.version)  # fmt: skip
    async with jobs.unit_of_work():
        await settlements.record_paid(principal=owner.maker, batch_id=made.id, paid_on=date.today(),
                                      reference=f"{MARK}-BANK", expected_version=shown.version + 1)  # fmt: skip
    await drain()
    async with jobs.unit_of_work():
        await documents.issue_statements(batch_id=made.id)
    statement = (await documents.statements_for(principal=uni))[0]
    return {"voucher_batch_id": made.id, "voucher_statement_id": statement.id}
async def _victim_qualification() -> int:
    """A qualification recorded by a firm of the victim's, its certificate number and evidence marked; the firm's
    related-party facts (its legal representative) marked too."""
    from finance.parties import service as parties
    from finance.parties.schemas import PartyFactsIn
    from tests.finance.qualification_support import recorded
    from tests.finance.support import principal_of

    firm = await principal_of(await make_account("sme", org_name=f"受害资质企业 {MARK}"))
    async with jobs.unit_of_work():
        await parties.record_facts(principal=firm, data=PartyFactsIn(legal_rep_name=f"{MARK} 法人"))
    pdf = f"%PDF-1.4 {MARK} certificate".encode()
    return (await recorded(firm, "specialised", number=f"{MARK}-ZJTX", content=pdf)).id
async def _victim_vouchers() -> dict[str, int]:
    """A draft voucher programme of an issuer of the victim's; on another issuer's open programme (no notice period),
    a provider of the victim's under review, a listed provider of the victim's with a withdrawn service, and a provider
    in notice with an objection."""
    from finance.voucher_programmes import service as voucher_programmes
    from finance.voucher_programmes.schemas import ProgrammeCreateIn
    from finance.voucher_providers import service as voucher_providers
    from finance.voucher_providers.schemas import ServiceIn
    from tests.finance.support import drain
    from tests.finance.voucher_programme_support import ZHEJIANG, applicant, apply, approve, issuer, open_programme

    await drain()
    owner = await issuer(f"受害创新券发放单位 {MARK}")
    async with jobs.unit_of_work():
        draft = await voucher_programmes.create_programme(
            principal=owner, data=ProgrammeCreateIn(code="victim-draft", **{**ZHEJIANG, "name_zh": f"{MARK} 创新券"})
        )
    other = await issuer("受害者的创新券发放单位")
    programme_id = await open_programme(other, "victim-open", {**ZHEJIANG, "notice_days": 0})
    pending = await apply(await applicant(name=f"受害服务机构甲 {MARK}"), programme_id)
    seller = await applicant(name="受害者的服务机构乙")  # listed: public by design
    listed = await apply(seller, programme_id)
    await approve(other, listed)  # no notice: listed at once
    async with jobs.unit_of_work():
        made = await voucher_providers.publish_service(principal=seller, provider_id=listed, data=ServiceIn(
            category="novelty_search", title_zh=f"{MARK} 查新", price_minor=100_000))
        await voucher_providers.withdraw_service(principal=seller, service_id=made.id)
    noticed_programme = await open_programme(other, "victim-notice", ZHEJIANG)
    noticed = await apply(await applicant(name="受害者的服务机构丙"), noticed_programme)  # in notice: public
    await approve(other, noticed)
    from finance.voucher_providers.schemas import ObjectionIn
    from tests.finance.support import firm

    async with jobs.unit_of_work():
        objection = await voucher_providers.lodge_objection(
            principal=await firm("受害者的异议企业"), provider_id=noticed, data=ObjectionIn(text="公示异议的内容"))
    await drain()
    return {"voucher_programme_id": draft.id, "voucher_provider_id": pending, "voucher_service_id": made.id,
            "objection_id": objection.id}


async def _victim_voucher_entitlement() -> dict[str, int]:
    """An SME of the victim's with an approved voucher application and the entitlement it was granted, by an issuer
    of the victim's."""
    from tests.finance.support import drain
    from tests.finance.voucher_entitlement_support import applied, approved_through_tiers, issuing, sme

    await drain()  # the earlier victims' events handled first (SQLite has one writer)
    owner = await issuing("受害者的创新券审核单位")  # its open programme is public by design: no mark
    firm = await sme(f"受害持券企业 {MARK}")
    made = await approved_through_tiers(owner, (await applied(firm, owner, 1_000_000)).id)
    assert made.entitlement_id is not None
    await drain()  # its events (webhooks, notifications) handled before the walk signs in
    return {"voucher_application_id": made.id, "voucher_entitlement_id": made.entitlement_id}


async def _victim_insurance_product() -> dict[str, int]:
    """A withdrawn insurance product of an insurer of the victim's (private to that insurer once withdrawn)."""
    from finance.insurance_products import service as insurance_products
    from finance.insurance_products.schemas import ProductCreateIn

    insurer = await make_account("insurer", email=f"{MARK.lower()}-insurer@victim.example.cn",
                                 org_name=f"受害保险公司 {MARK}")
    principal = await accounts.principal_for(user_id=insurer.user_id, org_id=insurer.org_id)
    assert principal is not None
    data = ProductCreateIn(
        code="victim-insurance", kind="enforcement", name_zh=f"{MARK} 专利执行保险", wording_version="v1", note=MARK,
        premium_table={"shape": "per_patent_by_tier", "by_firm_tier": [
            {"tier": "sme", "per_patent_premium_minor": 1_000_000, "per_patent_limit_minor": 85_000_000}]},
    )
    async with jobs.unit_of_work():
        made = await insurance_products.create_product(principal=principal, data=data)
        await insurance_products.change_status(principal=principal, product_id=made.product, action="withdraw",
                                               expected_version=1)
    return {"insurance_product_id": made.product, "product_version_id": made.id}


async def _victim_registration() -> dict[str, int]:
    """A registered pledge of the victim's firm with its bank, and the loan it opened (private to the two)."""
    from finance.registrations import service as registrations
    from finance.registrations.service import PledgeTerms
    from finance.servicing import service as servicing
    from market import runtime
    from tests.finance.support import principal_of
    from tests.finance.test_registrations import registered
    from tests.listings.support import eligible, record

    firm = await principal_of(await make_account("sme", org_name=f"受害出质企业 {MARK}"))
    lender = await principal_of(await make_account("bank", org_name=f"受害质权银行 {MARK}"))
    patent = await record(firm, eligible("CN108982325B", patentees=[firm.org_name]))
    async with jobs.unit_of_work():
        reg = await registrations.start(
            terms=PledgeTerms(
                application_id=0, pledgor_org=firm.org_id, pledgee_org=lender.org_id,
                amount=Money("CNY", 300_000_000), term_months=24, patent_ids=(patent,), rate_bp=385,
            ),
            data_dir=runtime.current().settings.data_dir,
        )
    await registered(firm, lender, reg.id)  # both sign, the bank records the filing and CNIPA's registration
    loan = await servicing.loan_of_registration(reg.id)
    assert loan is not None
    return {"registration_id": reg.id, "loan_id": loan.id}


async def _victim_policy() -> dict[str, int]:
    """An IP insurance policy of a firm of the victim's, paid by bank transfer and cancelled (its refund owed):
    private to the firm and its insurer."""
    from finance.policies import service as policies
    from tests.finance.insurance_support import accepted_application, sme
    from tests.finance.policy_support import in_force_policy

    made = await in_force_policy(await accepted_application(applicant=await sme(f"受害投保企业 {MARK}")))
    row = await policies.policy(made.policy_id)
    async with jobs.unit_of_work():
        out = await policies.cancel(principal=made.insured, policy_id=row.id, on=policies.today(), version=row.version)
    return {"policy_id": row.id, "premium_payment_id": out.payments[0].id, "endorsement_id": out.endorsements[-1].id}


async def _victim_claim() -> dict[str, int]:
    """An insurance claim of a firm of the victim's with its insurer, and a cost of it (written straight: the walk
    needs its ids, not its policy)."""
    from datetime import UTC, date, datetime

    from finance.desk import repository as desk_repo
    from finance.insurance_claims import repository as claims_repo

    firm = await make_account("sme", org_name=f"受害索赔企业 {MARK}")
    insurer = await make_account("insurer", org_name=f"受害理赔保险公司 {MARK}")
    async with jobs.unit_of_work():
        claim_id = await claims_repo.create({
            "policy": 0, "insured": firm.org_id, "insurer": insurer.org_id, "kind": "enforcement",
            "counterparty": f"{MARK} 相对方", "forum": "court", "event_on": date(2026, 6, 1),
            "first_claim_on": date(2026, 6, 2), "description": MARK,
        })
        case_id = await desk_repo.insert_case(
            kind="insurance_claim", subject=claim_id, reference=f"IC-{MARK}", reviewer_org=insurer.org_id,
            applicant_org=firm.org_id, state="notified", amount_minor=0, currency="CNY", sla_working_days=5,
            at=datetime.now(UTC),
        )
        await claims_repo.set_case(claim_id, case_id)
        cost_id = await claims_repo.add_cost({
            "claim": claim_id, "kind": "investigation", "amount_minor": 100, "incurred_on": date(2026, 6, 3),
            "description": MARK, "invoice_number": MARK,
        })
    return {"claim_id": claim_id, "cost_id": cost_id}


async def _victim_pledge() -> int:
    """A pledge-loan application of a firm of the victim's (private to it and, once submitted, its bank). The bank's
    published product is public by design: its name carries no mark."""
    from tests.finance.pledge_support import bank, draft, sme
    from tests.finance.support import drain

    lender = await bank("受害者的贷款银行")
    applicant = await sme(f"受害质押企业 {MARK}")
    application = await draft(applicant, lender.product_id)
    await drain()  # its events handled now, not beside the walk's requests (SQLite has one writer)
    return int(application.id)


async def _victim_needs() -> dict[str, int]:
    """A firm of the victim's with a technology need and a saved search (private to that firm)."""
    from listings.needs import repository as needs_repo

    firm = await make_account("sme", email=f"{MARK.lower()}-firm@victim.example.cn", org_name=f"受害企业 {MARK}")
    async with jobs.unit_of_work():
        need_id = await needs_repo.create_need(org_id=firm.org_id, user_id=firm.user_id, values={
            "title": f"{MARK} 膜过滤", "description": MARK, "budget_max_minor": 100})
        saved_id = await needs_repo.create_saved(org_id=firm.org_id, user_id=firm.user_id, name=f"{MARK} 搜索",
                                                 params={"q": MARK})
    return {"need_id": need_id, "saved_search_id": saved_id}


async def _victim_finance(account: Account, patent_id: int, declaration_id: int) -> dict[str, int]:
    """A licence the victim granted to a third firm (not an attacker), with a payment and a royalty report."""
    from datetime import date

    from finance.licences import repository as licences_repo
    from finance.payments import repository as payments_repo
    from finance.royalties import repository as royalties_repo

    third = await make_account("sme", org_name=f"第三方企业 {MARK}")
    async with jobs.unit_of_work():
        licence_id = await licences_repo.create(
            number=f"OL-LC-2026-{MARK}", declaration=declaration_id, declaration_version=1,
            declaration_version_id=1, patent=patent_id, licensor=account.org_id, licensee=third.org_id,
            status="active", payment_mode="running_royalty", royalty_rate_bp=300,
            licensee_name=f"第三方企业 {MARK}", starts_on=date(2026, 1, 1),
        )
        report_id = await royalties_repo.create(
            licence=licence_id, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
            net_sales_minor=1_000_000, rate_bp=300, royalty_due_minor=30_000,
        )
        payment_id = await payments_repo.create(
            licence=licence_id, purpose="royalty", royalty_report=report_id, method="card",
            provider="stripe", provider_id=f"pi_{MARK}", amount_minor=30_000,
            idempotency_key=f"{MARK}:1",
        )
    return {"licence_id": licence_id, "payment_id": payment_id, "report_id": report_id}


async def _victim_listings(account: Account) -> tuple[int, int, int]:
    """A patent, a draft declaration of it (private until published) and an import run."""
    from listings.declarations import repository as declarations_repo
    from listings.imports import repository as imports_repo
    from listings.patents import repository as patents_repo
    from listings.patents.schemas import PatentIn
    from listings.patents.service import record_values, today

    data = PatentIn(number="CN202223220665.2", title_zh=f"{MARK} 无人机机载多功能盒", patentees=[account.org_name],
                    filing_date="2022-12-02", grant_date="2023-03-28", evaluation_report_ref=f"{MARK}-PJ")
    async with jobs.unit_of_work():
        [patent_id] = await patents_repo.insert_many(
            [{**record_values(data, on=today()), "organisation": account.org_id, "source": MARK}]
        )
        declaration_id = await declarations_repo.create(
            org_id=account.org_id, patent_id=patent_id, status="draft", published_at=None
        )
        await declarations_repo.add_version(
            declaration_id, {"version": 1, "payment_mode": "lump_sum", "lump_sum_minor": 100, "other_matters": MARK}
        )
        run_id = await imports_repo.create(org_id=account.org_id, user_id=account.user_id,
                                           filename=f"{MARK}.csv", stored_path="")
    return patent_id, declaration_id, run_id


async def snapshot(victim: Victim) -> dict[str, Any]:
    """Everything of the victim's that a forbidden write could change."""
    from market.accounts.tables import ApiToken, User
    from market.audit.tables import AuditEvent
    from market.notifications.tables import Notification
    from market.orgs.tables import Membership, Organisation

    org_id, user_id = victim.account.org_id, victim.account.user_id
    return {
        "org": await Organisation.select().where(Organisation.id == org_id),
        "user": await User.select().where(User.id == user_id),
        "memberships": await Membership.select().where(
            (Membership.organisation == org_id) | (Membership.user == user_id)
        ),
        "tokens": await ApiToken.select(ApiToken.id, ApiToken.revoked_at).where(ApiToken.user == user_id),
        "notifications": await Notification.select().where(Notification.user == user_id),
        "audit": await AuditEvent.count().where(AuditEvent.org_id == org_id),
        "webhooks": await _webhooks_snapshot(victim),
        **await _listings_snapshot(victim),
    }


async def _webhooks_snapshot(victim: Victim) -> list[Any]:
    from market.webhooks.tables import WebhookDelivery, WebhookEndpoint

    endpoint = victim.extra["webhook_endpoint_id"]
    return [
        await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint),
        await WebhookDelivery.select().where(WebhookDelivery.endpoint == endpoint),
    ]


async def _listings_snapshot(victim: Victim) -> dict[str, Any]:
    from listings.declarations.tables import Declaration, DeclarationVersion
    from listings.imports.tables import ImportRun
    from listings.patents.tables import Patent, RecordedLicence

    return {
        "patent": await Patent.select().where(Patent.id == victim.patent_id),
        "licences": await RecordedLicence.select().where(RecordedLicence.patent == victim.patent_id),
        "declarations": await Declaration.select().where(Declaration.patent == victim.patent_id),
        "versions": await DeclarationVersion.select().where(DeclarationVersion.declaration == victim.declaration_id),
        "import": await ImportRun.select().where(ImportRun.id == victim.import_run_id),
        **await _finance_snapshot(victim),
        **await _needs_snapshot(victim),
    }


async def _needs_snapshot(victim: Victim) -> dict[str, Any]:
    from listings.needs.tables import Need, SavedSearch

    return {
        "need": await Need.select().where(Need.id == victim.extra["need_id"]),
        "saved_search": await SavedSearch.select().where(SavedSearch.id == victim.extra["saved_search_id"]),
    }


async def _finance_snapshot(victim: Victim) -> dict[str, Any]:
    from finance.insurance_products.tables import InsuranceProduct, InsuranceProductVersion
    from finance.licences.tables import Licence
    from finance.loan_products.tables import LoanProduct, LoanProductVersion
    from finance.payments.tables import LicencePayment
    from finance.royalties.tables import RoyaltyReport

    licence_id = victim.extra["licence_id"]
    product_id = victim.extra["product_id"]
    return {
        "loan_product": await LoanProduct.select().where(LoanProduct.id == product_id),
        "loan_product_versions": await LoanProductVersion.select().where(LoanProductVersion.product == product_id),
        "insurance_product": await InsuranceProduct.select().where(
            InsuranceProduct.id == victim.extra["insurance_product_id"]
        ),
        "insurance_product_versions": await InsuranceProductVersion.select().where(
            InsuranceProductVersion.product == victim.extra["insurance_product_id"]
        ),
        "licence": await Licence.select().where(Licence.id == licence_id),
        "payments": await LicencePayment.select().where(LicencePayment.licence == licence_id),
        "reports": await RoyaltyReport.select().where(RoyaltyReport.licence == licence_id),
        **await _insurance_snapshot(victim),
    }


async def _insurance_snapshot(victim: Victim) -> dict[str, Any]:
    from finance.desk.tables import DeskCase, DeskDecision
    from finance.insurance.tables import InsuranceApplication, InsuranceApplicationPatent, InsuranceConsent

    application_id = victim.extra["insurance_application_id"]
    case = await DeskCase.select().where((DeskCase.kind == "insurance") & (DeskCase.subject == application_id))
    return {
        "insurance_application": await InsuranceApplication.select().where(InsuranceApplication.id == application_id),
        "insurance_patents": await InsuranceApplicationPatent.select().where(
            InsuranceApplicationPatent.application == application_id
        ),
        "insurance_case": case,
        "insurance_decisions": await DeskDecision.select().where(DeskDecision.case.is_in([c["id"] for c in case])),
        "insurance_consent": await InsuranceConsent.select().where(InsuranceConsent.id == victim.extra["consent_id"]),
    }
