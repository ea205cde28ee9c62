"""Dashboards that lead (issue 16, point 4): each role's first screen shows its next actions and the numbers behind
them, counted through the services, in either language; the audit trail shows sentences, the raw code one click
away."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from finance.desk import service as desk
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.needs import service as needs
from listings.needs.schemas import NeedIn
from market import jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.events import repository as events_repo
from market.i18n import gettext
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.desk_support import bank_with_members, move, open_case
from tests.frontend.test_listings_pages import eligible_patent

HTML = {"accept": "text/html"}
HAN = re.compile(r"[\u4e00-\u9fff]")


async def principal_of(account: Account) -> Principal:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


def count(html: str, tile: str) -> int:
    """The number a tile shows (``id="count-<tile>"``)."""
    found = re.search(rf'id="count-{re.escape(tile)}">(\d+)<', html)
    assert found, f"no counter {tile!r} on the page"
    return int(found.group(1))


def lead(html: str) -> str:
    """The dashboard's lead section (next actions), the first thing under the heading."""
    start = html.index('id="next-actions"')
    return html[start : html.index("</section>", start)]


async def dashboard(client: Client, account: Account, lang: str = "zh") -> str:
    await sign_in(client, account)
    if lang == "en":
        await client.get("/lang/en?next=/dashboard")
    response = await client.get("/dashboard", headers=HTML)
    assert response.status_code == 200, response.text
    return response.text


# ------------------------------------------------------------------------------------------------------ SME


async def test_sme_leads_with_search_post_a_need_and_open_applications(backend: Backend, client: Client) -> None:
    sme = await make_account("sme")
    principal = await principal_of(sme)
    async with jobs.unit_of_work():
        await needs.create_need(principal=principal, data=NeedIn(title="耐高温密封材料"))
        await needs.create_need(principal=principal, data=NeedIn(title="污水处理膜组件"))
    html = await dashboard(client, sme)
    first = lead(html)
    assert 'action="/search"' in first and 'name="q"' in first  # a search box: GET /search?q=
    assert 'href="/needs/new"' in first  # post a need
    assert count(first, "needs") == 2
    assert "耐高温密封材料" in first and 'href="/needs/' in first
    for tile in ("licences-to-pay", "pledges-open", "insurance-open", "vouchers-open"):
        assert count(first, tile) == 0
    assert "API" not in first


# ----------------------------------------------------------------------------------------------- university


async def test_university_leads_with_import_drafts_transfers_and_filings_due(backend: Backend, client: Client) -> None:
    uni = await make_account("university")
    principal = await principal_of(uni)
    drafted = await eligible_patent(uni, number="CN108982325B")
    published = await eligible_patent(uni, number="CN110000001B")
    terms = TermsIn(payment_mode="running_royalty", royalty_rate_bp=240)
    async with jobs.unit_of_work():
        await declarations.declare(
            principal=principal, data=DeclareIn(patent_ids=[drafted], terms=terms, publish=False)
        )
        await declarations.declare(principal=principal, data=DeclareIn(patent_ids=[published], terms=terms))
    html = await dashboard(client, uni)
    first = lead(html)
    assert 'href="/patents/import"' in first  # import first
    assert count(first, "drafts") == 1 and 'href="/declarations?status=draft"' in first
    assert count(first, "filings-due") == 1  # published, CNIPA's announcement not recorded yet
    assert count(first, "transfers-to-confirm") == 0
    assert count(first, "patents") == 2 and count(first, "published") == 1
    assert "/tokens" not in first and "API" not in first  # a new university is not sent to API tokens first
    assert 'href="/university/overview"' in first  # its funnel and income by month, one click away


# ---------------------------------------------------------------------------------------- bank and insurer


@pytest.mark.parametrize("kind", ["bank", "insurer"])
async def test_reviewer_leads_with_the_queue_and_its_deadlines(backend: Backend, client: Client, kind: str) -> None:
    bank = await bank_with_members(0, kind=kind)
    soon = await move(await open_case(bank, sla_working_days=1), "submit")
    await move(await open_case(bank, sla_working_days=20), "submit")  # weeks after the first
    await open_case(bank)  # a draft: not on anyone's desk yet
    assert soon.due_on is not None
    principal = await principal_of(bank.owner)
    window = timedelta(days=desk.DUE_SOON_DAYS)
    on_due_day = await desk.queue_summary(principal=principal, on=soon.due_on)
    assert (on_due_day.open, on_due_day.unassigned, on_due_day.due_soon, on_due_day.overdue) == (2, 2, 1, 0)
    assert (await desk.queue_summary(principal=principal, on=soon.due_on - window)).due_soon == 1
    assert (await desk.queue_summary(principal=principal, on=soon.due_on - window - timedelta(days=1))).due_soon == 0
    later = await desk.queue_summary(principal=principal, on=soon.due_on + timedelta(days=60))
    assert (later.open, later.overdue, later.due_soon) == (2, 2, 0)  # past due, before the sweep flags them

    today = await desk.queue_summary(principal=principal)
    first = lead(await dashboard(client, bank.owner))
    assert count(first, "open") == 2 and count(first, "unassigned") == 2
    assert count(first, "due-soon") == today.due_soon and count(first, "overdue") == today.overdue == 0
    assert 'href="/desk"' in first and 'href="/desk?breached=yes"' in first


# --------------------------------------------------------------------------------------------------- issuer


async def test_issuer_leads_with_programme_status(backend: Backend, client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    html = await dashboard(client, issuer)
    first = lead(html)
    assert count(first, "applications-waiting") == 0
    assert 'href="/issuer/voucher-applications"' in first
    assert 'id="h-programmes"' in first and 'href="/issuer/vouchers"' in first  # no programme yet: set one up
    assert count(first, "open") == 0  # the review queue, too


# ---------------------------------------------------------------------------------------------------- admin


async def test_admin_leads_with_approvals_stuck_jobs_payments_and_refunds(backend: Backend, client: Client) -> None:
    admin = await make_account("platform_admin")
    await make_account("sme", approved=False)
    await make_account("university", approved=False)
    async with jobs.unit_of_work():
        failed = await events_repo.add("test.dashboard_failed", {})
        await events_repo.set_status(failed, "failed")
        await events_repo.add("test.dashboard_new", {})  # pending for a moment: not stuck
    html = await dashboard(client, admin)
    first = lead(html)
    assert count(first, "jobs-stuck") == 1 and 'href="/admin/overview#h-jobs"' in first
    assert count(first, "approvals") == 2 and 'href="/admin/orgs"' in first
    assert count(first, "transfers-to-confirm") == 0 and 'href="/admin/transfers"' in first
    assert count(first, "refunds-due") == 0 and 'href="/admin/refunds"' in first
    assert 'href="/admin/overview"' in first  # stuck jobs and ageing: the platform overview


# ------------------------------------------------------------------------------------------- both languages


@pytest.mark.parametrize("kind", ["sme", "university", "bank", "insurer", "voucher_issuer", "platform_admin"])
async def test_the_lead_speaks_one_language(backend: Backend, client: Client, kind: str) -> None:
    account = await make_account(kind)
    zh = lead(await dashboard(client, account, "zh"))
    en = lead(await dashboard(client, account, "en"))
    assert HAN.search(zh) and "Next steps" not in zh
    assert not HAN.search(en), HAN.findall(en)
    assert "Next steps" in en


async def test_a_pending_organisation_sees_its_lead_too(backend: Backend, client: Client) -> None:
    sme = await make_account("sme", approved=False)
    html = await dashboard(client, sme)
    assert 'id="verification-status"' in html and count(lead(html), "needs") == 0


async def test_audit_trail_in_plain_words_with_the_code_one_click_away(backend: Backend, client: Client) -> None:
    sme = await make_account("sme")
    async with jobs.unit_of_work():
        await needs.create_need(principal=await principal_of(sme), data=NeedIn(title="耐高温密封材料"))
    zh = await dashboard(client, sme)
    audit = zh[zh.index('id="audit-events"') :]
    assert "发布了一条技术需求" in audit
    assert re.search(
        r"<details[^>]*>\s*<summary>[^<]+</summary>\s*<code translate=\"no\"[^>]*>listings\.need_posted", audit
    )
    en = await client.get("/lang/en?next=/dashboard")
    assert en.status_code in (200, 302)
    text = (await client.get("/dashboard", headers=HTML)).text
    assert "Posted a technology need" in text[text.index('id="audit-events"') :]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_new_account_is_not_sent_to_api_tokens_first(lang: str) -> None:
    """The welcome notification (the first thing on a new dashboard) points to verification and the dashboard."""
    body = gettext(lang, "notification.welcome.body")
    assert "API" not in body and "令牌" not in body and "token" not in body.lower()


async def test_a_service_provider_without_a_lead_sees_no_empty_section(backend: Backend, client: Client) -> None:
    provider = await make_account("service_provider")
    html = await dashboard(client, provider)
    assert 'id="next-actions"' not in html and 'id="more-links"' in html
