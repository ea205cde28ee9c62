"""Related-party facts as an organisation records them, and the related-party check (RULES vouchers: collusion
between an SME and a provider voids the voucher and disqualifies the provider; issue 14, Deliver 5).

Facts, per organisation, edited by its owners (each change a new version, the one in force superseded and kept, the
change audited with both): the legal representative (name, and the ID number kept as a keyed hash — HMAC-SHA256
with a key derived from the platform's secret, so equal numbers match across organisations while a leaked table
cannot be reversed by trying the ~10⁹ plausible ID numbers — plus its last four characters for display), the
registered contact phone, an address other than the registered one (``market.orgs`` keeps the registered one), the
credit code of the controlling group or parent, and the shareholders (an organisation by credit code, or a natural
person by name and, when given, ID number), each with its share in basis points.

``related(sme_id, provider_id)`` returns one ``RelatedFinding`` per reason the two are related, each with its
code and source (see ``CODES``); empty when nothing recorded relates them. It reads the facts in force when called.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from finance.parties import repository
from finance.parties.records import PartiesRecord, PartyFactsRecord, RelatedFinding, ShareholderRecord
from finance.parties.schemas import PartiesOut, PartyFactsIn, PartyFactsOut, ShareholderIn, ShareholderOut
from listings.patents import service as patents
from market import runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, ValidationFailed
from market.i18n import Msg
from market.kit import credit_code as credit_codes
from market.kit.messages import Bp, Param
from market.kit.names import name_key
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

RELATED_PARTY = "law.parties.related_party"  # 企业会计准则第36号——关联方披露 Arts 3-4: control, common control
COLLUSION = "law.parties.collusion"  # RULES vouchers: collusion voids the voucher (Zhangye rules)
INVENTOR_INTEREST = "law.parties.inventor_interest"  # 促进科技成果转化法 Art 45: inventors share licence income
CODES = {
    "parties.same_org": COLLUSION,
    "parties.same_group": RELATED_PARTY,
    "parties.same_legal_rep": RELATED_PARTY,
    "parties.shareholder": RELATED_PARTY,
    "parties.same_phone": COLLUSION,
    "parties.same_address": COLLUSION,
    "parties.inventor_shareholder": INVENTOR_INTEREST,
}
WHOLE_BP = 10_000
PHONE_MIN, PHONE_MAX = 6, 15
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
OTHER_ID = re.compile(r"^[A-Z0-9]{5,30}$")  # a passport or another document's number
_COUNTRY_PREFIXES = ("0086", "86")
_ADDRESS_PREFIXES = ("中华人民共和国", "中国")  # words: data (the country written before an address)


def current_time() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------------------------- normalising


def id_normal(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw).upper().split())


def resident_id_ok(number: str) -> bool:
    """An 18-character resident ID number (GB 11643-1999): 17 digits and its ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17]


def id_hash(number: str) -> str:
    """The keyed hash of an ID number as kept (empty for none)."""
    normal = id_normal(number)
    if not normal:
        return ""
    secret = runtime.current().settings.secret_key.get_secret_value().encode()
    key = hmac.new(secret, b"finance.parties.id_number", hashlib.sha256).digest()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()


def phone_key(raw: str) -> str:
    """A phone number as compared: digits only, without the country code (+86, 0086), a landline's area code with
    its leading 0 (``+86 571 8888 6666`` == ``0571-88886666``)."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", raw) if c.isdigit())
    for prefix in _COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            digits = digits[len(prefix) :]
            if not digits.startswith("1"):  # a landline: the area code is written with its 0 at home
                digits = "0" + digits
            break
    return digits


def address_key(raw: str) -> str:
    """An address as compared: full-width made half-width, case folded, without spaces, punctuation or symbols, and
    without the country written before it. It cannot tell 3号 from 三号 or a district named or left out."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    kept = "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PS")
    for prefix in _ADDRESS_PREFIXES:
        if kept.startswith(prefix):
            kept = kept[len(prefix) :]
            break
    return kept


# ------------------------------------------------------------------------------------------------- recording


def _id_error(field: str, raw: str) -> tuple[FieldError | None, str]:
    number = id_normal(raw)
    if not number:
        return None, ""
    if len(number) == 18 and number[:17].isdigit():
        if not resident_id_ok(number):
            return FieldError(field, Msg("parties.id_check_failed"), code="id_check"), number
        return None, number
    if not OTHER_ID.match(number):
        return FieldError(field, Msg("parties.id_invalid"), code="id_invalid"), number
    return None, number


def _credit_code(field: str, raw: str, errors: list[FieldError]) -> str:
    code = credit_codes.normalise(raw)
    if code and (error := org_service.credit_code_error(code, field)) is not None:
        errors.append(error)
    return code


def check(data: PartyFactsIn) -> tuple[dict[str, str], list[dict[str, str | int]]]:
    """The facts as kept (values for the facts row, and the shareholder rows), or every problem beside its field.
    Nothing is written before these pass."""
    errors: list[FieldError] = []
    rep_name = unicodedata.normalize("NFKC", data.legal_rep_name).strip()
    if not rep_name:
        errors.append(FieldError("legal_rep_name", Msg("parties.legal_rep_required"), code="required"))
    rep_error, rep_id = _id_error("legal_rep_id_number", data.legal_rep_id_number)
    if rep_error:
        errors.append(rep_error)
    phone = data.phone.strip()
    phone_digits = phone_key(phone)
    if phone and not PHONE_MIN <= len(phone_digits) <= PHONE_MAX:
        errors.append(FieldError("phone", Msg("parties.phone_invalid"), code="phone_invalid"))
    parent = _credit_code("parent_credit_code", data.parent_credit_code, errors)
    holders = [_holder(i, h, errors) for i, h in enumerate(data.shareholders)]
    if sum(h.share_bp for h in data.shareholders) > WHOLE_BP:
        errors.append(FieldError("shareholders", Msg("parties.shares_over_whole"), code="shares_over_whole"))
    if errors:
        raise ValidationFailed(Msg("parties.invalid"), errors=errors)
    values = {
        "legal_rep_name": rep_name,
        "legal_rep_name_key": name_key(rep_name),
        "legal_rep_id_hash": id_hash(rep_id),
        "legal_rep_id_last4": rep_id[-4:],
        "phone": phone,
        "phone_key": phone_digits,
        "address": data.address.strip(),
        "address_key": address_key(data.address),
        "parent_credit_code": parent,
    }
    return values, holders


def _holder(i: int, holder: ShareholderIn, errors: list[FieldError]) -> dict[str, str | int]:
    name = unicodedata.normalize("NFKC", holder.name).strip()
    if not name:
        errors.append(FieldError(f"shareholders.{i}.name", Msg("parties.shareholder_name_required"), code="required"))
    code = _credit_code(f"shareholders.{i}.credit_code", holder.credit_code, errors)
    id_error, number = _id_error(f"shareholders.{i}.id_number", holder.id_number)
    if id_error:
        errors.append(id_error)
    if code and number:
        both = Msg("parties.shareholder_code_or_id")
        errors.append(FieldError(f"shareholders.{i}.id_number", both, code="code_or_id"))
    return {
        "name": name,
        "name_key": name_key(name),
        "credit_code": code,
        "id_hash": id_hash(number),
        "id_last4": number[-4:],
        "share_bp": holder.share_bp,
    }


async def record_for(*, org_id: int, actor: Actor, data: PartyFactsIn) -> PartiesRecord:
    """Record the organisation's facts: a new version, the one in force superseded (kept), the change audited.
    The same facts again change nothing."""
    values, holders = check(data)
    before = await parties_of(org_id)
    _keep_ids(before, values, holders)
    if before.facts is not None and _same(before, values, holders):
        return before
    now = current_time()
    version = 1
    if before.facts is not None:
        if not await repository.supersede(before.facts.id, version=before.facts.version, at=now):
            raise Conflict(Msg("parties.changed_meanwhile"))
        version = before.facts.version + 1
    facts_id = await repository.create(
        org_id=org_id, version=version, values=values, shareholders=holders, recorded_by=actor.user_id, at=now
    )
    after = await parties_of(org_id)
    await record(
        actor=actor,
        action="finance.party_facts_recorded",
        entity_type="party_facts",
        entity_id=facts_id,
        org_id=org_id,
        before=_audit(before),
        after=_audit(after),
    )
    return after


def _keep_ids(before: PartiesRecord, values: dict[str, str], holders: list[dict[str, str | int]]) -> None:
    """An ID number left blank keeps the one recorded for the same name (ID numbers are never shown again, so a
    form that edits the phone does not make the owner type them all again)."""
    facts = before.facts
    if facts is None:
        return
    if not values["legal_rep_id_hash"] and values["legal_rep_name_key"] == facts.legal_rep_name_key:
        values["legal_rep_id_hash"] = facts.legal_rep_id_hash
        values["legal_rep_id_last4"] = facts.legal_rep_id_last4
    known = {h.name_key: h for h in before.shareholders if h.is_person and h.id_hash}
    for holder in holders:
        kept = known.get(str(holder["name_key"]))
        if kept is not None and not holder["credit_code"] and not holder["id_hash"]:
            holder["id_hash"], holder["id_last4"] = kept.id_hash, kept.id_last4


def _same(before: PartiesRecord, values: dict[str, str], holders: list[dict[str, str | int]]) -> bool:
    facts = before.facts
    assert facts is not None
    if any(getattr(facts, k) != v for k, v in values.items()):
        return False
    kept = [(h.name, h.credit_code, h.id_hash, h.share_bp) for h in before.shareholders]
    return kept == [(h["name"], h["credit_code"], h["id_hash"], h["share_bp"]) for h in holders]


def _audit(found: PartiesRecord) -> dict[str, object] | None:
    """What the audit trail keeps of a version (the ID numbers' hashes are not repeated there: their last 4 are)."""
    facts = found.facts
    if facts is None:
        return None
    return {
        "version": facts.version,
        "legal_rep_name": facts.legal_rep_name,
        "legal_rep_id_last4": facts.legal_rep_id_last4,
        "phone": facts.phone,
        "address": facts.address,
        "parent_credit_code": facts.parent_credit_code,
        "shareholders": [
            {"name": h.name, "credit_code": h.credit_code, "id_last4": h.id_last4, "share_bp": h.share_bp}
            for h in found.shareholders
        ],
    }


async def record_facts(*, principal: Principal, data: PartyFactsIn) -> PartiesOut:
    """An owner records the organisation's facts."""
    if not principal.is_owner:
        raise Forbidden(Msg("parties.owner_only"))
    await record_for(org_id=principal.org_id, actor=Actor(principal.user_id, principal.org_id), data=data)
    return await mine(principal=principal)


# ------------------------------------------------------------------------------------------------- reading


async def parties_of(org_id: int) -> PartiesRecord:
    """The organisation's facts in force with their shareholders."""
    facts = await repository.current(org_id)
    holders = await repository.shareholders_of([facts.id]) if facts else []
    return PartiesRecord(org_id=org_id, facts=facts, shareholders=tuple(holders))


async def mine(*, principal: Principal) -> PartiesOut:
    org = await org_service.org_by_id(principal.org_id)
    registered = org.address if org else ""
    versions = await repository.history(principal.org_id)
    holders = await repository.shareholders_of([v.id for v in versions])
    outs = [_facts_out(v, [h for h in holders if h.facts == v.id], registered) for v in versions]
    current = next((o for o in outs if o.superseded_at is None), None)
    return PartiesOut(current=current, history=outs)


def _facts_out(facts: PartyFactsRecord, holders: Sequence[ShareholderRecord], registered: str) -> PartyFactsOut:
    return PartyFactsOut(
        id=facts.id,
        version=facts.version,
        legal_rep_name=facts.legal_rep_name,
        legal_rep_id_last4=facts.legal_rep_id_last4,
        phone=facts.phone,
        address=facts.address,
        registered_address=registered,
        parent_credit_code=facts.parent_credit_code,
        recorded_at=facts.recorded_at,
        superseded_at=facts.superseded_at,
        shareholders=[ShareholderOut.model_validate(h) for h in holders],
    )


# ------------------------------------------------------------------------------------------------- the check


def finding(code: str, **params: Param) -> RelatedFinding:
    return RelatedFinding(code=code, params=dict(params), source=CODES[code])


async def related(sme_id: int, provider_id: int) -> list[RelatedFinding]:
    """Why the SME and the provider are related, one finding per reason (empty: nothing recorded relates them):

    - ``parties.same_org``: the same organisation;
    - ``parties.same_group``: one's controlling group (parent) is the other, or both have the same parent (same
      credit code group);
    - ``parties.same_legal_rep``: the same legal representative (same ID number);
    - ``parties.shareholder``: one holds shares in the other (by credit code), or the same person (ID number) or
      organisation (credit code) holds shares in both, or one's legal representative holds shares in the other;
    - ``parties.same_phone`` / ``parties.same_address``: the same registered contact phone or address (registered
      or recorded; compared normalised, see ``phone_key`` and ``address_key``);
    - ``parties.inventor_shareholder``: the provider is a university and an inventor named on any of its patents
      (``listings.patents``) is a natural-person shareholder of the SME, matched by name (NFKC, case and spaces
      ignored). A name match cannot tell two people of the same name apart (张伟 is one of the commonest names),
      nor see the same person written two ways (a romanised or traditional-character name, a name with a middle
      dot typed differently): patents name inventors without an ID number, so it finds a possible interest for the
      reviewer to look at, and blocks until the facts are corrected or the programme's reviewer decides.

    Facts an organisation has not recorded relate nothing: the check is only as good as what was recorded.
    """
    if sme_id == provider_id:
        return [finding("parties.same_org")]
    sme_org, provider_org = await org_service.org_by_id(sme_id), await org_service.org_by_id(provider_id)
    sme, provider = await parties_of(sme_id), await parties_of(provider_id)
    sme_code = (sme_org.credit_code if sme_org else None) or ""
    provider_code = (provider_org.credit_code if provider_org else None) or ""
    found: list[RelatedFinding] = []
    found += _same_group(sme.facts, provider.facts, sme_code, provider_code)
    found += _same_legal_rep(sme.facts, provider.facts)
    found += _shareholders(sme, provider, sme_code, provider_code)
    found += _same_phone(sme.facts, provider.facts)
    found += _same_address(
        [sme_org.address if sme_org else "", sme.facts.address if sme.facts else ""],
        [provider_org.address if provider_org else "", provider.facts.address if provider.facts else ""],
    )
    if provider_org is not None and provider_org.kind == OrgKind.university.value:
        found += await _inventor_shareholders(provider_id, sme)
    return found


def _same_group(
    sme: PartyFactsRecord | None, provider: PartyFactsRecord | None, sme_code: str, provider_code: str
) -> list[RelatedFinding]:
    sme_parent = sme.parent_credit_code if sme else ""
    provider_parent = provider.parent_credit_code if provider else ""
    if sme_parent and sme_parent == provider_code:
        return [finding("parties.same_group", credit_code=sme_parent, how=Msg("parties.how.provider_parent_of_sme"))]
    if provider_parent and provider_parent == sme_code:
        how = Msg("parties.how.sme_parent_of_provider")
        return [finding("parties.same_group", credit_code=provider_parent, how=how)]
    if sme_parent and sme_parent == provider_parent:
        return [finding("parties.same_group", credit_code=sme_parent, how=Msg("parties.how.same_parent"))]
    return []


def _same_legal_rep(sme: PartyFactsRecord | None, provider: PartyFactsRecord | None) -> list[RelatedFinding]:
    if sme and provider and sme.legal_rep_id_hash and sme.legal_rep_id_hash == provider.legal_rep_id_hash:
        return [finding("parties.same_legal_rep", name=sme.legal_rep_name, id_last4=sme.legal_rep_id_last4)]
    return []


def _shareholders(
    sme: PartiesRecord, provider: PartiesRecord, sme_code: str, provider_code: str
) -> list[RelatedFinding]:
    found: list[RelatedFinding] = []
    for holder, held, code, role in (
        (provider, sme, provider_code, "parties.how.provider_holds_sme"),
        (sme, provider, sme_code, "parties.how.sme_holds_provider"),
    ):
        for h in held.shareholders:
            if code and h.credit_code == code:
                found.append(finding("parties.shareholder", name=h.name, share=Bp(h.share_bp), how=Msg(role)))
        rep = holder.facts.legal_rep_id_hash if holder.facts else ""
        for h in held.shareholders:
            if rep and h.id_hash == rep:
                how = Msg("parties.how.legal_rep_holds")
                found.append(finding("parties.shareholder", name=h.name, share=Bp(h.share_bp), how=how))
    provider_keys = {_holder_key(h): h for h in provider.shareholders if _holder_key(h)}
    for h in sme.shareholders:
        twin = provider_keys.get(_holder_key(h))
        if twin is not None:
            how = Msg("parties.how.common_shareholder")
            found.append(finding("parties.shareholder", name=h.name, share=Bp(h.share_bp), how=how))
    return found


def _holder_key(holder: ShareholderRecord) -> str:
    """Who a shareholder is, for a match across organisations: its credit code, or a person's ID hash (a name alone
    is not enough here; ``parties.inventor_shareholder`` is the one name match)."""
    if holder.credit_code:
        return f"org:{holder.credit_code}"
    if holder.id_hash:
        return f"person:{holder.id_hash}"
    return ""


def _same_phone(sme: PartyFactsRecord | None, provider: PartyFactsRecord | None) -> list[RelatedFinding]:
    if sme and provider and sme.phone_key and sme.phone_key == provider.phone_key:
        return [finding("parties.same_phone", phone=provider.phone)]
    return []


def _same_address(sme: Sequence[str], provider: Sequence[str]) -> list[RelatedFinding]:
    keys = {address_key(a): a for a in sme if address_key(a)}
    for address in provider:
        key = address_key(address)
        if key and key in keys:
            return [finding("parties.same_address", address=address)]
    return []


async def _inventor_shareholders(university_id: int, sme: PartiesRecord) -> list[RelatedFinding]:
    people = {h.name_key: h for h in sme.shareholders if h.is_person and h.name_key}
    if not people:
        return []
    inventors: dict[str, str] = {}  # name key -> the number of the first patent naming the inventor
    for patent in await patents.inventors_of_org(university_id):
        for name in patent.inventors:
            inventors.setdefault(name_key(name), patent.number)
    return [
        finding("parties.inventor_shareholder", name=holder.name, share=Bp(holder.share_bp), patent=inventors[key])
        for key, holder in people.items()
        if key in inventors
    ]


# ------------------------------------------------------------------------------------------------- demo


def with_id_check(first17: str) -> str:
    """A resident ID number for its first 17 digits (demo data, tests)."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


# The demo organisations' legal representatives and the demo SME's shareholders: names that no demo patent names
# as an inventor, so the demo SME and the demo providers are unrelated (tests build related pairs).
DEMO_REPS = ("林知微", "周望舒", "沈未央", "陈智远", "顾清和", "许云帆", "方若谷", "陆观澜")  # words: data
DEMO_INVESTOR = "杭州演示创业投资有限公司"  # words: data (an organisation shareholder of the demo SME)


async def seed_demo(*, org_names: Sequence[str], sme_name: str) -> int:
    """Unrelated related-party facts for the demo organisations (the demo SME, universities and service provider),
    once each: a legal representative (a demo ID number), a phone and, for the SME, two shareholders (its
    representative and a demo investment company). Returns how many were recorded."""
    made = 0
    for n, name in enumerate(dict.fromkeys([sme_name, *org_names])):
        org = await org_service.find_org(name)
        if org is None or await repository.current(org.id) is not None:
            continue
        rep = DEMO_REPS[n % len(DEMO_REPS)]
        rep_id = with_id_check(f"3301061980{org.id % 10_000_000:07d}")
        holders = []
        if name == sme_name:
            investor_code = credit_codes.with_check(f"91330100MD{org.id % 10_000_000:07d}")
            holders = [
                ShareholderIn(name=rep, id_number=rep_id, share_bp=7000),
                ShareholderIn(name=DEMO_INVESTOR, credit_code=investor_code, share_bp=3000),
            ]
        data = PartyFactsIn(
            legal_rep_name=rep,
            legal_rep_id_number=rep_id,
            phone=f"0571-8{org.id % 10_000_000:07d}",
            shareholders=holders,
        )
        await record_for(org_id=org.id, actor=Actor.system(), data=data)
        made += 1
    return made
