"""Qualifications and parties over the API (PostgreSQL): multipart recording by owners only, problem+json beside
the fields, the evidence file with its hash, the administrator's review with the version read, a replayed
``Idempotency-Key`` answered with the first answer and nothing written twice; the parties' facts by owners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from finance.qualifications import service as qualifications
from tests.conftest import Client, make_account, sign_in
from tests.finance.party_support import PERSON_A
from tests.finance.qualification_support import EVIDENCE

URL = "/api/qualifications"


def facts(**changes: str) -> dict[str, str]:
    today = qualifications.today()
    return {
        "kind": "specialised",
        "certificate_number": "ZJ-ZJTX-2026-0001",
        "issuing_body": "浙江省经济和信息化厅",
        "issued_on": (today - timedelta(days=20)).isoformat(),
        "expires_on": (today + timedelta(days=300)).isoformat(),
        **changes,
    }


async def upload(client: Client, data: dict[str, str], content: bytes = EVIDENCE, **headers: str) -> Any:
    """A multipart request with a fixed boundary, so that the same request sent again is the same bytes."""
    files = {"file": ("证书.pdf", content, "application/pdf")}
    fixed = {"content-type": "multipart/form-data; boundary=test-boundary-0123", "x-csrftoken": await client.csrf()}
    return await client.post(URL, data=data, files=files, headers={**fixed, **headers})


async def test_an_owner_records_a_qualification_and_an_admin_verifies_it(client: Client) -> None:
    owner = await make_account("sme")
    await sign_in(client, owner)
    bad = await upload(client, facts(expires_on=facts()["issued_on"], issued_on=facts()["expires_on"]), b"hello")
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    fields = {(e["field"], e["code"]) for e in bad.json()["errors"]}
    assert ("issued_on", "in_future") in fields and ("expires_on", "before_issued") in fields
    assert ("file", "type_not_accepted") in fields or len(fields) == 2  # the facts are refused before the file
    assert (await client.get(URL)).json() == []
    key = {"idempotency-key": "qualification-1"}
    made = await upload(client, facts(), **key)
    assert made.status_code == 201, made.text
    again = await upload(client, facts(), **key)  # the same request again: the first answer, nothing written
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == made.json()["id"]
    mine = (await client.get(URL)).json()
    assert [(q["kind"], q["status"], q["held_today"], q["expired"]) for q in mine] == [
        ("specialised", "recorded", True, False)
    ]
    qid = mine[0]["id"]
    file = await client.get(f"{URL}/{qid}/evidence")
    assert file.content == EVIDENCE, file.headers
    held = (await client.get(f"{URL}/held")).json()
    assert (held["held"], held["verified"]) == (["specialised"], [])

    client.cookies.clear()
    await sign_in(client, await make_account("platform_admin"))
    queue = (await client.get("/api/admin/qualifications")).json()
    assert [(q["id"], q["actions"]) for q in queue] == [(qid, ["verify", "reject", "revoke"])]
    review = f"/api/admin/qualifications/{qid}/review"
    verified = await client.send_json("POST", review, {"event": "verify", "expected_version": 1})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    stale = await client.send_json("POST", review, {"event": "revoke", "expected_version": 1,
                                                    "reason_code": "qualification.revoke.withdrawn"})  # fmt: skip
    assert stale.status_code == 409
    assert (await client.get(f"/api/admin/qualifications/{qid}/evidence")).content == EVIDENCE

    client.cookies.clear()
    await sign_in(client, await make_account("sme"))  # another firm: not found, and cannot review
    assert (await client.get(f"{URL}/{qid}")).status_code == 404
    assert (await client.get(f"{URL}/{qid}/evidence")).status_code == 404
    assert (await client.send_json("POST", review, {"event": "verify", "expected_version": 2})).status_code == 403


async def test_members_read_and_owners_record_the_facts(client: Client) -> None:
    owner = await make_account("university")
    member = await make_account("university", role="member", org_name="同校成员单位")
    await sign_in(client, owner)
    body = {"legal_rep_name": "赵六", "legal_rep_id_number": PERSON_A, "phone": "0571-88886666",
            "shareholders": [{"name": "孙七", "share_bp": 12000}]}  # fmt: skip
    bad = await client.send_json("PUT", "/api/parties", body)
    assert bad.status_code == 400 or bad.status_code == 422
    saved = await client.send_json("PUT", "/api/parties", {**body, "shareholders": []})
    assert saved.status_code == 200, saved.text
    current = saved.json()["current"]
    assert (current["version"], current["legal_rep_id_last4"]) == (1, PERSON_A[-4:])
    assert PERSON_A not in saved.text and current["registered_address"]
    client.cookies.clear()
    await sign_in(client, member)
    assert (await client.get("/api/parties")).json()["current"] is None  # its own organisation's, none yet
    assert (await client.send_json("PUT", "/api/parties", {**body, "shareholders": []})).status_code == 403
