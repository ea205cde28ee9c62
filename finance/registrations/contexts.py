"""The plain values of the pledge documents (the shape of each folder's ``sample.yaml``), from records. Pure: no
database, no I/O; dates as ISO strings, money as {minor, currency}, every string escaped by the template."""

from __future__ import annotations

from typing import Any

from finance.registrations.records import RegistrationRecord
from listings.patents.records import PatentRecord
from market.orgs.records import OrganisationRecord


def party(org: OrganisationRecord) -> dict[str, Any]:
    return {"name_zh": org.name, "credit_code": org.credit_code or None, "address_zh": org.address or None}


def patent(row: PatentRecord) -> dict[str, Any]:
    return {
        "number": row.number,
        "kind": row.kind,
        "title_zh": row.title_zh or row.title_en,
        "title_en": row.title_en or None,
        "filed_on": row.filing_date.isoformat() if row.filing_date else None,
        "granted_on": row.grant_date.isoformat() if row.grant_date else None,
        "expires_on": row.expiry_date.isoformat() if row.expiry_date else None,
        "patentees": " / ".join(row.patentees or ()),
    }


def document_context(
    *,
    registration: RegistrationRecord,
    pledgor: dict[str, Any],
    pledgee: dict[str, Any],
    patents: list[dict[str, Any]],
) -> dict[str, Any]:
    starts = registration.debt_starts_on
    ends = registration.debt_ends_on
    assert starts is not None
    assert ends is not None
    return {
        "pledge": {
            "reference": registration.reference,
            "application": registration.application,
            "made_on": starts.isoformat(),
        },
        "pledgor": pledgor,
        "pledgee": pledgee,
        "debt": {
            "kind": "loan",
            "amount": {"minor": int(registration.amount_minor), "currency": registration.currency},
            "rate_bp": registration.rate_bp,
            "term_months": registration.term_months,
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
        },
        "patents": patents,
        "patent_count": len(patents),
    }


def contract_terms(context: dict[str, Any]) -> dict[str, Any]:
    """The terms the registration checks (ground 07, ``finance.loan_products.rules.check_contract``), read from the
    contract's own values: what the rendered contract says is what is checked."""
    debt = context["debt"]
    return {
        "pledgor": context["pledgor"]["name_zh"],
        "pledgor_address": context["pledgor"]["address_zh"],
        "pledgee": context["pledgee"]["name_zh"],
        "pledgee_address": context["pledgee"]["address_zh"],
        "secured_debt_kind": debt["kind"],
        "secured_debt_amount": debt["amount"]["minor"] or None,
        "debt_term": f"{debt['starts_on']}/{debt['ends_on']}",
        "patents": [
            {"number": p["number"], "title": p["title_zh"], "filing_date": p["filed_on"], "grant_date": p["granted_on"]}
            for p in context["patents"]
        ],
        "security_scope": "principal, interest, penalty interest, damages, costs of enforcement",  # clause 5
    }
