"""Qualification test factories: an SME's recorded qualification (a minimal PDF as evidence), reviewed or not."""

from __future__ import annotations

from datetime import date, timedelta

from finance.qualifications import service as qualifications
from finance.qualifications.records import QualificationRecord
from market.accounts.principal import Principal
from market.jobs import unit_of_work

EVIDENCE = b"%PDF-1.4\n% a scan of the certificate\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
BODIES = {
    "tech_sme": "浙江省科学技术厅",  # words: data
    "high_tech": "浙江省高新技术企业认定管理机构",  # words: data
    "specialised": "浙江省经济和信息化厅",  # words: data
    "little_giant": "工业和信息化部",  # words: data
}


async def recorded(
    owner: Principal,
    kind: str = "specialised",
    *,
    issued_on: date | None = None,
    expires_on: date | None = None,
    number: str = "",
    content: bytes = EVIDENCE,
) -> QualificationRecord:
    today = qualifications.today()
    issued = issued_on or today - timedelta(days=30)
    async with unit_of_work():
        return await qualifications.record_qualification(
            principal=owner,
            kind=kind,
            certificate_number=number or f"ZJ-{kind}-{owner.org_id}",
            issuing_body=BODIES[kind],
            issued_on=issued,
            expires_on=expires_on or issued + timedelta(days=365),
            filename=f"{kind}.pdf",
            content=content,
        )


async def reviewed(
    admin: Principal, row: QualificationRecord, event: str = "verify", reason_code: str = ""
) -> QualificationRecord:
    async with unit_of_work():
        return await qualifications.review(
            principal=admin, qualification_id=row.id, event=event, expected_version=row.version, reason_code=reason_code
        )
