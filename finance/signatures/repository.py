"""Every query on signatures."""

from __future__ import annotations

from datetime import datetime

from finance.signatures.records import SignatureRecord
from finance.signatures.tables import Signature


async def of_document(document_kind: str, document_id: int) -> list[SignatureRecord]:
    rows = (
        await Signature.select()
        .where((Signature.document_kind == document_kind) & (Signature.document_id == document_id))
        .order_by(Signature.id)
    )
    return [SignatureRecord(**r) for r in rows]


async def find(
    *, document_kind: str, document_id: int, sha256: str, organisation: int, role: str
) -> SignatureRecord | None:
    row = (
        await Signature.select()
        .where(
            (Signature.document_kind == document_kind)
            & (Signature.document_id == document_id)
            & (Signature.sha256 == sha256)
            & (Signature.organisation == organisation)
            & (Signature.role == role)
        )
        .first()
    )
    return SignatureRecord(**row) if row else None


async def get(signature_id: int) -> SignatureRecord | None:
    row = await Signature.select().where(Signature.id == signature_id).first()
    return SignatureRecord(**row) if row else None


async def insert(
    *,
    document_kind: str,
    document_id: int,
    sha256: str,
    signer: int,
    organisation: int,
    role: str,
    at: datetime,
    ip: str,
    user_agent: str,
    method: str,
    evidence: str = "",
) -> int:
    rows = await Signature.insert(
        Signature(
            document_kind=document_kind,
            document_id=document_id,
            sha256=sha256,
            signer=signer,
            organisation=organisation,
            role=role,
            signed_at=at,
            ip=ip,
            user_agent=user_agent,
            method=method,
            evidence=evidence,
        )
    ).returning(Signature.id)
    return int(rows[0]["id"])
