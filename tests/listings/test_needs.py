"""Technology needs and saved searches of SMEs, on SQLite and PostgreSQL: CRUD with another organisation's objects
answering 404, matches ranked with their reasons, the needs a university sees for its listing, and the alerts a
new listing sends (once; a digest for many; by e-mail over SMTP when configured)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.needs import alerts
from market import jobs, runtime
from market.app import create_app
from market.integrations.search import build_search
from market.notifications import repository as notifications_repo
from market.notifications.service import rendered_title_and_body
from market.notifications.tables import Notification
from market.settings import Settings
from tests.conftest import Backend, Client, make_account, sign_in
from tests.listings.search_support import LUMP, ROYALTY, publish
from tests.listings.smtp_server import SmtpServer
from tests.listings.support import eligible, record, university
from tests.listings.test_search_sync import university_principal

NEED = {
    "title": "污水处理设备的膜过滤技术",
    "description": "我们生产工业污水处理设备，希望获得膜过滤、反渗透方面的专利许可，用于印染废水。",
    "tech_field": 24,
    "budget_max_minor": 50_000_000,
    "region": "330000",
    "deadline": (date.today() + timedelta(days=90)).isoformat(),
}


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


async def sme_client(client: Client) -> Any:
    account = await make_account("sme", org_name="杭州清源环保设备有限公司")
    await sign_in(client, account)
    return account


async def membrane_listings(app: Any) -> tuple[Any, dict[str, int]]:
    account, uni = await university("浙江大学")
    ids = {
        "membrane": await publish(
            uni, "CN108859303B", title_zh="一种用于印染废水的陶瓷膜过滤装置", ipc_codes=["C02F 1/44"],
            abstract="本发明公开了一种陶瓷膜过滤装置，用于工业污水的深度处理。",
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=30_000_000),
        ),
        "expensive": await publish(
            uni, "CN110000001B", title_zh="一种反渗透膜及污水处理方法", ipc_codes=["B01D 61/02"],
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=90_000_000),
        ),
        "battery": await publish(
            uni, "CN109637352B", title_zh="一种锂离子电池正极材料", ipc_codes=["H01M 4/131"], terms=ROYALTY
        ),
    }  # fmt: skip
    await app.state.job_queue.drain()
    return account, ids


async def test_an_sme_keeps_its_needs_and_no_one_else_sees_them(backend: Backend, client: Client) -> None:
    await sme_client(client)
    r = await client.send_json("POST", "/api/needs", NEED)
    assert r.status_code == 201, r.text
    need = r.json()
    assert need["tech_field_label"]["name_zh"] == "环境技术" and need["status"] == "open"
    assert [n["id"] for n in (await client.get("/api/needs")).json()] == [need["id"]]
    changed = {**NEED, "budget_max_minor": 80_000_000}
    r = await client.send_json("PUT", f"/api/needs/{need['id']}", changed)
    assert r.status_code == 200 and r.json()["budget_max_minor"] == 80_000_000

    r = await client.send_json("POST", "/api/needs", {**NEED, "deadline": "2020-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "deadline"
    r = await client.send_json("POST", "/api/needs", {**NEED, "tech_field": 36})
    assert r.status_code == 400

    client.cookies.clear()
    await sign_in(client, await make_account("sme"))
    for method, path in [("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/matches"), ("POST", "/close")]:
        r = await client.send_json(method, f"/api/needs/{need['id']}{path}", NEED if method == "PUT" else None)
        assert r.status_code == 404, (method, path, r.status_code)
    assert (await client.get("/api/needs")).json() == []
    client.cookies.clear()
    await sign_in(client, await make_account("university"))
    assert (await client.get("/api/needs")).status_code == 403


async def test_matches_are_ranked_with_plain_reasons(backend: Backend, client: Client, app: Any) -> None:
    _, ids = await membrane_listings(app)
    await sme_client(client)
    need = (await client.send_json("POST", "/api/needs", NEED)).json()
    r = await client.get(f"/api/needs/{need['id']}/matches")
    assert r.status_code == 200, r.text
    matches = r.json()["matches"]
    assert [m["declaration_id"] for m in matches] == [ids["membrane"], ids["expensive"]]  # not the battery
    best, second = matches
    assert best["score"] > second["score"] and best["university"] == "浙江大学"
    assert {"膜过滤", "印染废水"} <= set(best["matched_terms"])
    reasons = {r["code"]: r for r in best["reasons"]}
    assert set(reasons) == {"terms", "field", "budget", "life"}
    assert reasons["field"]["points"] == 20 and reasons["field"]["message"] == "属于需求的技术领域"
    assert reasons["budget"]["points"] == 20 and "在预算" in reasons["budget"]["message"]
    over = {r["code"]: r for r in second["reasons"]}["budget"]
    assert over["points"] == 0 and "超出预算" in over["message"] and over["message_code"] == "need.reason.over_budget"
    english = await client.get(f"/api/needs/{need['id']}/matches", headers={"Accept-Language": "en"})
    over_en = {r["code"]: r for r in english.json()["matches"][1]["reasons"]}["budget"]
    assert "over the budget" in over_en["message"] and over_en["params"] == over["params"]


async def test_a_university_sees_the_needs_matching_its_listing(backend: Backend, client: Client, app: Any) -> None:
    owner, ids = await membrane_listings(app)
    await sme_client(client)
    need = (await client.send_json("POST", "/api/needs", NEED)).json()
    await client.send_json(
        "POST", "/api/needs", {**NEED, "title": "电动汽车电池管理", "description": "", "tech_field": 1}
    )
    client.cookies.clear()
    await sign_in(client, owner)
    found = (await client.get(f"/api/listings/{ids['membrane']}/needs")).json()
    assert [n["need"]["id"] for n in found] == [need["id"]]
    assert found[0]["need"]["org_name"] == "杭州清源环保设备有限公司" and found[0]["score"] >= 70
    client.cookies.clear()
    await sign_in(client, await make_account("university"))
    assert (await client.get(f"/api/listings/{ids['membrane']}/needs")).status_code == 404


async def test_a_new_listing_alerts_its_needs_and_saved_searches_once(
    backend: Backend, client: Client, app: Any
) -> None:
    sme = await sme_client(client)
    await client.send_json("POST", "/api/needs", NEED)
    r = await client.send_json("POST", "/api/saved-searches", {"name": "膜过滤", "params": {"q": "膜过滤"}})
    assert r.status_code == 201, r.text
    blank = await client.send_json("POST", "/api/saved-searches", {"name": "全部", "params": {}})
    assert blank.status_code == 422
    _, ids = await membrane_listings(app)
    notes = await Notification.select().where(Notification.user == sme.user_id).order_by(Notification.id)
    kinds = sorted((n["kind"], n["dedupe_key"]) for n in notes)
    saved_id = r.json()["id"]
    assert ("saved_search_match", f"saved:{saved_id}:{ids['membrane']}") in kinds
    assert ("saved_search_match", f"saved:{saved_id}:{ids['battery']}") not in kinds
    need_notes = [n for n in notes if n["kind"] == "need_match"]
    assert [n["dedupe_key"].rsplit(":", 1)[1] for n in need_notes] == [str(ids["membrane"])]
    [need_note] = [n for n in await notifications_repo.for_user(sme.user_id, limit=50) if n.kind == "need_match"]
    _, body = rendered_title_and_body(need_note, "zh")
    assert "陶瓷膜过滤装置" in body and "匹配度" in body

    alerts_only = Notification.kind != "cnipa_filing"  # the university is told to file the revision with CNIPA
    before = await Notification.count().where(alerts_only)
    assert await alerts.alert_new_listings() == 0  # nothing new
    owner = await university_principal(await owner_of(ids["membrane"]))
    async with jobs.unit_of_work():  # a revision is not a new listing
        await declarations.revise(
            principal=owner,
            declaration_id=ids["membrane"],
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=20_000_000),
        )
    await app.state.job_queue.drain()
    assert await Notification.count().where(alerts_only) == before


async def owner_of(declaration_id: int) -> Any:
    from listings.search import repository
    from market.orgs import repository as orgs_repo
    from tests.conftest import Account

    row = await repository.declaration(declaration_id)
    assert row is not None
    member = (await orgs_repo.members_of_org(row.organisation))[0]
    return Account(member.user_id, row.organisation, member.email, "", "university")


async def test_many_new_listings_at_once_send_one_digest(backend: Backend, client: Client, app: Any) -> None:
    sme = await sme_client(client)
    await client.send_json("POST", "/api/saved-searches", {"name": "污水", "params": {"q": "污水"}})
    _, uni = await university("浙江大学")
    patent_ids = [
        await record(uni, eligible(f"CN11000000{n}B", title_zh=f"一种污水处理装置（{n}）", ipc_codes=["C02F 1/44"]))
        for n in range(1, 8)
    ]
    async with jobs.unit_of_work():
        await declarations.declare(principal=uni, data=DeclareIn(patent_ids=patent_ids, terms=LUMP))
    await app.state.job_queue.drain()
    notes = await Notification.select().where(Notification.user == sme.user_id)
    assert len(notes) == 1 and ":digest:" in notes[0]["dedupe_key"]
    [note] = await notifications_repo.for_user(sme.user_id, limit=50)
    assert rendered_title_and_body(note, "zh")[0].startswith("7 项新的开放许可")
    assert rendered_title_and_body(note, "en")[0].startswith("7 项新的开放许可")  # as written


async def test_alerts_are_emailed_when_smtp_is_set(backend: Backend, client: Client, app: Any) -> None:
    server = await SmtpServer().start()
    server.refuse_next = 1  # the first try meets a busy server: the job retries
    settings = Settings(env="test", smtp_url=server.url, mail_from="alerts@market.local")
    runtime.replace(mail=runtime.Mailer.from_settings(settings))  # the app's runtime, with this mail server
    try:
        sme = await sme_client(client)
        await client.send_json("POST", "/api/saved-searches", {"name": "膜过滤", "params": {"q": "膜过滤"}})
        await membrane_listings(app)
        await app.state.job_queue.drain()
        assert len(server.messages) == 1
        [mail] = server.messages
        assert mail.recipients == [sme.email] and mail.sender == "alerts@market.local"
        assert mail.message["Subject"] == "新的开放许可符合您保存的搜索「膜过滤」"
        assert "CN108859303B" in mail.message.get_content()
        # sent once: the job run again finds it recorded
        note = await Notification.select().where(Notification.user == sme.user_id).first()
        assert await alerts.email_alert(dedupe_key=note["dedupe_key"]) is False
        assert len(server.messages) == 1
    finally:
        await server.stop()


def test_mail_settings_and_messages() -> None:
    from market.integrations.mail import build_message, parse_smtp_url

    config = parse_smtp_url("smtp://alerts%40x.cn:p%40ss@mail.x.cn:587")
    assert (config.host, config.port, config.username, config.password, config.tls) == (
        "mail.x.cn", 587, "alerts@x.cn", "p@ss", "starttls",
    )  # fmt: skip
    assert parse_smtp_url("smtps://mail.x.cn").port == 465 and parse_smtp_url("smtps://mail.x.cn").tls == "ssl"
    assert parse_smtp_url("smtp://relay?tls=none").tls == "none"
    with pytest.raises(ValueError, match="smtp://"):
        parse_smtp_url("http://mail.x.cn")
    message = build_message(sender="a@x.cn", to="b@y.cn", subject="新的开放许可", text="正文 body")
    raw = message.as_bytes()
    assert b"=?utf-8?" in raw and "新的开放许可" not in raw.decode("ascii")  # encoded for any server
    assert message.get_content().strip() == "正文 body"


async def test_a_saved_search_reads_its_words_as_the_search_does(backend: Backend, client: Client, app: Any) -> None:
    """The alerts run each saved search over an index of the new listings alone; a word the main index knows gets
    no typo there either, so "motor" alerts a new "motor" listing but never a "rotor" one (one edit away), exactly
    as the search would list them."""
    _, uni = await university("浙江大学")
    await publish(uni, "CN108859303B", title_zh="一种电机控制装置", title_en="Electric motor control device")
    await app.state.job_queue.drain()
    sme = await sme_client(client)
    r = await client.send_json("POST", "/api/saved-searches", {"name": "motor", "params": {"q": "motor "}})
    assert r.status_code == 201, r.text
    rotor = await publish(uni, "CN110000001B", title_zh="一种风机转子叶片", title_en="Wind turbine rotor blade")
    motor = await publish(uni, "CN109637352B", title_zh="一种直线电机", title_en="Linear motor with cooling")
    await app.state.job_queue.drain()
    searched = (await client.get("/api/search", params={"q": "motor "})).json()
    assert {h["declaration_id"] for h in searched["hits"]} >= {motor} and rotor not in {
        h["declaration_id"] for h in searched["hits"]
    }
    notes = await Notification.select().where(
        (Notification.user == sme.user_id) & (Notification.kind == "saved_search_match")
    )
    alerted = {int(n["dedupe_key"].rsplit(":", 1)[1]) for n in notes}
    assert alerted == {motor}
