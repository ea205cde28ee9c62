"""Exports: a pledge application's package for its two parties, the bank's portfolio, and the desk's moves bridged to
webhooks.

The package is a zip: ``manifest.json`` (every other file with its SHA-256 and size), ``application.json`` (the
application as the API shows it to the caller), ``decisions.json`` (every decision on its desk case, with coded
reasons), ``documents/`` (each stored document of the case: the PDFs and scans as uploaded) and, once the offer is
accepted, ``registration/`` (the sealed pledge contract and joint registration form, and ``signatures.json``: each
party's signature of each, with the SHA-256 it signed). Entries carry a
fixed timestamp, so the same application gives the same bytes until something in it changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from finance.desk import service as desk
from finance.exports.records import Package, PackageFile
from finance.exports.schemas import (
    AgeLineOut,
    BreachOut,
    ManifestFileOut,
    ManifestOut,
    PortfolioOut,
    StateLineOut,
)
from finance.pledges import service as pledges
from finance.registrations import service as registrations
from market.accounts.principal import Principal
from market.errors import Forbidden
from market.i18n import Msg
from market.orgs.schemas import OrgKind
from market.webhooks import service as webhooks

PACKAGE_FORMAT = "market.pledge_package/1"
PLEDGE_KIND = "pledge_loan"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
SAFE = re.compile(r"[^A-Za-z0-9._-]+")


# ------------------------------------------------------------------------------------------------ package


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def manifest(*, application_id: int, reference: str, files: list[PackageFile], at: datetime) -> ManifestOut:
    return ManifestOut(
        format=PACKAGE_FORMAT,
        application_id=application_id,
        reference=reference,
        generated_at=at.isoformat(),
        files=[
            ManifestFileOut(
                path=f.path, sha256=hashlib.sha256(f.content).hexdigest(), size=len(f.content),
                content_type=f.content_type,
            )
            for f in files
        ],
    )


def zipped(files: list[PackageFile], listed: ManifestOut) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in [("manifest.json", _json(listed.model_dump(mode="json"))),
                              *((f.path, f.content) for f in files)]:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


async def package(*, principal: Principal, application_id: int) -> Package:
    """The application's package, for the applicant and its bank only (anyone else: 404, as the application)."""
    app = await pledges.get(principal=principal, application_id=application_id)
    body = app.model_dump(mode="json")
    decisions = body.pop("decisions", [])
    files = [
        PackageFile("application.json", _json(body), "application/json"),
        PackageFile("decisions.json", _json(decisions), "application/json"),
    ]
    for document in app.documents:
        stored, content = await pledges.document_content(
            principal=principal, application_id=application_id, document_id=document.id
        )
        name = SAFE.sub("_", document.filename).strip("._") or "document"
        path = f"documents/{document.id:06d}-{SAFE.sub('_', document.requirement)}-v{document.version}-{name}"
        files.append(PackageFile(path, content, getattr(stored, "content_type", "application/octet-stream")))
    files += await _registration_files(principal, application_id)
    listed = manifest(application_id=app.id, reference=app.reference, files=files, at=datetime.now(UTC))
    return Package(filename=f"{SAFE.sub('_', app.reference)}-package.zip", content=zipped(files, listed))


async def _registration_files(principal: Principal, application_id: int) -> list[PackageFile]:
    """The registration's sealed documents (checked against their SHA-256 on reading) and the signatures of them."""
    registration = await registrations.registration_of_application(application_id)
    if registration is None:
        return []
    files = []
    for document in await registrations.documents(registration.id):
        _, content = await registrations.download(
            principal=principal, registration_id=registration.id, kind=document.kind
        )
        files.append(PackageFile(f"registration/{SAFE.sub('_', document.kind)}.pdf", content, "application/pdf"))
    signed = [
        {
            "document_kind": s.document_kind,
            "sha256": s.sha256,
            "organisation": s.organisation,
            "role": s.role,
            "signed_at": s.signed_at.isoformat(),
            "method": s.method,
        }
        for s in await registrations.signatures(registration.id)
    ]
    files.append(PackageFile("registration/signatures.json", _json(signed), "application/json"))
    return files


# ---------------------------------------------------------------------------------------------- portfolio


async def portfolio(*, principal: Principal, kind: str | None = PLEDGE_KIND) -> PortfolioOut:
    """The calling bank's book on the desk."""
    if principal.org_kind is not OrgKind.bank:
        raise Forbidden(Msg("exports.bank_only"))
    book = await desk.portfolio(reviewer_org=principal.org_id, kind=kind)
    return PortfolioOut(
        on=book.on,
        kind=book.kind,
        states=[StateLineOut.model_validate(s) for s in book.states],
        ageing=[AgeLineOut.model_validate(a) for a in book.ageing],
        breached_open=book.breached_open,
        breaches=[BreachOut.model_validate(b) for b in book.breaches],
    )


# ----------------------------------------------------------------------------------------- webhook bridge


async def case_moved(*, case_id: int, from_state: str, to_state: str, event: str) -> int:
    """``desk.case_moved`` to the webhooks of the reviewing organisation and the applicant (a draft's moves to the
    applicant alone: the reviewer sees a case once submitted). Returns how many deliveries were made."""
    case = await desk.case(case_id)
    if case is None:
        return 0
    payload: dict[str, Any] = {
        "case_id": case.id, "kind": case.kind, "subject": case.subject, "reference": case.reference,
        "from_state": from_state, "to_state": to_state, "event": event, "amount_minor": case.amount_minor,
        "currency": case.currency, "due_on": case.due_on.isoformat() if case.due_on else None,
    }  # fmt: skip
    orgs = [case.applicant_org]
    if case.sla_started_on is not None and not (from_state == "draft" and to_state != "submitted"):
        orgs.append(case.reviewer_org)
    made = 0
    for org in dict.fromkeys(orgs):
        made += len(await webhooks.publish(org, "desk.case_moved", None, payload))
    return made


async def sla_breached(*, case_id: int) -> int:
    """``desk.sla_breached`` to the reviewing organisation's webhooks."""
    case = await desk.case(case_id)
    if case is None:
        return 0
    payload: dict[str, Any] = {
        "case_id": case.id, "kind": case.kind, "subject": case.subject, "reference": case.reference,
        "state": case.state, "due_on": case.due_on.isoformat() if case.due_on else None,
    }  # fmt: skip
    return len(await webhooks.publish(case.reviewer_org, "desk.sla_breached", None, payload))


async def forward(event_type: str, payload: dict[str, Any], *org_keys: str) -> int:
    """An event's own payload to the webhooks of the organisations its ``org_keys`` name (each once)."""
    orgs = [payload[key] for key in org_keys if isinstance(payload.get(key), int)]
    made = 0
    for org in dict.fromkeys(orgs):
        made += len(await webhooks.publish(org, event_type, None, payload))
    return made
