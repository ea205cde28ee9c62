"""Related-party test factories: an organisation's recorded facts."""

from __future__ import annotations

from typing import Any

from finance.parties import service as parties
from finance.parties.schemas import PartyFactsIn
from market.accounts.principal import Principal
from market.jobs import unit_of_work

# Well-formed resident ID numbers (their check characters computed): different people.
PERSON_A = "110101198001010053"
PERSON_B = "110101199003070011"
PERSON_C = "330106198502020017"


async def facts(owner: Principal, **values: Any) -> None:
    data = {"legal_rep_name": "王五", **values}  # words: data
    async with unit_of_work():
        await parties.record_facts(principal=owner, data=PartyFactsIn(**data))
