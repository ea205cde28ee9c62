"""A university's payee account (收款账户): 户名 (account name), 开户行 (bank), 账号 (account number).

- Recorded by an owner of the university (the controllers declare it); every change is an audit event with the
  account before and after.
- History is kept: a change supersedes the account in force, it never edits it. A bank-transfer payment keeps the id
  of the account in force when it was asked for (``finance.payments``), and the instructions and the contract show
  that account, whatever changes later.
- The account name must be the university's own name as registered on the platform (compared after Unicode NFKC
  normalisation, ignoring spaces and letter case): a corporate account (对公账户) is held in the holder's legal name,
  and money sent to any other name would not reach the university.
- The account number is 8 to 30 digits (spaces and hyphens typed to group them are dropped); the bank name 2 to 100
  characters.
- A university without an account in force cannot be paid by bank transfer (``require_for_transfer``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from finance.payees import repository
from finance.payees.records import PayeeAccountRecord
from finance.payees.schemas import PayeeAccountIn, PayeeAccountOut, PayeeOut
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, ValidationFailed
from market.i18n import Msg
from market.kit.names import name_key
from market.orgs import service as org_service

NUMBER_MIN, NUMBER_MAX = 8, 30
BANK_MIN = 2
_GROUPING = re.compile(r"[\s\-]")

# What other modules read of payee accounts: through this service, never the repository.
account_by_id = repository.get
account_in_force_at = repository.in_force_at
current_account = repository.current


def normal_number(text: str) -> str:
    return _GROUPING.sub("", unicodedata.normalize("NFKC", text))


def check(data: PayeeAccountIn, *, org_name: str) -> tuple[str, str, str]:
    """The account as stored (name and bank trimmed, number digits only), or every problem beside its field."""
    errors: list[FieldError] = []
    name = unicodedata.normalize("NFKC", data.account_name).strip()
    if not name:
        errors.append(FieldError("account_name", Msg("payee.name_required"), code="required"))
    elif name_key(name) != name_key(org_name):
        errors.append(FieldError("account_name", Msg("payee.name_mismatch", {"org": org_name}), code="name_mismatch"))
    bank = unicodedata.normalize("NFKC", data.bank_name).strip()
    if len(bank) < BANK_MIN:
        errors.append(FieldError("bank_name", Msg("payee.bank_required"), code="required"))
    number = normal_number(data.account_number)
    if not number.isascii() or not number.isdigit() or not NUMBER_MIN <= len(number) <= NUMBER_MAX:
        bounds = {"min": NUMBER_MIN, "max": NUMBER_MAX}
        errors.append(FieldError("account_number", Msg("payee.number_invalid", bounds), code="number_invalid"))
    if errors:
        raise ValidationFailed(Msg("payee.invalid"), errors=errors)
    return org_name, bank, number  # the registered name, however its width or spacing was typed


def account_out(row: PayeeAccountRecord) -> PayeeAccountOut:
    return PayeeAccountOut.model_validate(row)


async def mine(*, principal: Principal) -> PayeeOut:
    rows = await repository.history(principal.org_id)
    current = next((r for r in rows if r.superseded_at is None), None)
    return PayeeOut(current=account_out(current) if current else None, history=[account_out(r) for r in rows])


DEMO_BANK = "中国工商银行（演示）"  # words: data (a demo bank's name)


async def seed_demo(*, org_names: Sequence[str]) -> int:
    """The demo universities' payee accounts (a demo bank, a number from the organisation's id), once each, so
    that a demo licence can be paid by transfer. Returns how many were recorded."""
    made = 0
    for name in org_names:
        org = await org_service.find_org(name)
        if org is None or await repository.current(org.id) is not None:
            continue
        number = f"62220000{org.id:010d}"
        account_id = await repository.create(
            org_id=org.id,
            account_name=org.name,
            bank_name=DEMO_BANK,
            account_number=number,
            recorded_by=None,
            at=datetime.now(UTC),
        )
        await record(
            actor=Actor.system(),
            action="finance.payee_account_recorded",
            entity_type="payee_account",
            entity_id=account_id,
            org_id=org.id,
            after={"account_name": org.name, "bank_name": DEMO_BANK, "account_number": number, "replaces": None},
        )
        made += 1
    return made


async def record_account(*, principal: Principal, data: PayeeAccountIn) -> PayeeAccountOut:
    """Record the university's account: the one in force is superseded (kept), the change audited. The same
    account again changes nothing."""
    org = await org_service.org_by_id(principal.org_id)
    assert org is not None  # the principal acts for it
    name, bank, number = check(data, org_name=org.name)
    now = datetime.now(UTC)
    before = await repository.current(principal.org_id)
    if before is not None and (before.account_name, before.bank_name, before.account_number) == (name, bank, number):
        return account_out(before)
    if before is not None and not await repository.supersede(before.id, at=now):
        raise Conflict(Msg("payee.changed_meanwhile"))
    account_id = await repository.create(
        org_id=principal.org_id,
        account_name=name,
        bank_name=bank,
        account_number=number,
        recorded_by=principal.user_id,
        at=now,
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.payee_account_recorded",
        entity_type="payee_account",
        entity_id=account_id,
        org_id=principal.org_id,
        before=_audit(before),
        after={"account_name": name, "bank_name": bank, "account_number": number, "replaces": _id(before)},
    )
    row = await repository.get(account_id)
    assert row is not None
    return account_out(row)


def _audit(row: PayeeAccountRecord | None) -> dict[str, str | int] | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "account_name": row.account_name,
        "bank_name": row.bank_name,
        "account_number": row.account_number,
    }


def _id(row: PayeeAccountRecord | None) -> int | None:
    return row.id if row else None


async def require_for_transfer(org_id: int) -> PayeeAccountRecord:
    """The account a transfer to this university goes to; a clear refusal when it has recorded none."""
    account = await repository.current(org_id)
    if account is None:
        org = await org_service.org_by_id(org_id)
        raise Conflict(Msg("payee.not_set_up", {"university": org.name if org else str(org_id)}))
    return account


async def can_receive_transfers(org_ids: Sequence[int]) -> set[int]:
    """Which of these organisations have a payee account in force."""
    return {r.organisation for r in await repository.current_of(list(dict.fromkeys(org_ids)))}
