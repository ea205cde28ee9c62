"""Payees' statements of paid batches (``finance/documents/voucher_statement``): per batch and payee, its lines
(paid, or carried to the next batch), the totals and the batch file's SHA-256. Rendered once after the batch is
paid (a job), stored, the PDF's SHA-256 kept and audited; the stored file is what is served, checked against it."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finance.voucher_settlements import repository, service
from finance.voucher_settlements.records import BatchRecord, LineRecord, StatementRecord
from finance.voucher_settlements.schemas import MoneyOut, StatementOut
from market import runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, NotFound
from market.i18n import Msg, gettext
from market.integrations.pdf import render_document_in_thread
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

STATEMENT = Path(__file__).resolve().parents[1] / "documents" / "voucher_statement"
SHOWN = {"paid": "paid", "failed": "carried", "exception": "carried", "carried": "carried"}


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": minor, "currency": currency}


async def context(found: BatchRecord, payee: int, rows: list[LineRecord]) -> dict[str, Any]:
    """The plain values of one payee's statement (the shape of ``sample.yaml``)."""
    number = (await service.case_of(found)).reference
    org = await org_service.org_by_id(payee)
    issuer = await org_service.org_by_id(found.issuer)
    smes = {o.id: o.name for o in await org_service.public_orgs(sorted({r.sme for r in rows if r.sme}))}
    first = rows[0]
    paid = sum(r.amount_minor for r in rows if r.status == "paid")
    return {
        "statement": {
            "batch_number": number,
            "programme_zh": await service.programme_name(found.programme),
            "issuer_zh": issuer.name if issuer else "",
            "up_to": found.up_to.isoformat(),
            "paid_on": found.paid_on.isoformat() if found.paid_on else "",
            "bank_reference": found.bank_reference,
            "file_sha256": found.file_sha256,
            "issued_on": service.today().isoformat(),
            "platform_zh": gettext("zh", "common.site_name"),
            "platform_en": gettext("en", "common.site_name"),
        },
        "payee": {
            "name_zh": org.name if org else "",
            "account_name": first.account_name,
            "bank_name": first.bank_name,
            "account_number": first.account_number,
        },
        "lines": [_line(r, smes) for r in rows],
        "totals": {
            "paid": _money(paid, found.currency),
            "carried": _money(sum(r.amount_minor for r in rows) - paid, found.currency),
        },
    }


def _line(r: LineRecord, smes: dict[int, str]) -> dict[str, Any]:
    return {
        "line_no": r.line_no,
        "claim_reference": r.claim_reference,
        "sme_zh": smes.get(r.sme or 0, ""),
        "category": r.category,
        "amount": _money(r.amount_minor, r.currency),
        "status": SHOWN.get(r.status, "carried"),
        "paid_on": r.paid_on.isoformat() if r.paid_on else None,
    }


def statement_path(data_dir: Path, number: str, payee: int, sha256: str) -> Path:
    return data_dir / "voucher_statements" / f"{number}-{payee}-{sha256[:12]}.pdf"


async def issue_statements(*, batch_id: int) -> int:
    """Every payee's statement of a paid batch, once each. Returns how many were made now."""
    found = await service.batch(batch_id)
    if found.paid_at is None:
        return 0
    number = (await service.case_of(found)).reference
    rows = await repository.lines(found.id)
    made = 0
    for payee in dict.fromkeys(r.payee for r in rows):
        if await repository.statement(found.id, payee) is not None:
            continue
        mine = [r for r in rows if r.payee == payee]
        values = await context(found, payee, mine)
        rendered = await render_document_in_thread(STATEMENT, values)
        path = statement_path(runtime.current().settings.data_dir, number, payee, rendered.sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, rendered.pdf)
        paid = values["totals"]["paid"]["minor"]
        statement_id = await repository.insert_statement(
            batch_id=found.id, payee=payee, paid_minor=paid, unpaid_minor=values["totals"]["carried"]["minor"],
            currency=found.currency, sha256=rendered.sha256, path=str(path), pages=rendered.pages,
            template=rendered.document, template_version=rendered.version, at=datetime.now(UTC),
        )  # fmt: skip
        await record(actor=Actor.system(), action="finance.voucher_statement_issued",
                     entity_type="voucher_statement", entity_id=statement_id, org_id=payee,
                     after={"batch": number, "sha256": rendered.sha256, "paid_minor": paid, "lines": len(mine),
                            "template_version": rendered.version})  # fmt: skip
        made += 1
    return made


def _out(s: StatementRecord, number: str, programme: int) -> StatementOut:
    return StatementOut(
        id=s.id, batch_id=s.batch, batch_number=number, programme_id=programme, payee_org_id=s.payee,
        paid=MoneyOut(minor=s.paid_minor, currency=s.currency),
        unpaid=MoneyOut(minor=s.unpaid_minor, currency=s.currency), sha256=s.sha256, pages=s.pages,
        issued_at=s.issued_at, url=f"/api/voucher-settlements/statements/{s.id}/pdf",
    )  # fmt: skip


async def statements_for(*, principal: Principal, batch_id: int | None = None) -> list[StatementOut]:
    """A payee's own statements; an issuer's, of one of its batches (or all of them)."""
    if principal.org_kind is OrgKind.voucher_issuer:
        batches = [await service.of_issuer(principal, batch_id)] if batch_id else \
            await repository.batches(issuer=principal.org_id)  # fmt: skip
        rows = [s for b in batches for s in await repository.statements(batch_id=b.id)]
    else:
        rows = await repository.statements(payee=principal.org_id)
    out = []
    for s in rows:
        found = await service.batch(s.batch)
        out.append(_out(s, (await service.case_of(found)).reference, found.programme))
    return out


async def statement_pdf(*, principal: Principal, statement_id: int) -> tuple[str, bytes]:
    """The stored PDF (its payee's, or its batch's issuer's; anyone else: 404), checked against its SHA-256."""
    found = next((s for s in await statements_for(principal=principal) if s.id == statement_id), None)
    if found is None:
        raise NotFound(Msg("voucher_settlement.statement_not_found"))
    stored = next(s for s in await repository.statements(batch_id=found.batch_id) if s.id == statement_id)
    data = await asyncio.to_thread(Path(stored.path).read_bytes)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise Conflict(Msg("voucher_settlement.file_hash_mismatch"))
    return f"{found.batch_number}-{stored.payee}.pdf", data
