"""Voucher programmes and providers at once, on PostgreSQL: of ten edits of one version one wins (the others 409,
nothing half-written); of ten applications of one organisation to one programme one is filed (a unique key); the
daily listing job and a listing at the moment of use at once list a provider once."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.schemas import ProgrammeEditIn
from finance.voucher_providers import repository
from finance.voucher_providers import service as providers
from market import jobs
from market.errors import MarketError
from market.web.problems import unique_violation
from tests.finance.voucher_programme_support import (
    ZHEJIANG,
    applicant,
    apply,
    approve,
    issuer,
    move_today,
    open_programme,
)

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)


async def test_ten_edits_of_one_version_one_wins(backend: Any) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)

    async def one(n: int) -> int:
        terms = {**ZHEJIANG, "categories": {"tech_results": {"share_bp": 5000 + n}}}
        try:
            async with jobs.unit_of_work():
                await programmes.edit_programme(principal=owner, programme_id=programme_id,
                                                data=ProgrammeEditIn(expected_version=1, **terms))  # fmt: skip
        except MarketError as exc:
            return exc.status
        return 200

    answers = await asyncio.gather(*(one(n) for n in range(10)))
    assert Counter(answers) == Counter({200: 1, 409: 9}), answers
    assert [t.version for t in await programmes.versions(programme_id)] == [2, 1]
    assert (await programmes.programme(programme_id)).current_version == 2


async def test_ten_applications_at_once_file_one(backend: Any) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    who = await applicant()

    async def one() -> int:
        try:
            await apply(who, programme_id)
        except MarketError as exc:
            return exc.status
        except Exception as exc:  # the unique key: what the web layer answers 409 (market.web.problems)
            return 409 if unique_violation(exc) is not None else 500
        return 201

    answers = await asyncio.gather(*(one() for _ in range(10)))
    assert Counter(answers) == Counter({201: 1, 409: 9}), answers
    assert len(await repository.providers(programme=programme_id)) == 1


async def test_the_job_and_a_second_run_at_once_list_once(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    provider_id = await apply(await applicant(), programme_id)
    await approve(owner, provider_id)
    ends = (await providers.provider(provider_id)).notice_ends_on
    assert ends is not None
    move_today(monkeypatch, ends)

    async def run() -> int:
        try:
            async with jobs.unit_of_work():
                return await providers.list_due(on=ends)
        except MarketError:
            return 0

    answers = await asyncio.gather(*(run() for _ in range(5)))
    assert sum(answers) == 1, answers
    found = await providers.provider(provider_id)
    assert (found.state, found.listed_on) == ("listed", ends)
