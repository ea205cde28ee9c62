"""Webhook jobs: each takes ids and is safe to run twice (a settled delivery is left alone)."""

from __future__ import annotations

from market import jobs
from market.webhooks import service

jobs.job(service.DELIVER_JOB, max_tries=service.MAX_TRIES, transactional=False)(service.deliver)
jobs.job(service.SWEEP_JOB)(service.sweep)
jobs.daily(service.SWEEP_JOB, hour=3, minute=30)
