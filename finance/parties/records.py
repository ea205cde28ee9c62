"""The parties module's records: what its repository and service return, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from market.kit.messages import Msg, Param


@dataclass(frozen=True, slots=True)
class PartyFactsRecord:
    """One version of an organisation's related-party facts (in force while ``superseded_at`` is None). The legal
    representative's ID number is only its keyed hash and last four characters."""

    id: int
    organisation: int
    version: int
    legal_rep_name: str
    legal_rep_name_key: str
    legal_rep_id_hash: str
    legal_rep_id_last4: str
    phone: str
    phone_key: str
    address: str
    address_key: str
    parent_credit_code: str
    recorded_by: int | None
    recorded_at: datetime
    superseded_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShareholderRecord:
    """A shareholder of one version of the facts: an organisation (``credit_code``) or a natural person (name,
    ID hash when given). ``share_bp``: its share in basis points."""

    id: int
    facts: int
    organisation: int
    position: int
    name: str
    name_key: str
    credit_code: str
    id_hash: str
    id_last4: str
    share_bp: int

    @property
    def is_person(self) -> bool:
        return not self.credit_code


@dataclass(frozen=True, slots=True)
class PartiesRecord:
    """An organisation's facts in force and their shareholders (``facts`` None: nothing recorded yet)."""

    org_id: int
    facts: PartyFactsRecord | None
    shareholders: tuple[ShareholderRecord, ...]


@dataclass(frozen=True, slots=True)
class RelatedFinding:
    """Why an SME and a provider are related: a code (``parties.*``), its parameters, its source (a catalogue code)
    and a severity ("block"): the shape of a desk reason (``finance.desk.reasons.Reason.of`` turns it into one)."""

    code: str
    params: dict[str, Param]
    source: str
    severity: str = "block"

    @property
    def msg(self) -> Msg:
        return Msg(f"reason.{self.code}", self.params)
