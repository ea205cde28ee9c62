"""Organisations (universities, SMEs, banks, insurers, voucher issuers, the platform) and memberships."""
