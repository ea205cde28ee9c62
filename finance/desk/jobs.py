"""Desk jobs: the hourly SLA sweep (safe to run twice: a breach is flagged once)."""

from __future__ import annotations

from datetime import date

from finance.desk import service
from market.jobs import hourly, job

SLA_SWEEP_JOB = "finance.desk_sla_sweep"


@job(SLA_SWEEP_JOB)
async def desk_sla_sweep(*, on: str = "") -> int:
    """Flag every open case past its due day, once; notify the reviewer organisation; emit desk.sla_breached."""
    return await service.sweep_sla(on=date.fromisoformat(on) if on else None)


hourly(SLA_SWEEP_JOB, minute=5)
