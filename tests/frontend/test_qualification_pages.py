"""Qualification and related-party pages (PostgreSQL): the firm records a qualification with every problem beside
its field and what was typed kept, sees it listed with its expiry (flagged once past), in both languages; the
platform administrator verifies or rejects it from the queue; an owner saves the related-party facts as versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from finance.parties import service as parties
from finance.qualifications import service as qualifications
from market.audit.service import Actor
from tests.conftest import Client, make_account, sign_in
from tests.finance.qualification_support import EVIDENCE
from tests.finance.support import principal_of

HTML = {"accept": "text/html"}


async def post(client: Client, url: str, data: dict[str, Any], files: dict[str, Any] | None = None) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data, files=files, headers=headers, follow_redirects=False)


def form(**changes: str) -> dict[str, str]:
    today = qualifications.today()
    return {
        "kind": "tech_sme",
        "certificate_number": "20263301060A009999",
        "issuing_body": "浙江省科学技术厅",
        "issued_on": (today - timedelta(days=10)).isoformat(),
        "expires_on": (today + timedelta(days=100)).isoformat(),
        **changes,
    }


async def test_the_firm_records_a_qualification_and_sees_it_expire(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await make_account("sme")
    await sign_in(client, owner)
    empty = await client.get("/sme/qualifications", headers=HTML)
    assert empty.status_code == 200 and 'id="no-qualifications"' in empty.text and 'id="record-form"' in empty.text
    pdf = {"file": ("证书.pdf", EVIDENCE, "application/pdf")}
    past = (qualifications.today() - timedelta(days=1)).isoformat()
    bad = await post(client, "/sme/qualifications/", form(expires_on=past, certificate_number="X-1"), pdf)
    assert bad.status_code == 422 and 'id="expires_on-error"' in bad.text
    assert 'id="expires_on"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="X-1"' in bad.text  # what was typed stays
    no_file = await post(client, "/sme/qualifications/", form(), {"file": ("a.txt", b"plain text", "text/plain")})
    assert no_file.status_code == 422 and 'id="file-error"' in no_file.text
    done = await post(client, "/sme/qualifications/", form(), pdf)
    assert done.status_code in (302, 303), done.text
    listed = await client.get(done.headers["location"], headers=HTML)
    assert 'id="recorded"' in listed.text and "20263301060A009999" in listed.text and "科技型中小企业" in listed.text
    [row] = await qualifications.of_org(principal=await principal_of(owner))
    assert f'id="expired-{row.id}"' not in listed.text
    later = datetime.now(UTC) + timedelta(days=200)
    monkeypatch.setattr(qualifications, "current_time", lambda: later)  # the page is read 200 days on
    expired = await client.get("/sme/qualifications", headers=HTML)
    assert f'id="expired-{row.id}"' in expired.text and "已过期" in expired.text
    client.cookies.set("lang", "en")
    english = await client.get("/sme/qualifications", headers=HTML)
    assert "Expired" in english.text and "technology-based SME" in english.text
    evidence = await client.get(f"/sme/qualifications/{row.id}/evidence")
    assert evidence.content == EVIDENCE


async def test_the_administrator_verifies_and_rejects_from_the_queue(client: Client) -> None:
    firm = await principal_of(await make_account("sme"))
    today = qualifications.today()
    rows = []
    for kind in ("specialised", "little_giant"):
        rows.append(
            await qualifications.record_for(
                org_id=firm.org_id, actor=Actor(firm.user_id, firm.org_id), kind=kind,
                certificate_number=f"N-{kind}", issuing_body="工业和信息化部", issued_on=today - timedelta(days=5),
                expires_on=today + timedelta(days=50), filename="c.pdf", content=EVIDENCE,
            )
        )  # fmt: skip
    await sign_in(client, await make_account("platform_admin"))
    queue = await client.get("/admin/qualifications", headers=HTML)
    assert f'id="qualification-{rows[0].id}"' in queue.text and f'id="verify-{rows[0].id}"' in queue.text
    verified = await post(client, f"/admin/qualifications/{rows[0].id}/review",
                          {"event": "verify", "expected_version": "1", "status": "recorded"})  # fmt: skip
    assert verified.status_code in (302, 303)
    no_reason = await post(client, f"/admin/qualifications/{rows[1].id}/review",
                           {"event": "reject", "expected_version": "1", "status": "recorded", "reason_code": ""})
    assert no_reason.status_code == 422 and "请选择理由" in no_reason.text
    rejected = await post(client, f"/admin/qualifications/{rows[1].id}/review",
                          {"event": "reject", "expected_version": "1", "status": "recorded",
                           "reason_code": "qualification.reject.not_in_register"})  # fmt: skip
    assert rejected.status_code in (302, 303)
    check = await qualifications.holds(firm.org_id, ["specialised", "little_giant"], on=today)
    assert (check.verified, check.missing) == (("specialised",), ("little_giant",))
    shown = await client.get("/admin/qualifications?status=rejected", headers=HTML)
    assert "认定机构公布的名单中查无此证书" in shown.text


async def test_an_owner_saves_the_related_party_facts_as_versions(client: Client) -> None:
    owner = await make_account("service_provider")
    await sign_in(client, owner)
    empty = await client.get("/org/parties", headers=HTML)
    assert empty.status_code == 200 and 'id="no-facts"' in empty.text and 'id="parties-form"' in empty.text
    data = {"legal_rep_name": "赵六", "phone": "0571-88886666", "rows": "2", "sh_0_name": "孙七", "sh_0_share": "abc"}
    bad = await post(client, "/org/parties/", data)
    assert bad.status_code == 422 and 'value="0571-88886666"' in bad.text and "field-error" in bad.text
    saved = await post(client, "/org/parties/", {**data, "sh_0_share": "60"})
    assert saved.status_code in (302, 303)
    again = await post(client, "/org/parties/", {**data, "sh_0_share": "60", "phone": "0571-88886667"})
    assert again.status_code in (302, 303)
    page = await client.get("/org/parties?saved=1", headers=HTML)
    assert 'id="saved"' in page.text and 'id="history"' in page.text and "60.00%" in page.text
    found = await parties.parties_of(owner.org_id)
    assert found.facts is not None
    assert (found.facts.version, found.facts.phone, found.shareholders[0].share_bp) == (2, "0571-88886667", 6000)
