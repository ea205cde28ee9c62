"""Finance speaks codes: a refusal, a bank statement's verdicts and a notification are one code with parameters,
rendered in the reader's language (the API in ``Accept-Language``), the code always carried."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from market.accounts.tables import User
from market.i18n import Msg, gettext
from market.jobs import unit_of_work
from market.notifications import repository as notifications_repo
from market.notifications import service as notifications
from market.notifications.service import notify
from market.notifications.tables import Notification
from market.piccolo_migrations import market_0006_notification_legacy_rows as legacy_rows
from market.piccolo_migrations.market_0006_notification_legacy_rows import convert
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.support import LUMP, ROYALTY, offer, principal_of

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-GB,en;q=0.8"}


def request(declaration_id: int) -> LicenceRequestIn:
    return LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)


async def csrf(client: Client) -> dict[str, str]:
    return {"x-csrftoken": await client.csrf()}


async def both(client: Client, method: str, url: str, **kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same request in Chinese and in English: the two answers, same status."""
    zh = await client.request(method, url, headers={**ZH, "x-csrftoken": await client.csrf()}, **kw)
    en = await client.request(method, url, headers={**EN, "x-csrftoken": await client.csrf()}, **kw)
    assert zh.status_code == en.status_code, (zh.text, en.text)
    return zh.json(), en.json()


async def test_paying_another_firms_licence_is_refused_with_one_code_in_both_languages(client: Client) -> None:
    _, _, declaration_id = await offer(LUMP)
    owner = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    async with unit_of_work():
        licence = await licences.request_licence(principal=await principal_of(owner), data=request(declaration_id))
    other = await make_account("sme", org_name="苏州澄明光电有限公司")
    await sign_in(client, other)

    zh, en = await both(client, "POST", f"/api/licences/{licence.id}/payments", json={"method": "bank_transfer"})

    assert zh["status"] == 404 and zh["message_code"] == en["message_code"] == "licence.not_found"
    assert zh["detail"] == "没有这项许可。" and en["detail"] == "No such licence."


async def test_sales_outside_the_term_are_refused_with_one_code_and_the_term_in_each_language(
    client: Client,
) -> None:
    _, _, declaration_id = await offer({**ROYALTY, "term_years": 1})
    account = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    async with unit_of_work():  # a running royalty only: nothing due now, active at once
        licence = await licences.request_licence(principal=await principal_of(account), data=request(declaration_id))
    assert licence.status == "active" and licence.starts_on is not None and licence.ends_on is not None
    await sign_in(client, account)
    too_late = {
        "period_start": licence.ends_on.isoformat(),
        "period_end": (licence.ends_on + timedelta(days=30)).isoformat(),
        "net_sales_minor": 1_000_000,
    }

    zh, en = await both(client, "POST", f"/api/licences/{licence.id}/royalty-reports", json=too_late)

    assert zh["status"] == 422 and zh["message_code"] == en["message_code"] == "royalty.outside_term"
    assert zh["errors"][0]["code"] == en["errors"][0]["code"] == "outside_term"
    assert zh["errors"][0]["field"] == "period_start"
    assert zh["detail"] != en["detail"] and "许可期限" in zh["detail"] and "licence term" in en["detail"]
    starts, ends = licence.starts_on, licence.ends_on
    assert f"{starts.year}年{starts.month}月{starts.day}日" in zh["detail"]
    assert str(ends.year) in en["detail"] and "年" not in en["detail"]
    assert zh["errors"][0]["params"]["start"] != en["errors"][0]["params"]["start"]  # a date, shown per language


async def test_a_bank_statement_report_in_both_languages(client: Client) -> None:
    _, _, declaration_id = await offer(LUMP)
    firm_principal = await principal_of(await make_account("sme"))
    async with unit_of_work():
        licence = await licences.request_licence(principal=firm_principal, data=request(declaration_id))
        payment = await payments.start(
            principal=firm_principal, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
        )
    operator = await make_account("platform_admin", org_name="平台运营")
    await sign_in(client, operator)
    statement = (
        "交易日期,金额,付款人,摘要\n"
        f"2026-11-20,100.00,深圳某公司,许可费 {payment.reference}\n"  # the wrong amount: to review
        "2026-11-21,500.00,某人,无关款项\n"
    ).encode("gbk")
    files = {"file": ("statement.csv", statement, "text/csv")}

    queued = await client.request("POST", "/api/admin/payments/statement", files=files, headers=await csrf(client))
    assert queued.status_code == 202, queued.text
    await client.app.state.job_queue.drain()  # matched in the job
    run_id = queued.json()["id"]
    zh_run, en_run = await both(client, "GET", f"/api/admin/payments/statements/{run_id}")
    assert zh_run["status"] == "done" and zh_run["confirmed"] == en_run["confirmed"] == 0
    zh, en = ({"rows": rows} for rows in await both(client, "GET", f"/api/admin/payments/statements/{run_id}/rows"))
    codes = [r["detail_code"] for r in zh["rows"]]
    assert (
        codes
        == [r["detail_code"] for r in en["rows"]]
        == [
            "bank_statement.amount_mismatch",
            "bank_statement.no_reference",
        ]
    )
    assert zh["rows"][0]["detail"] == "应付 ¥123,456.00，实收 ¥100.00"
    assert en["rows"][0]["detail"].startswith("Expected ") and "123,456.00" in en["rows"][0]["detail"]
    assert zh["rows"][1]["detail"] == "附言中没有编号" and en["rows"][1]["detail"] == "No reference in the memo"

    unreadable_zh, unreadable_en = await both(
        client, "POST", "/api/admin/payments/statement", files={"file": ("x.csv", b"name,value\nx,1\n", "text/csv")}
    )
    assert unreadable_zh["message_code"] == unreadable_en["message_code"] == "payment.statement_unreadable"
    assert unreadable_zh["errors"][0]["code"] == "statement"
    assert "未找到表头" in unreadable_zh["errors"][0]["message"]
    assert "No header row" in unreadable_en["errors"][0]["message"]


async def test_one_stored_notification_is_listed_in_each_readers_language(client: Client) -> None:
    account = await make_account("sme")
    async with unit_of_work():
        await notify(
            user_id=account.user_id,
            kind="licence_filing-30",
            message=Msg("notification.filing_due", {"number": "OL-LC-2026-000007", "deadline": date(2027, 2, 20)}),
            dedupe_key="test:filing",
        )
    await sign_in(client, account)

    zh, en = await both(client, "GET", "/api/notifications")

    assert [n["id"] for n in zh] == [n["id"] for n in en] and len(zh) == 1
    assert zh[0]["code"] == en[0]["code"] == "notification.filing_due"
    assert zh[0]["title"] == "请在 2027年2月20日 前向国家知识产权局备案（实施细则第十五条）· OL-LC-2026-000007"
    assert (
        en[0]["title"]
        == "File the licence with CNIPA by Feb 20, 2027 (Implementing Regulations Art 15) · OL-LC-2026-000007"
    )
    assert zh[0]["params"]["number"] == "OL-LC-2026-000007"

    read_zh, read_en = await both(client, "POST", f"/api/notifications/{zh[0]['id']}/read")
    assert read_zh["read_at"] and read_en["title"] == en[0]["title"]


async def test_the_welcome_notification_is_e_mailed_in_the_recipients_language(client: Client) -> None:
    english = await make_account("sme")
    await User.update({User.locale: "en"}).where(User.id == english.user_id)
    chinese = await make_account("sme")
    async with unit_of_work():
        for account in (english, chinese):
            await notify(
                user_id=account.user_id,
                kind="welcome",
                message=Msg("notification.welcome"),
                body=Msg("notification.welcome.body"),
                dedupe_key=f"welcome:{account.user_id}",
            )
    to_english = await notifications.for_email(f"welcome:{english.user_id}")
    to_chinese = await notifications.for_email(f"welcome:{chinese.user_id}")
    assert to_english is not None and to_chinese is not None
    assert (to_english.lang, to_english.email) == ("en", english.email)
    assert to_english.title == gettext("en", "notification.welcome") and "what to do next" in to_english.body
    assert to_chinese.title == gettext("zh", "notification.welcome") and "工作台列出了接下来要做的事" in to_chinese.body


def test_notifications_written_before_codes_are_mapped_to_codes_or_kept_as_text() -> None:
    number = "OL-LC-2026-000003"
    assert convert("licence_contract", f"许可合同已生成，可下载 · {number} / The licence contract is ready", "") == (
        "notification.contract_ready",
        {"number": number},
        "",
    )
    code, params, _ = convert(
        "licence_filing-7",
        f"请在 2027-02-20 前向国家知识产权局备案（实施细则第十五条） · {number} / File the licence with CNIPA by 2027",
        "",
    )
    assert (code, params["deadline"], params["number"]) == ("notification.filing_due", {"$date": "2027-02-20"}, number)
    code, params, _ = convert(
        "licence_unpaid-4", f"提成费逾期未付 · {number} / The royalty for 2026-07-01 – 2026-09-30 is unpaid", ""
    )
    assert code == "notification.royalty_unpaid" and params["start"] == {"$date": "2026-07-01"}
    assert convert("welcome", "欢迎使用开放许可专利平台", "您的账户已创建。") == (
        "notification.welcome",
        {},
        "notification.welcome.body",
    )
    assert convert("need_match", "新的开放许可匹配您的需求「传感器」", "以下……") == (
        "notification.legacy",
        {"title": "新的开放许可匹配您的需求「传感器」", "body": "以下……"},
        "notification.legacy.body",
    )


async def test_an_old_notification_row_reads_as_it_was_written(client: Client) -> None:
    """A row converted by market_0004 to ``notification.legacy`` shows its old text in any language."""
    account = await make_account("sme")
    async with unit_of_work():
        await notify(
            user_id=account.user_id,
            kind="need_match",
            message=Msg("notification.legacy", {"title": "旧通知"}),
            body=Msg("notification.legacy.body", {"body": "旧正文"}),
            dedupe_key="test:legacy",
        )
    await sign_in(client, account)
    zh, en = await both(client, "GET", "/api/notifications")
    assert (zh[0]["title"], zh[0]["body"]) == (en[0]["title"], en[0]["body"]) == ("旧通知", "旧正文")


async def test_the_migration_gives_old_rows_their_codes(backend: Backend) -> None:
    """market_0004 on rows as the old code wrote them: known titles get codes, others keep their text."""
    account = await make_account("sme")
    number = "OL-LC-2026-000009"
    old = [
        ("licence_contract", f"许可合同已生成，可下载 · {number} / The licence contract is ready to download", ""),
        ("need_match", "新的开放许可匹配您的需求「传感器」", "以下新发布的开放许可与您的技术需求匹配："),
    ]
    for n, (kind, title, body) in enumerate(old):
        await Notification.insert(
            Notification(user=account.user_id, kind=kind, title=title, body=body, dedupe_key=f"old:{n}")
        )
    manager = await legacy_rows.forwards()
    for step in manager.raw:
        await step()
    rows = await Notification.select().where(Notification.user == account.user_id).order_by(Notification.id)
    assert [r["code"] for r in rows] == ["notification.contract_ready", "notification.legacy"]
    records = sorted(await notifications_repo.for_user(account.user_id, limit=10), key=lambda n: n.id)
    assert notifications.rendered_title_and_body(records[0], "en") == (
        f"The licence contract is ready to download · {number}",
        "",
    )
    assert notifications.rendered_title_and_body(records[1], "en") == (old[1][1], old[1][2])


async def test_a_licence_and_its_bank_transfer_are_said_in_the_readers_language(client: Client) -> None:
    """One stored licence, one payment: the terms and the transfer instructions come as codes with parameters, and
    their text follows Accept-Language (no field per language)."""
    _, _, declaration_id = await offer(LUMP)
    account = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    async with unit_of_work():
        licence = await licences.request_licence(principal=await principal_of(account), data=request(declaration_id))
    await sign_in(client, account)
    started = await client.send_json("POST", f"/api/licences/{licence.id}/payments", {"method": "bank_transfer"})
    assert started.status_code == 201, started.text

    zh, en = await both(client, "GET", f"/api/licences/{licence.id}")
    assert [t["code"] for t in zh["terms"]] == [t["code"] for t in en["terms"]] and zh["terms"]
    assert "terms_zh" not in zh
    assert all(a["message"] != b["message"] for a, b in zip(zh["terms"], en["terms"], strict=True))

    zh_pay, en_pay = await both(client, "GET", f"/api/licences/{licence.id}/payments")
    [zh_transfer], [en_transfer] = zh_pay, en_pay
    assert zh_transfer["instructions"]["code"] == en_transfer["instructions"]["code"] == "payment.transfer_instructions"
    assert zh_transfer["reference"] in zh_transfer["instructions"]["message"]
    assert zh_transfer["instructions"]["message"] != en_transfer["instructions"]["message"]
