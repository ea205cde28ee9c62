"""What finance hands to the parties' systems: an application's package (a zip whose manifest lists every file with
its SHA-256) for the bank and the applicant only, and the desk's moves delivered to both parties' webhooks."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from typing import Any

import pytest

from finance.desk import service as desk
from finance.exports import service as exports
from finance.pledges import service as pledges
from finance.pledges.schemas import MoveIn, SubmitIn
from market import jobs
from market.errors import NotFound
from market.webhooks import service as webhooks
from market.webhooks.schemas import EndpointIn
from market.webhooks.tables import WebhookDelivery
from tests.conftest import Client, sign_in
from tests.finance.pledge_support import PDF, bank, draft, sme
from tests.support.receiver import receiver


async def submitted(lender: Any, applicant: Any) -> Any:
    app = await draft(applicant, lender.product_id, applicant.good)
    for requirement in ("identity", "financial_statements"):
        async with jobs.unit_of_work():
            await pledges.upload(
                principal=applicant.principal, application_id=app.id, requirement=requirement,
                filename=f"{requirement} 2026.pdf", content_type="application/pdf", content=PDF,
                issued_on=date.today(),
            )  # fmt: skip
    async with jobs.unit_of_work():
        return await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_the_package_lists_every_file_with_its_digest_for_the_two_parties_only(backend: Any) -> None:
    lender, applicant = await bank(), await sme()
    app = await submitted(lender, applicant)
    made = await exports.package(principal=lender.maker, application_id=app.id)
    assert made.filename == f"{app.reference}-package.zip"
    files = unzip(made.content)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["format"] == "market.pledge_package/1" and manifest["reference"] == app.reference
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files)  # every file listed, nothing else in the zip
    for path, content in files.items():
        assert listed[path]["sha256"] == hashlib.sha256(content).hexdigest() and listed[path]["size"] == len(content)
    assert json.loads(files["application.json"])["id"] == app.id
    assert [d["kind"] for d in json.loads(files["decisions.json"])] == ["precheck"]
    documents = sorted(p for p in files if p.startswith("documents/"))
    assert len(documents) == 2 and all(files[p] == PDF for p in documents)
    assert any(p.endswith("-identity-v1-identity_2026.pdf") for p in documents)

    # the applicant gets the same files; another bank, or an SME not party to it, is told it does not exist
    mine = unzip((await exports.package(principal=applicant.principal, application_id=app.id)).content)
    assert set(mine) == set(files) | {"manifest.json"}
    other_bank, other_sme = await bank("另一家银行"), await sme("另一家科技有限公司")
    for stranger in (other_bank.maker, other_sme.principal):
        with pytest.raises(NotFound):
            await exports.package(principal=stranger, application_id=app.id)


async def test_the_package_over_http_is_a_zip_attachment(client: Client) -> None:
    lender, applicant = await bank(), await sme()
    app = await submitted(lender, applicant)
    await sign_in(client, lender.account)
    r = await client.get(f"/api/pledges/{app.id}/package")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f'filename="{app.reference}-package.zip"' in r.headers["content-disposition"]
    assert "manifest.json" in unzip(r.content)
    await sign_in(client, (await bank("第三家银行")).account)
    assert (await client.get(f"/api/pledges/{app.id}/package")).status_code == 404


async def endpoint_of(principal: Any, url: str) -> None:
    async with jobs.unit_of_work():
        await webhooks.create_endpoint(
            principal=principal, data=EndpointIn(url=url, events=["desk.*"]), allow_loopback_http=True
        )


async def test_a_case_moved_on_the_desk_reaches_the_bank_and_the_applicant(backend: Any, job_queue: Any) -> None:
    lender, applicant = await bank(), await sme()
    with receiver([200]) as hook:
        await endpoint_of(lender.maker, hook.url + "/bank")
        await endpoint_of(applicant.principal, hook.url + "/sme")
        app = await submitted(lender, applicant)
        await job_queue.drain()
        async with jobs.unit_of_work():
            app = await pledges.start_review(
                principal=lender.maker, application_id=app.id, data=MoveIn(expected_version=app.version)
            )
        await job_queue.drain()
        got = sorted(
            (r.path, json.loads(r.body)["data"]["from_state"], json.loads(r.body)["data"]["to_state"]) for r in hook.got
        )
    assert got == [
        ("/hooks/bank", "draft", "submitted"), ("/hooks/bank", "submitted", "in_review"),
        ("/hooks/sme", "draft", "submitted"), ("/hooks/sme", "submitted", "in_review"),
    ]  # fmt: skip
    bodies = [json.loads(r.body) for r in hook.got]
    assert {b["data"]["reference"] for b in bodies} == {app.reference}
    assert len({b["id"] for b in bodies}) == 2  # one event id per move, the same for both parties
    assert await WebhookDelivery.count() == 4


async def test_a_draft_withdrawn_is_not_told_to_the_bank(backend: Any, job_queue: Any) -> None:
    lender, applicant = await bank(), await sme()
    with receiver([200]) as hook:
        await endpoint_of(lender.maker, hook.url + "/bank")
        await endpoint_of(applicant.principal, hook.url + "/sme")
        app = await draft(applicant, lender.product_id, applicant.good)
        async with jobs.unit_of_work():
            await pledges.withdraw(
                principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
            )
        await job_queue.drain()
    assert [r.path for r in hook.got] == ["/hooks/sme"]
    case = await desk.case(app.case_id)
    assert case is not None and case.state == "withdrawn"
