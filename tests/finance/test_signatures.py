"""The signing port's first adapter, a signed click: who, for which organisation, in which role, when, from where,
and the SHA-256 of the version signed; once per party, role and version (twenty clicks at once: one signature);
audited. And the seal check API: anyone signed in may check a PDF the platform sealed."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter

import pytest
import weasyprint

from finance.signatures import service as signatures
from finance.signatures.port import SignaturePort
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import MarketError, ValidationFailed
from market.jobs import unit_of_work
from market.web.problems import unique_violation
from tests.conftest import Backend, Client, make_account, sign_in

SHA = hashlib.sha256(b"pledge contract v1").hexdigest()


async def sign(actor: Actor, *, sha: str = SHA, role: str = "pledgor", ip: str = "203.0.113.7") -> object:
    port: SignaturePort = signatures.port()
    async with unit_of_work():
        return await port.sign(
            document_kind="pledge_contract",
            document_id=7,
            document_sha256=sha,
            signer=actor,
            role=role,
            ip=ip,
            user_agent="Mozilla/5.0 test",
        )


async def test_a_signed_click_records_who_where_when_and_the_hash(backend: Backend) -> None:
    sme = await make_account("sme")
    bank = await make_account("bank")
    mine = await sign(Actor(sme.user_id, sme.org_id))
    again = await sign(Actor(sme.user_id, sme.org_id), ip="198.51.100.1")
    theirs = await sign(Actor(bank.user_id, bank.org_id), role="pledgee")
    assert again == mine  # signed already: the first signature stands
    listed = await signatures.signatures_of("pledge_contract", 7)
    assert [(s.organisation, s.role, s.sha256, s.method) for s in listed] == [
        (sme.org_id, "pledgor", SHA, "click"),
        (bank.org_id, "pledgee", SHA, "click"),
    ]
    first = listed[0]
    assert first.signer == sme.user_id and first.ip == "203.0.113.7" and first.user_agent == "Mozilla/5.0 test"
    assert first.signed_at is not None and theirs != mine
    new_version = await sign(Actor(sme.user_id, sme.org_id), sha=hashlib.sha256(b"v2").hexdigest())
    assert new_version != mine  # a re-rendered document needs its own signature
    audit = await AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "signatures.signed")
    assert len(audit) == 3 and all("sha256" in str(a["after"]) for a in audit)
    with pytest.raises(ValidationFailed):
        await sign(Actor(sme.user_id, sme.org_id), sha="not-a-hash")
    with pytest.raises(ValueError, match="user acting for an organisation"):
        await sign(Actor.system())


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_clicks_at_once_sign_once(backend: Backend) -> None:
    sme = await make_account("sme")

    async def one() -> int:
        try:
            await sign(Actor(sme.user_id, sme.org_id))
        except MarketError as exc:
            return exc.status
        except Exception as exc:
            if unique_violation(exc) is not None:
                return 409
            raise
        return 200

    answers = Counter(await asyncio.gather(*(one() for _ in range(20))))
    assert set(answers) <= {200, 409} and answers[200] >= 1
    assert len(await signatures.signatures_of("pledge_contract", 7)) == 1


async def test_the_seal_check_api(backend: Backend, client: Client) -> None:
    pdf = bytes(weasyprint.HTML(string="<p>合同 contract</p>").write_pdf())
    sealed = await signatures.seal(pdf, reason="pledge_contract")
    someone = await make_account("bank")
    await sign_in(client, someone)
    headers = {"x-csrftoken": await client.csrf()}
    file = {"file": ("c.pdf", sealed, "application/pdf")}
    r = await client.post("/api/signatures/verify", files=file, headers=headers)
    assert r.status_code == 200 and r.json()["valid"] is True and r.json()["reason"] == "pledge_contract"
    changed = bytearray(sealed)
    changed[100] ^= 0x01
    r = await client.post(
        "/api/signatures/verify", files={"file": ("c.pdf", bytes(changed), "application/pdf")}, headers=headers
    )
    assert r.status_code == 200 and r.json()["valid"] is False
    client.cookies.clear()
    r = await client.post("/api/signatures/verify", files={"file": ("c.pdf", sealed, "application/pdf")})
    assert r.status_code in (401, 403)
