"""What the listings repositories return, on SQLite and PostgreSQL: frozen records whose every value has the type its
field declares (dates as dates, timestamps as datetimes, JSON columns loaded), never a row of string keys."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any

import pytest

from listings.advice import repository as advice_repo
from listings.declarations import repository as declarations_repo
from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.declarations.service import declare
from listings.imports import repository as imports_repo
from listings.imports.records import ImportRunRecord
from listings.needs import repository as needs_repo
from listings.needs.records import NeedRecord, SavedSearchRecord
from listings.patents import repository as patents_repo
from listings.patents.records import PatentFieldsRecord, PatentRecord, RecordedLicenceRecord
from listings.search import repository as search_repo
from listings.search.records import ListingState, OutboxEntryRecord, UniversityRecord
from listings.universities import repository as universities_repo
from listings.universities.records import UniversityProfileRecord
from market import jobs
from tests.conftest import Backend
from tests.listings.support import eligible, record, university

TERMS = TermsIn(payment_mode="entry_plus_royalty", entry_fee_minor=5_000_000, royalty_rate_bp=300, term_years=5)


def _fits(value: Any, hint: Any) -> bool:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_fits(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint) and _typed(value)
    origin = typing.get_origin(hint) or hint
    if origin is date:  # a datetime is a date too; a date column must not come back as a timestamp
        return isinstance(value, date) and not isinstance(value, datetime)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is Any:
        return True
    if not isinstance(value, origin):
        return False
    if origin is list:
        [item] = typing.get_args(hint)
        return all(_fits(v, item) for v in value)
    return True


def _typed(record: Any) -> bool:
    hints = typing.get_type_hints(type(record))
    wrong = {
        f.name: getattr(record, f.name)
        for f in dataclasses.fields(record)
        if not _fits(getattr(record, f.name), hints[f.name])
    }
    assert not wrong, f"{type(record).__name__}: {wrong}"
    return True


def _frozen(record: Any, kind: type) -> None:
    assert isinstance(record, kind)
    assert _typed(record)
    name = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, getattr(record, name))


async def test_every_listings_repository_returns_typed_frozen_records(backend: Backend) -> None:
    account, principal = await university()
    patent_id = await record(principal, eligible())
    async with jobs.unit_of_work():
        report = await declare(principal=principal, data=DeclareIn(patent_ids=[patent_id], terms=TERMS))
    declaration_id = report.results[0].declaration_id
    assert declaration_id is not None
    [version] = await declarations_repo.versions(declaration_id)
    async with jobs.unit_of_work():
        licence_id = await patents_repo.add_licence(
            patent_id,
            {"kind": "open", "licensee_name": "杭州智造科技有限公司", "starts_on": date.today(),
             "reference": "OL-LC-1", "declaration_version": version.id},
        )  # fmt: skip
        run_id = await imports_repo.create(
            org_id=account.org_id, user_id=account.user_id, filename="a.csv", stored_path=""
        )
        await imports_repo.update(run_id, {"rejections": [{"row": 2, "field": "number", "reason": "missing"}]})
        need_id = await needs_repo.create_need(
            org_id=account.org_id, user_id=account.user_id,
            values={"title": "膜过滤", "description": "", "deadline": date.today(), "tech_field": 24},
        )  # fmt: skip
        saved_id = await needs_repo.create_saved(
            org_id=account.org_id, user_id=account.user_id, name="污水", params={"q": "污水"}
        )
        await universities_repo.upsert_share(account.org_id, 4000)

    patent = await patents_repo.get(patent_id)
    _frozen(patent, PatentRecord)
    assert patent is not None and patent.ipc_codes == ["G01N 15/08"] and patent.filing_date == date(2018, 7, 30)
    assert [p.id for p in await patents_repo.get_many([patent_id])] == [patent_id]
    _frozen((await patents_repo.by_numbers(account.org_id, [patent.number]))[patent.number], PatentFieldsRecord)
    rows, total = await patents_repo.search(account.org_id)
    assert total == 1
    _frozen(rows[0], PatentRecord)
    _frozen(await patents_repo.get_licence(licence_id), RecordedLicenceRecord)
    _frozen((await patents_repo.licences(patent_id))[0], RecordedLicenceRecord)
    _frozen((await patents_repo.licences_in_force([patent_id], date.today()))[0], RecordedLicenceRecord)

    declaration = await declarations_repo.get(declaration_id)
    _frozen(declaration, DeclarationRecord)
    assert declaration is not None and isinstance(declaration.published_at, datetime)
    _frozen(version, DeclarationVersionRecord)
    _frozen((await declarations_repo.latest_for_patents([patent_id]))[patent_id], DeclarationRecord)
    _frozen(await declarations_repo.live_for_patent(patent_id), DeclarationRecord)
    _frozen((await declarations_repo.versions_of([declaration_id]))[declaration_id][0], DeclarationVersionRecord)
    _frozen((await declarations_repo.for_org(account.org_id, status=None, limit=5, offset=0))[0][0], DeclarationRecord)
    _frozen((await declarations_repo.published(limit=5, offset=0))[0][0], DeclarationRecord)
    _frozen((await declarations_repo.patents_by_id([patent_id]))[patent_id], PatentRecord)

    state = (await search_repo.listing_states([declaration_id]))[declaration_id]
    _frozen(state, ListingState)
    _frozen(state.university, UniversityRecord)
    _frozen(await search_repo.declaration(declaration_id), DeclarationRecord)
    for entry in await search_repo.pending(10):
        _frozen(entry, OutboxEntryRecord)

    [terms] = await advice_repo.concluded_open_licence_terms()
    assert terms.reference == "OL-LC-1" and terms.ipc_codes == ["G01N 15/08"] and terms.royalty_rate_bp == 300
    assert _typed(terms)

    run = await imports_repo.get(run_id)
    _frozen(run, ImportRunRecord)
    assert run is not None and run.rejections == [{"row": 2, "field": "number", "reason": "missing"}]
    _frozen((await imports_repo.for_org(account.org_id, limit=5))[0], ImportRunRecord)

    need = await needs_repo.get_need(need_id)
    _frozen(need, NeedRecord)
    assert need is not None and need.org_name == "浙江大学" and need.deadline == date.today()
    _frozen((await needs_repo.open_needs(date.today()))[0], NeedRecord)
    _frozen((await needs_repo.needs_of(account.org_id))[0], NeedRecord)
    saved = await needs_repo.get_saved(saved_id)
    _frozen(saved, SavedSearchRecord)
    assert saved is not None and saved.params == {"q": "污水"}
    _frozen((await needs_repo.all_saved())[0], SavedSearchRecord)
    user = await needs_repo.user(account.user_id)
    assert user is not None and user.email == account.email and _typed(user)

    profile = await universities_repo.get(account.org_id)
    _frozen(profile, UniversityProfileRecord)
    assert profile is not None and profile.inventor_reward_share_bp == 4000
