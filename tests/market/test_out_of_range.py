"""Numbers beyond what a column holds are a 400 problem naming the input, never a 500, and write nothing."""

from __future__ import annotations

from listings.patents.tables import Patent
from tests.conftest import Client, make_account, sign_in
from tests.listings.support import eligible

HUGE = 10**20  # beyond a 64-bit integer
BIG = 2**31 + 7  # beyond PostgreSQL's integer (id columns)


async def test_an_oversized_id_in_a_path_is_a_400(client: Client) -> None:
    await sign_in(client, await make_account("university"))
    for number in (BIG, HUGE):
        r = await client.get(f"/api/patents/{number}", headers={"accept-language": "en"})
        assert r.status_code == 400, r.text  # was a 500
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["message_code"] == "db.value_out_of_range" and "out of range" in r.json()["detail"]


async def test_an_oversized_id_in_a_form_post_writes_nothing(client: Client) -> None:
    """An unsafe request whose id is out of range is refused as a whole (one transaction, rolled back)."""
    await sign_in(client, await make_account("university"))
    r = await client.send_json("PATCH", f"/api/patents/{BIG}", {"legal_status": "granted"})
    assert r.status_code in (400, 404, 422), r.text
    assert r.status_code != 500


async def test_an_oversized_amount_is_a_400_and_writes_nothing(client: Client) -> None:
    university = await make_account("university")
    await sign_in(client, university)
    body = eligible().model_dump(mode="json") | {"claims_count": HUGE}
    r = await client.send_json("POST", "/api/patents", body, headers={"accept-language": "en"})
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await Patent.count().where(Patent.organisation == university.org_id) == 0
