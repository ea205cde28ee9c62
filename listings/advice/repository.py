"""The evidence the advice reads from the database: terms of open licences concluded on the platform."""

from __future__ import annotations

from listings.advice.records import ConcludedTermsRecord
from listings.declarations.tables import DeclarationVersion
from listings.patents.tables import Patent, RecordedLicence


async def concluded_open_licence_terms(limit: int = 5000) -> list[ConcludedTermsRecord]:
    """Each open licence granted on the platform with the declared terms it was granted on and its patent's IPC."""
    licences = await (
        RecordedLicence.select(RecordedLicence.reference, RecordedLicence.declaration_version, RecordedLicence.patent)
        .where((RecordedLicence.kind == "open") & RecordedLicence.declaration_version.is_not_null())
        .order_by(RecordedLicence.id, ascending=False)
        .limit(limit)
    )
    if not licences:
        return []
    versions = {
        v["id"]: v
        for v in await DeclarationVersion.select().where(
            DeclarationVersion.id.is_in([lic["declaration_version"] for lic in licences])
        )
    }
    ipc = {
        p["id"]: p["ipc_codes"]
        for p in await Patent.select(Patent.id, Patent.ipc_codes)
        .where(Patent.id.is_in([lic["patent"] for lic in licences]))
        .output(load_json=True)
    }
    out = []
    for lic in licences:
        version = versions.get(lic["declaration_version"])
        if version is not None:
            out.append(
                ConcludedTermsRecord(
                    reference=lic["reference"],
                    ipc_codes=ipc.get(lic["patent"], []),
                    payment_mode=version["payment_mode"],
                    currency=version["currency"],
                    lump_sum_minor=version["lump_sum_minor"],
                    entry_fee_minor=version["entry_fee_minor"],
                    royalty_rate_bp=version["royalty_rate_bp"],
                    term_years=version["term_years"],
                )
            )
    return out
