"""Voucher programme jobs: none run on a schedule (a programme closes for its budget inside the approval that spends
it, ``service.close_for_budget``); the module has no events of its own to forward."""

from __future__ import annotations

JOBS: tuple[str, ...] = ()
