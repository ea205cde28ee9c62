"""Where a notification leads: the page of its object, for the reader's kind of organisation.

A notification may carry its path (``notify(link=...)``, stored with its parameters under ``LINK_PARAM``); else it
is derived from its dedupe key, which every writer makes from the object's kind and id (``licence:12:activated:7``).
The same object has a page per side (an SME's order is the provider's claim and the issuer's review), so the
reader's organisation kind picks the page. Paths are relative (pages); e-mails put ``MARKET_BASE_URL`` before them.
A notification with no object (a welcome) leads nowhere: the notifications page shows it whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LINK_PARAM = "@link"  # the stored path, beside the message's parameters (never a catalogue parameter)

ANY = "*"

# Keys made from a voucher redemption's id: one object, three sides.
_REDEMPTION = {
    "sme": "/sme/vouchers/orders/{id}",
    "service_provider": "/provider/voucher-claims/{id}",
    "university": "/provider/voucher-claims/{id}",
    "voucher_issuer": "/issuer/voucher-claims/{id}",
}

# The first part of a dedupe key -> the reader's organisation kind (or ANY) -> a path with the key's id.
ROUTES: dict[str, dict[str, str]] = {
    "licence": {ANY: "/licences/{id}"},
    "cnipa": {ANY: "/declarations/{id}"},
    "desk": {ANY: "/desk/cases/{id}"},
    "pledge": {"sme": "/sme/pledges/{id}", "bank": "/bank/pledges/{id}"},
    "pledge-registration": {ANY: "/pledge-registrations/{id}"},
    "pledge-alert": {ANY: "/pledge-registrations/{id}"},
    "subsidy": {"sme": "/sme/subsidies/{id}", "voucher_issuer": "/issuer/subsidy-claims/{id}"},
    "insurance": {"sme": "/sme/insurance/{id}", "insurer": "/insurer/applications/{id}"},
    "insurance-consent": {"university": "/university/insurance-consents", "sme": "/sme/insurance"},
    "insurance_claim": {"sme": "/sme/claims/{id}", "bank": "/bank/claims/{id}", "insurer": "/insurer/claims/{id}"},
    "policy": {"sme": "/sme/policies/{id}", "insurer": "/insurer/policies/{id}"},
    "qualification": {"sme": "/sme/qualifications", "platform_admin": "/admin/qualifications"},
    "voucher-application": {
        "sme": "/sme/vouchers/applications/{id}",
        "voucher_issuer": "/issuer/voucher-applications/{id}",
    },
    "voucher-entitlement": {
        "sme": "/sme/vouchers/entitlements/{id}",
        "voucher_issuer": "/issuer/voucher-entitlements/{id}",
    },
    "voucher_provider": {
        "voucher_issuer": "/issuer/voucher-providers/{id}",
        "service_provider": "/provider/vouchers",
        "university": "/provider/vouchers",
    },
    "voucher-share": {"voucher_issuer": "/issuer/voucher-reports"},
    "voucher-claim": _REDEMPTION,
    "voucher-ordered": _REDEMPTION,
    "voucher-confirmed": _REDEMPTION,
    "voucher-declined": _REDEMPTION,
    "voucher-cancelled": _REDEMPTION,
    "voucher-delivered": _REDEMPTION,
    "voucher-accepted": _REDEMPTION,
    "voucher-released": _REDEMPTION,
    "voucher-claim-ready": _REDEMPTION,
    "voucher-licence": {"university": "/licences"},
    "org-decided": {ANY: "/org/verification"},
    "verify-email": {ANY: "/org/verification"},
    "webhook-failed": {ANY: "/webhooks"},
    # alerts: need:<need>:<listing> or need:<need>:digest:<first>; saved:<search>:<listing> or ...:digest:...
    "need": {ANY: "/needs/{id}"},
    "saved": {ANY: "/saved-searches"},
}


# A desk case's kind -> the dedupe-key prefix of its subject (a decision letter leads to what it decides).
CASE_KEYS = {
    "voucher_claim": "voucher-claim",
    "subsidy_claim": "subsidy",
    "pledge_loan": "pledge",
    "insurance": "insurance",
    "voucher_provider": "voucher_provider",
    "insurance_claim": "insurance_claim",
    "voucher_entitlement": "voucher-application",
}


def case_path(case_kind: str, subject: int, org_kind: str) -> str:
    """The page of a desk case's subject for its applicant (``org_kind``); "" for none."""
    prefix = CASE_KEYS.get(case_kind)
    return derived_path(f"{prefix}:{subject}", org_kind) if prefix else ""


def stored_link(params: Mapping[str, Any]) -> str:
    value = params.get(LINK_PARAM)
    return value if isinstance(value, str) and value.startswith("/") and not value.startswith("//") else ""


def derived_path(dedupe_key: str, org_kind: str) -> str:
    """The path of the object a dedupe key names, for a reader in an organisation of ``org_kind``; "" for none."""
    parts = dedupe_key.split(":")
    routes = ROUTES.get(parts[0])
    if routes is None:
        return ""
    if parts[0] in ("need", "saved") and len(parts) >= 3 and parts[2].isdigit():
        return f"/listings/{parts[2]}"  # one listing an alert found: its page
    if parts[0] == "insurance_claim" and len(parts) >= 3 and parts[2].startswith("guarantee"):
        return "/bank/claims" if org_kind == "bank" else ""  # the key names the policy, not a claim
    template = routes.get(org_kind) or routes.get(ANY)
    if template is None:
        return ""
    if "{id}" not in template:
        return template
    if len(parts) < 2 or not parts[1].isdigit():
        return ""
    return template.format(id=parts[1])


def path_of(*, params: Mapping[str, Any], dedupe_key: str, org_kind: str) -> str:
    """Where the notification leads: its stored path, else the one its key names; "" for none."""
    return stored_link(params) or derived_path(dedupe_key, org_kind)
