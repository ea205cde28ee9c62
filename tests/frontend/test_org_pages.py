"""The pages of verified organisations: sign-up's field errors, the evidence page, the review page's access, the
public organisation page."""

from __future__ import annotations

import pytest

from market.kit.credit_code import with_check
from market.orgs.tables import Organisation
from tests.conftest import PASSWORD, Backend, Client, make_account, sign_in

HTML = {"accept": "text/html"}
FORM = {
    "email": "page@example.cn",
    "password": PASSWORD,
    "display_name": "王芳",
    "org_name": "页面大学",
    "org_kind": "university",
    "credit_code": "12100000400000624D",
    "address": "北京市海淀区",
}


async def post_sign_up(client: Client, **changes: str) -> str:
    r = await client.post("/sign-up", data={**FORM, **changes}, headers={**HTML, "x-csrftoken": await client.csrf()})
    return r.text


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("12100000400000624E", "校验码"),
        ("121000004000006", "应为 18 位"),
        ("12100000400000I24D", "大写字母"),
    ],
)
async def test_sign_up_names_what_is_wrong_with_the_credit_code_beside_the_field(
    backend: Backend, client: Client, code: str, words: str
) -> None:
    text = await post_sign_up(client, credit_code=code)
    assert 'id="err-credit_code"' in text and words in text
    assert f'value="{code}"' in text  # what was typed stays in the field
    assert await Organisation.count() == 0


async def test_sign_up_refuses_a_copied_name_and_a_taken_code_beside_the_fields(
    backend: Backend, client: Client
) -> None:
    taken = await make_account("university", org_name="真实大学")
    text = await post_sign_up(client, org_name=" 真实大学 ", credit_code=with_check("12110000MF0000001"))
    assert 'id="err-org_name"' in text and "已有同名单位" in text
    row = await Organisation.select(Organisation.credit_code).where(Organisation.id == taken.org_id).first()
    text = await post_sign_up(client, credit_code=row["credit_code"])
    assert 'id="err-credit_code"' in text and "已被其他单位使用" in text
    assert await Organisation.count() == 1


async def test_the_evidence_page_refuses_an_oversized_or_disguised_file(backend: Backend, client: Client) -> None:
    account = await make_account("insurer", org_name="某保险", approved=False)
    await sign_in(client, account)
    page = await client.get("/org/verification", headers=HTML)
    assert 'data-status="pending"' in page.text and 'id="no-documents"' in page.text
    headers = {**HTML, "x-csrftoken": await client.csrf()}
    exe = await client.post("/org/verification/documents", files={"file": ("scan.png", b"MZ\x90\x00" * 10)},
                            data={"kind": "business_licence"}, headers=headers)  # fmt: skip
    assert exe.status_code == 422 and "PDF" in exe.text
    huge = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    big = await client.post("/org/verification/documents", files={"file": ("big.pdf", huge)},
                            data={"kind": "business_licence"}, headers=headers)  # fmt: skip
    assert big.status_code == 422 and "5 MB" in big.text
    assert 'id="no-documents"' in big.text


async def test_only_platform_administrators_open_the_review_page(backend: Backend, client: Client) -> None:
    await sign_in(client, await make_account("university"))
    assert (await client.get("/admin/orgs", headers=HTML)).status_code == 403
    assert (await client.get("/api/admin/orgs")).status_code == 403


async def test_the_public_page_of_an_organisation(backend: Backend, client: Client) -> None:
    pending = await make_account("sme", org_name="未认证企业", approved=False)
    page = await client.get(f"/orgs/{pending.org_id}", headers=HTML)
    assert "未认证企业" in page.text and 'data-verified="0"' in page.text
    admin = await make_account("platform_admin", org_name="平台运营")
    assert (await client.get(f"/orgs/{admin.org_id}", headers=HTML)).status_code == 404
    client.cookies.set("lang", "en")
    page = await client.get(f"/orgs/{pending.org_id}", headers=HTML)
    assert "Not verified" in page.text
