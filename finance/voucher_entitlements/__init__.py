"""Voucher entitlements: an SME's application, the entitlement it is granted and the voucher ledger."""
