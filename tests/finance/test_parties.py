"""Related parties: every code of ``finance.parties.related`` from recorded facts (a case table, each with its
source), nothing for an unrelated pair or a near miss, and the facts' checks, versions and audit. Services on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from finance.desk.reasons import Reason
from finance.parties import service as parties
from finance.parties.schemas import PartyFactsIn
from listings.patents import service as patents
from market.accounts.principal import Principal
from market.audit.tables import AuditEvent
from market.errors import Forbidden, ValidationFailed
from market.jobs import unit_of_work
from market.orgs import service as orgs
from tests.conftest import make_account
from tests.finance.party_support import PERSON_A, PERSON_B, PERSON_C, facts
from tests.finance.support import firm, principal_of
from tests.listings.support import eligible, record, university
from tests.support.typed_records import assert_typed

pytestmark = pytest.mark.usefixtures("backend")


async def provider(kind: str = "service_provider") -> Principal:
    return await principal_of(await make_account(kind))


async def code_of(p: Principal) -> str:
    org = await orgs.org_by_id(p.org_id)
    assert org is not None
    assert org.credit_code is not None
    return org.credit_code


PARENT = "91330100MA2B000018"  # a group both may belong to (a well-formed credit code)
Pair = tuple[Principal, Principal]


async def _same_group_provider_parent(sme: Principal, prov: Principal) -> None:
    await facts(sme, parent_credit_code=await code_of(prov))


async def _same_group_sme_parent(sme: Principal, prov: Principal) -> None:
    await facts(prov, parent_credit_code=await code_of(sme))


async def _same_group_same_parent(sme: Principal, prov: Principal) -> None:
    await facts(sme, parent_credit_code=PARENT)
    await facts(prov, parent_credit_code=PARENT.lower())  # typed in small letters: the same code


async def _same_legal_rep(sme: Principal, prov: Principal) -> None:
    await facts(sme, legal_rep_name="赵六", legal_rep_id_number=PERSON_A)
    await facts(prov, legal_rep_name="赵 六", legal_rep_id_number=PERSON_A.lower())


async def _provider_holds_sme(sme: Principal, prov: Principal) -> None:
    holder = {"name": prov.org_name, "credit_code": await code_of(prov), "share_bp": 2500}
    await facts(sme, shareholders=[holder])


async def _sme_holds_provider(sme: Principal, prov: Principal) -> None:
    await facts(prov, shareholders=[{"name": sme.org_name, "credit_code": await code_of(sme), "share_bp": 500}])


async def _common_person(sme: Principal, prov: Principal) -> None:
    await facts(sme, shareholders=[{"name": "孙七", "id_number": PERSON_B, "share_bp": 4000}])
    await facts(prov, shareholders=[{"name": "孙七", "id_number": PERSON_B, "share_bp": 100}])


async def _rep_holds_other(sme: Principal, prov: Principal) -> None:
    await facts(prov, legal_rep_name="周八", legal_rep_id_number=PERSON_C)
    await facts(sme, shareholders=[{"name": "周八", "id_number": PERSON_C, "share_bp": 5100}])


async def _same_phone(sme: Principal, prov: Principal) -> None:
    await facts(sme, phone="+86 571 8888 6666")
    await facts(prov, phone="0571-88886666")


async def _same_mobile(sme: Principal, prov: Principal) -> None:
    await facts(sme, phone="0086 138 0013 8000")
    await facts(prov, phone="138-0013-8000")


async def _same_address(sme: Principal, prov: Principal) -> None:
    org = await orgs.org_by_id(prov.org_id)
    assert org is not None  # the provider's registered address, recorded by the SME with spaces and a country
    await facts(sme, address="中国 " + org.address.replace(" ", "").upper() + "。")


async def _inventor_shareholder(sme: Principal, uni: Principal) -> None:
    await record(uni, eligible(patentees=[uni.org_name], inventors=["王建国", "张伟"]))
    await facts(sme, shareholders=[{"name": "张 伟", "share_bp": 1500}])  # a person, no ID number: by name


RELATED: list[tuple[str, str, Callable[[Principal, Principal], Awaitable[None]], list[tuple[str, str]]]] = [
    ("same group: provider is the SME's parent", "service_provider", _same_group_provider_parent,
     [("parties.same_group", "law.parties.related_party")]),
    ("same group: SME is the provider's parent", "university", _same_group_sme_parent,
     [("parties.same_group", "law.parties.related_party")]),
    ("same group: same parent", "service_provider", _same_group_same_parent,
     [("parties.same_group", "law.parties.related_party")]),
    ("same legal representative", "service_provider", _same_legal_rep,
     [("parties.same_legal_rep", "law.parties.related_party")]),
    ("provider holds shares in the SME", "service_provider", _provider_holds_sme,
     [("parties.shareholder", "law.parties.related_party")]),
    ("SME holds shares in the provider", "service_provider", _sme_holds_provider,
     [("parties.shareholder", "law.parties.related_party")]),
    ("the same person holds shares in both", "service_provider", _common_person,
     [("parties.shareholder", "law.parties.related_party")]),
    ("the provider's legal representative holds shares in the SME", "service_provider", _rep_holds_other,
     [("parties.shareholder", "law.parties.related_party")]),
    ("same landline", "service_provider", _same_phone, [("parties.same_phone", "law.parties.collusion")]),
    ("same mobile", "service_provider", _same_mobile, [("parties.same_phone", "law.parties.collusion")]),
    ("same address", "service_provider", _same_address, [("parties.same_address", "law.parties.collusion")]),
    ("university inventor holds shares in the SME", "university", _inventor_shareholder,
     [("parties.inventor_shareholder", "law.parties.inventor_interest")]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "kind", "build", "expected"), RELATED, ids=[r[0] for r in RELATED])
async def test_every_related_party_code_with_its_source(
    case: str, kind: str, build: Callable[[Principal, Principal], Awaitable[None]], expected: list[tuple[str, str]]
) -> None:
    sme = await firm()
    prov = (await university())[1] if kind == "university" else await provider(kind)
    await build(sme, prov)
    found = await parties.related(sme.org_id, prov.org_id)
    assert [(f.code, f.source) for f in found] == expected, case
    assert all(f.msg.code == f"reason.{f.code}" for f in found)
    assert all(Reason.of(f).blocks and Reason.of(f).source == f.source for f in found)  # a desk reason as it is


async def test_the_same_organisation_is_related_to_itself() -> None:
    sme = await firm()
    found = await parties.related(sme.org_id, sme.org_id)
    assert [(f.code, f.source) for f in found] == [("parties.same_org", "law.parties.collusion")]


async def _near_misses(sme: Principal, uni: Principal) -> None:
    """Facts that look alike but relate nothing: the same legal representative's name with different ID numbers,
    a parent code of nobody's, a shareholder named like an inventor but an organisation, phones that differ in one
    digit, a shareholder of the same name with different ID numbers."""
    await record(uni, eligible(patentees=[uni.org_name], inventors=["李明"]))
    await facts(
        sme,
        legal_rep_name="钱九",
        legal_rep_id_number=PERSON_A,
        phone="0571-88886666",
        parent_credit_code=PARENT,
        shareholders=[
            {"name": "李明", "credit_code": "91330100MA2B000018", "share_bp": 1000},
            {"name": "孙七", "id_number": PERSON_B, "share_bp": 1000},
        ],
    )
    await facts(
        uni,
        legal_rep_name="钱九",
        legal_rep_id_number=PERSON_C,
        phone="0571-88886667",
        shareholders=[{"name": "孙七", "id_number": PERSON_C, "share_bp": 1000}],
    )


async def test_an_unrelated_pair_and_near_misses_have_no_finding() -> None:
    sme, (_, uni) = await firm(), await university()
    assert await parties.related(sme.org_id, uni.org_id) == []  # nothing recorded relates nothing
    await _near_misses(sme, uni)
    assert await parties.related(sme.org_id, uni.org_id) == []
    [inventors] = await patents.inventors_of_org(uni.org_id)  # what the check reads of the university's patents
    assert_typed(inventors)
    assert inventors.inventors == ["李明"]
    assert await parties.related(uni.org_id, sme.org_id) == []


async def test_facts_are_checked_each_beside_its_field_and_nothing_is_written() -> None:
    sme = await firm()
    bad: dict[str, Any] = {
        "legal_rep_name": " ",
        "legal_rep_id_number": PERSON_A[:-1] + ("0" if PERSON_A[-1] != "0" else "1"),  # a wrong check character
        "phone": "12",
        "parent_credit_code": "91330100MA2B000019",
        "shareholders": [
            {"name": "甲", "credit_code": "91330100MA2B000018", "id_number": PERSON_B, "share_bp": 6000},
            {"name": "乙", "id_number": "id-!", "share_bp": 5000},
        ],
    }
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await parties.record_facts(principal=sme, data=PartyFactsIn(**bad))
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("legal_rep_name", "required"),
        ("legal_rep_id_number", "id_check"),
        ("phone", "phone_invalid"),
        ("parent_credit_code", "credit_code.check"),
        ("shareholders.0.id_number", "code_or_id"),
        ("shareholders.1.id_number", "id_invalid"),
        ("shareholders", "shares_over_whole"),
    }
    assert (await parties.parties_of(sme.org_id)).facts is None


async def test_each_change_is_a_new_audited_version_and_blank_ids_keep_the_recorded_ones() -> None:
    sme = await firm()
    member = await principal_of(await make_account("sme", role="member", org_name="另一家"))
    with pytest.raises(Forbidden):
        await facts(member)
    holders = [{"name": "孙七", "id_number": PERSON_B, "share_bp": 4000}]
    await facts(sme, legal_rep_name="赵六", legal_rep_id_number=PERSON_A, phone="13800000001", shareholders=holders)
    await facts(sme, legal_rep_name="赵六", legal_rep_id_number=PERSON_A, phone="13800000001", shareholders=holders)
    first = await parties.parties_of(sme.org_id)
    assert first.facts is not None
    assert first.facts.version == 1  # the same facts again change nothing
    assert PERSON_A not in repr(first) and first.facts.legal_rep_id_last4 == PERSON_A[-4:]
    # the owner edits the phone; the form does not show ID numbers, so they come back blank and are kept
    await facts(sme, legal_rep_name="赵六", phone="13800000002", shareholders=[{"name": "孙七", "share_bp": 4000}])
    second = await parties.parties_of(sme.org_id)
    assert second.facts is not None
    for kept in (second, second.facts, *second.shareholders):
        assert_typed(kept)
    assert (second.facts.version, second.facts.phone) == (2, "13800000002")
    assert second.facts.legal_rep_id_hash == first.facts.legal_rep_id_hash
    assert second.shareholders[0].id_hash == first.shareholders[0].id_hash
    mine = await parties.mine(principal=sme)
    assert [v.version for v in mine.history] == [2, 1] and mine.history[1].superseded_at is not None
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.before, AuditEvent.after).where(
        AuditEvent.entity_type == "party_facts"
    )
    assert [e["action"] for e in events] == ["finance.party_facts_recorded"] * 2
    assert PERSON_A not in str(events) and PERSON_B not in str(events)
