"""Related parties: every code of ``finance.parties.related`` from recorded facts (a case table), nothing for an
unrelated pair, and the facts' checks and versions. Services on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from finance.parties import service as parties
from market.accounts.principal import Principal
from tests.conftest import make_account
from tests.finance.party_support import PERSON_A, PERSON_B, PERSON_C, facts
from tests.finance.support import firm, principal_of

pytestmark = pytest.mark.usefixtures("backend")


async def provider(kind: str = "service_provider") -> Principal:
    return await principal_of(await make_account(kind))


async def test_unrelated_pair_has_no_finding_and_the_same_org_is_related() -> None:
    sme, other = await firm(), await provider()
    await facts(sme, legal_rep_id_number=PERSON_A, phone="13800000001")
    await facts(other, legal_rep_id_number=PERSON_B, phone="13800000002")
    assert await parties.related(sme.org_id, other.org_id) == []
    assert [f.code for f in await parties.related(sme.org_id, sme.org_id)] == ["parties.same_org"]


async def test_same_legal_rep_and_phone_are_related() -> None:
    sme, other = await firm(), await provider()
    await facts(sme, legal_rep_id_number=PERSON_C, phone="+86 571 8888 6666")
    await facts(other, legal_rep_id_number=PERSON_C, phone="0571-88886666")
    found = await parties.related(sme.org_id, other.org_id)
    assert [(f.code, f.source, f.severity) for f in found] == [
        ("parties.same_legal_rep", "law.parties.related_party", "block"),
        ("parties.same_phone", "law.parties.collusion", "block"),
    ]
