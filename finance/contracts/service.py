"""The licence contract: rendered once per licence from the versioned template, stored with its SHA-256.

The template (``finance/documents/licence_contract``) receives plain values only; every value is escaped by it and
the renderer fetches nothing from outside (market.integrations.pdf). The file's SHA-256 goes to the audit trail, so
a stored contract that was altered is detected. Only the two parties may download it.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from finance.contracts import repository
from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.payees import service as payees
from finance.payments import service as payment_service
from finance.payments.records import PaymentRecord
from listings.declarations import service as declarations
from listings.declarations.records import DeclarationVersionRecord
from listings.patents import service as patents
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, NotFound
from market.i18n import Msg, Param, gettext
from market.integrations.pdf import render_document_in_thread
from market.kit.law import PaymentMode
from market.orgs import service as org_service

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
CONTRACT = DOCUMENTS / "licence_contract"
MODES = {
    PaymentMode.lump_sum: "lump_sum",
    PaymentMode.running_royalty: "running_royalty",
    PaymentMode.entry_plus_royalty: "entry_fee_plus_royalty",
}  # the contract template's names


def _money(minor: int | None, currency: str) -> dict[str, Any] | None:
    return None if minor is None else {"minor": int(minor), "currency": currency}


async def contract_context(licence: LicenceRecord) -> dict[str, Any]:
    """The plain values of the contract (the shape of ``finance/documents/licence_contract/sample.yaml``)."""
    patent = await patents.patent_by_id(licence.patent)
    declaration = await declarations.declaration_by_id(licence.declaration)
    licensor = await org_service.org_by_id(licence.licensor)
    licensee = await org_service.org_by_id(licence.licensee)
    assert patent is not None
    assert declaration is not None
    assert licensor is not None
    payments = [
        p
        for p in await payment_service.payments_of_licence(licence.id)
        if p.purpose == "initial" and p.status == "succeeded"
    ]
    versions = [v for v in await declarations.versions(licence.declaration) if v.version == licence.declaration_version]
    other = [{"zh": versions[0].other_matters, "en": ""}] if versions and versions[0].other_matters else []
    starts = licence.starts_on
    assert starts is not None  # a contract is made for an active licence, which has started
    paid = payments[0] if payments else None
    payee = await _payee_account(licence, paid)
    ref: dict[str, Param] = {"declaration": declaration.id, "version": licence.declaration_version}
    return {
        "contract": {
            "number": licence.number,
            "effective_on": starts.isoformat(),
            "filing_deadline": licences.filing_deadline(starts).isoformat(),
            "platform_zh": gettext("zh", "common.site_name"),
            "platform_en": gettext("en", "common.site_name"),
        },
        "declaration": _declaration_facts(declaration.published_at, versions[0] if versions else None, starts)
        | {"announcement_ref": " / ".join(gettext(lang, "contract.announcement_ref", **ref) for lang in ("zh", "en"))},
        # Both parties' credit codes and addresses as the platform verified them (the licensee's as given in its
        # request, else its organisation's).
        "licensor": {
            "name_zh": licensor.name,
            "credit_code": licensor.credit_code,
            "address_zh": licensor.address or None,
        },
        "licensee": {
            "name_zh": licence.licensee_name,
            "credit_code": licence.licensee_credit_code or (licensee.credit_code if licensee else None),
            "address_zh": licence.licensee_address or (licensee.address if licensee else None) or None,
        },
        "patents": [
            {
                "number": patent.number,
                "kind": patent.kind,
                "title_zh": patent.title_zh or patent.title_en,
                "title_en": patent.title_en or None,
                "filed_on": patent.filing_date.isoformat() if patent.filing_date else starts.isoformat(),
                "expires_on": patent.expiry_date.isoformat() if patent.expiry_date else starts.isoformat(),
            }
        ],
        "terms": {
            "mode": MODES[PaymentMode(licence.payment_mode)],
            "lump_sum": _money(licence.lump_sum_minor, licence.currency)
            if licence.payment_mode == "lump_sum"
            else None,
            "entry_fee": _money(licence.entry_fee_minor, licence.currency),
            "royalty_rate_bp": licence.royalty_rate_bp,
            "report_period": "quarter",
            "report_days": licences.REPORT_DAYS,
            "term_end": (licence.ends_on or starts).isoformat(),
            "other_terms": other,
        },
        "payment": {
            "amount": _money(paid.amount_minor if paid else 0, licence.currency),
            "paid_on": (paid.succeeded_at.date() if paid and paid.succeeded_at else starts).isoformat(),
            "method": paid.method if paid else "bank_transfer",
            "reference": (paid.reference or paid.provider_id) if paid else None,
        },
        "payee": payee,
    }


async def _payee_account(licence: LicenceRecord, paid: PaymentRecord | None) -> dict[str, str] | None:
    """The licensor's payee account as at the licence: the one the paying transfer was instructed to, else the one
    in force when the licence took effect (later changes never reach an issued contract)."""
    account = None
    if paid is not None and paid.payee_account is not None:
        account = await payees.account_by_id(paid.payee_account)
    if account is None:
        account = await payees.account_in_force_at(licence.licensor, licence.activated_at or datetime.now(UTC))
    if account is None:
        return None
    return {"account_name": account.account_name, "bank_name": account.bank_name, "number": account.account_number}


def _declaration_facts(
    published_at: datetime | None, version: DeclarationVersionRecord | None, starts: date
) -> dict[str, Any]:
    """What the contract may say of the declaration at the time it is made (Patent Law Art 50): published on the
    platform on a date, and CNIPA's announcement (number and date) only if the university has recorded it."""
    published = (version.published_at if version and version.published_at else published_at) or None
    facts: dict[str, Any] = {"published_on": (published.date() if published else starts).isoformat()}
    if version is not None and version.cnipa_number and version.cnipa_announced_on is not None:
        facts["cnipa_number"] = version.cnipa_number
        facts["cnipa_announced_on"] = version.cnipa_announced_on.isoformat()
    return facts


def contract_path(data_dir: Path, licence: LicenceRecord, sha256: str) -> Path:
    return data_dir / "contracts" / f"{licence.number}-{sha256[:12]}.pdf"


async def render_contract(*, licence_id: int, data_dir: Path) -> bool:
    """Render and store the contract of an active licence, once. True if this call made it."""
    if await repository.for_licence(licence_id) is not None:
        return False
    licence = await licences.licence_by_id(licence_id)
    if licence is None or licence.status != "active":
        return False
    rendered = await render_document_in_thread(CONTRACT, await contract_context(licence))
    path = contract_path(data_dir, licence, rendered.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, rendered.pdf)
    await repository.create(
        licence=licence_id,
        template=rendered.document,
        template_version=rendered.version,
        sha256=rendered.sha256,
        path=str(path),
        pages=rendered.pages,
    )
    await licences.contract_issued(licence_id=licence_id, sha256=rendered.sha256)
    await events.emit("contract.rendered", licence_id=licence_id)  # the parties are told (finance.jobs)
    await record(
        actor=Actor.system(),
        action="finance.contract_rendered",
        entity_type="licence",
        entity_id=licence_id,
        org_id=licence.licensor,
        after={
            "number": licence.number,
            "sha256": rendered.sha256,
            "template": rendered.document,
            "template_version": rendered.version,
            "pages": rendered.pages,
        },
    )
    return True


async def stored_contract(licence_id: int) -> tuple[str, bytes] | None:
    """The stored contract of a licence (its file name and bytes, checked against the recorded SHA-256), or None
    while it is not rendered: for a module attaching it to a dossier (``finance.voucher_redemptions``)."""
    licence = await licences.licence_by_id(licence_id)
    stored = await repository.for_licence(licence_id)
    if licence is None or stored is None:
        return None
    data = await asyncio.to_thread(Path(stored.path).read_bytes)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise Conflict(Msg("contract.hash_mismatch"))
    return f"{licence.number}.pdf", data


async def download(*, principal: Principal, licence_id: int) -> tuple[str, bytes]:
    """The stored contract for one of its two parties, checked against its recorded SHA-256."""
    licence = await licences.party(principal, licence_id)
    stored = await repository.for_licence(licence_id)
    if stored is None:
        raise NotFound(Msg("contract.not_ready"))
    data = await asyncio.to_thread(Path(stored.path).read_bytes)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise Conflict(Msg("contract.hash_mismatch"))
    return f"{licence.number}.pdf", data
