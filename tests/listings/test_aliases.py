"""Patentee aliases, on SQLite and PostgreSQL: an alias is recorded with its evidence and audited; a declaration
whose patentee is only the alias is refused without it (naming the patentee and how to record an alias) and
accepted with it; an import warns (imports, not rejects) a row whose patentee is neither the importer nor an alias;
a bulk declaration prices and checks each patent on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from listings.declarations import service as declarations
from listings.declarations.schemas import TermsIn
from listings.imports.service import get_run, import_file
from listings.universities import service as universities
from listings.universities.schemas import AliasIn
from market import jobs
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound
from market.i18n.localized import localized, sentences
from tests.conftest import Backend, sign_in
from tests.listings.support import eligible, record, university

FORMER = "浙江农业大学"  # words: data
ALIAS = AliasIn(
    name=FORMER, kind="former", evidence_note="1998年四校合并，并入浙江大学", evidence_ref="教发〔1998〕10号"
)
TERMS = TermsIn(payment_mode="running_royalty", royalty_rate_bp=300)


async def record_alias(principal, data=ALIAS):
    async with jobs.unit_of_work():
        return await universities.record_alias(principal=principal, data=data)


async def check(principal, patent_id):
    async with jobs.unit_of_work():
        return await declarations.declare_each(principal=principal, items=[(patent_id, TERMS)], dry_run=True)


async def test_a_declaration_under_a_former_name_is_refused_without_the_alias_and_accepted_with_it(
    backend: Backend,
) -> None:
    _, principal = await university("浙江大学")
    patent = await record(principal, eligible(patentees=[FORMER]))

    refused = await check(principal, patent)
    [reason] = refused.results[0].reasons
    assert reason.code == "not_patentee" and reason.params["patentees"] == (FORMER,)
    zh = localized(refused, "zh").results[0].reasons[0].message
    en = localized(refused, "en").results[0].reasons[0].message
    assert FORMER in zh and "专利权人别名" in zh  # names the patentee and says how to record an alias
    assert FORMER in en and "Patentee aliases" in en

    alias = await record_alias(principal)
    assert (alias.name, alias.kind, alias.evidence_ref) == (FORMER, "former", "教发〔1998〕10号")
    [event] = await (
        AuditEvent.select().where(AuditEvent.action == "listings.patentee_alias_recorded").output(load_json=True)
    )
    assert event["entity_id"] == str(principal.org_id) and event["after"]["evidence_note"] == ALIAS.evidence_note

    accepted = await check(principal, patent)
    assert accepted.results[0].outcome == "eligible" and accepted.results[0].reasons == []
    async with jobs.unit_of_work():
        published = await declarations.declare_each(principal=principal, items=[(patent, TERMS)])
    assert published.published == 1


async def test_an_alias_is_one_per_name_not_the_own_name_and_removable_by_its_organisation_only(
    backend: Backend,
) -> None:
    _, principal = await university("浙江大学")
    _, other = await university("清华大学")
    alias = await record_alias(principal)
    with pytest.raises(Conflict):  # the same name again, written another way
        await record_alias(principal, ALIAS.model_copy(update={"name": " 浙江农业 大学 "}))
    with pytest.raises(Conflict):
        await record_alias(principal, ALIAS.model_copy(update={"name": "浙江大学"}))
    assert [a.name for a in await universities.aliases(principal.org_id)] == [FORMER]
    with pytest.raises(NotFound):
        async with jobs.unit_of_work():
            await universities.remove_alias(principal=other, alias_id=alias.id)
    async with jobs.unit_of_work():
        await universities.remove_alias(principal=principal, alias_id=alias.id)
    assert await universities.aliases(principal.org_id) == []
    assert await AuditEvent.count().where(AuditEvent.action == "listings.patentee_alias_removed") == 1
    patent = await record(principal, eligible(patentees=[FORMER]))
    assert [r.code for r in (await check(principal, patent)).results[0].reasons] == ["not_patentee"]


async def test_an_import_warns_on_a_patentee_that_is_neither_the_importer_nor_an_alias(
    backend: Backend, tmp_path: Path
) -> None:
    account, principal = await university("浙江大学")
    await record_alias(principal)
    path = tmp_path / "patents.csv"
    path.write_text(
        "number,title_zh,patentees\n"
        "CN108982325A,本校专利,浙江大学\n"
        f"CN108982326A,曾用名下的专利,{FORMER}\n"
        "CN108982327A,别人的专利,清华大学\n"
        "CN108982328A,共有专利,清华大学;浙江大学\n",
        encoding="utf-8",
    )
    run = await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    assert (run.inserted, run.rejected) == (4, 0)  # a warning is not a rejection: every row is imported
    [warning] = run.warnings
    assert (warning.row, warning.field, warning.code) == (4, "patentees", "import.patentee_not_yours")
    assert "清华大学" in localized(warning, "zh").message and "浙江大学" in localized(warning, "zh").message
    stored = await get_run(principal=principal, run_id=run.id)
    assert [w.row for w in stored.warnings] == [4]  # the stored report keeps it


async def test_a_bulk_declaration_prices_and_checks_each_patent_on_its_own(backend: Backend) -> None:
    _, principal = await university("浙江大学")
    first = await record(principal, eligible("CN108982325B"))
    second = await record(principal, eligible("CN108982326B", title_zh="另一件专利"))
    refused = await record(principal, eligible("CN108982327B", patentees=["清华大学"]))
    cheap = TermsIn(payment_mode="running_royalty", royalty_rate_bp=150)
    dear = TermsIn(payment_mode="lump_sum", lump_sum_minor=12_345_600)
    async with jobs.unit_of_work():
        report = await declarations.declare_each(
            principal=principal, items=[(first, cheap), (second, dear), (refused, cheap)]
        )
    assert (report.published, report.refused) == (2, 1)
    one, two, three = report.results
    assert "1.50%" in sentences(one.terms_summary, "zh") and "123,456.00" in sentences(two.terms_summary, "zh")
    assert three.outcome == "refused" and [r.code for r in three.reasons] == ["not_patentee"]
    stored = {d.patent_id: d.terms for d in await declarations.list_mine(principal=principal)}
    assert (stored[first].royalty_rate_bp, stored[first].lump_sum_minor) == (150, None)
    assert (stored[second].payment_mode.value, stored[second].lump_sum_minor) == ("lump_sum", 12_345_600)


async def test_the_api_records_an_alias_and_declares_each_patent_at_its_price(backend: Backend, client: Any) -> None:
    account, principal = await university("浙江大学")
    await sign_in(client, account)
    former = await record(principal, eligible("CN108982325B", patentees=[FORMER]))
    own = await record(principal, eligible("CN108982326B"))
    items = [
        {"patent_id": former, "terms": {"payment_mode": "running_royalty", "royalty_rate_bp": 150}},
        {"patent_id": own, "terms": {"payment_mode": "lump_sum", "lump_sum_minor": 500_000}},
    ]
    checked = await client.send_json("POST", "/api/declarations/each/check", {"items": items})
    assert checked.status_code == 200
    assert [r["outcome"] for r in checked.json()["results"]] == ["refused", "eligible"]

    body = ALIAS.model_dump()
    created = await client.send_json("POST", "/api/university/aliases", body)
    assert created.status_code == 201 and created.json()["name"] == FORMER
    assert (await client.send_json("POST", "/api/university/aliases", body)).status_code == 409
    assert [a["name"] for a in (await client.get("/api/university/aliases")).json()] == [FORMER]

    done = await client.send_json("POST", "/api/declarations/each", {"items": items})
    assert done.status_code == 200 and done.json()["published"] == 2
    terms = {d.patent_id: d.terms for d in await declarations.list_mine(principal=principal)}
    assert (terms[former].royalty_rate_bp, terms[own].lump_sum_minor) == (150, 500_000)
