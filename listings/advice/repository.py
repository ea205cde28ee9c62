"""The evidence the advice reads from the database: terms of open licences concluded on the platform."""

from __future__ import annotations

from typing import Any

from listings.declarations.tables import DeclarationVersion
from listings.patents.tables import Patent, RecordedLicence


async def concluded_open_licence_terms(limit: int = 5000) -> list[dict[str, Any]]:
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
            out.append({**version, "reference": lic["reference"], "ipc_codes": ipc.get(lic["patent"], [])})
    return out
